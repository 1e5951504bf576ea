use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// PASS when the detector has `RUNTIME_MONITORING` or the legacy `EKS_RUNTIME_MONITORING`
    /// feature ENABLED (both feature-name generations are accepted, and either one enabled is enough:
    /// detectors report both, one of them DISABLED); FAIL otherwise.
    ///
    /// ## Why it matters
    /// Runtime Monitoring sees process, file and network activity inside nodes and containers:
    /// reverse shells, crypto-miners, container escapes. Audit logs alone do not show them.
    ///
    /// ## How to fix
    /// `aws guardduty update-detector --features
    /// 'Name=RUNTIME_MONITORING,Status=ENABLED,AdditionalConfiguration=[{Name=EKS_ADDON_MANAGEMENT,Status=ENABLED}]'`.
    ///
    /// ## References
    /// - Amazon GuardDuty documentation: EKS Protection and Runtime Monitoring
    /// - AWS Security Hub control GuardDuty.7
    pub static META = CheckMeta {
        id: "EKS-GD-003",
        name: "runtime-monitoring-off",
        title: "GuardDuty Runtime Monitoring is off",
        severity: Severity::High,
        level: Level::Infrastructure,
        control: SeedControl::Guardduty,
        cis: None,
        security_hub: Some("GuardDuty.7"),
        pss: None,
        remediation: "Enable GuardDuty Runtime Monitoring for EKS.",
    };
}

use super::detector;

pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    let (resource, detector) = detector(snapshot);
    let detector = match detector {
        Ok(detector) => detector,
        Err(missing) => return vec![unknown(&resource, "guardduty/get-detector.json", &missing)],
    };
    const NAMES: [&str; 2] = ["RUNTIME_MONITORING", "EKS_RUNTIME_MONITORING"];
    vec![match detector.feature_enabled(&NAMES) {
        Some((index, feature)) if detector.enabled() => result(
            &resource,
            Status::Pass,
            &format!("/Features/{index}/Status"),
            format!("{} is ENABLED", feature.name.as_deref().unwrap_or("?")),
        ),
        _ => result(
            &resource,
            Status::Fail,
            "/Features",
            "neither RUNTIME_MONITORING nor EKS_RUNTIME_MONITORING is enabled",
        ),
    }]
}
