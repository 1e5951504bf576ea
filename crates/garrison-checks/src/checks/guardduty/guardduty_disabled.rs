use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// Reads `guardduty/list-detectors.json` and `get-detector.json`: FAIL when there is no detector or
    /// its `Status` is not `ENABLED`, PASS otherwise. Accepts the CLI's PascalCase and the REST API's
    /// camelCase.
    ///
    /// ## Why it matters
    /// GuardDuty is AWS's threat detection for the account; EKS audit-log and runtime monitoring
    /// build on it. Without it, credential theft and crypto-mining on the cluster go unnoticed.
    ///
    /// ## How to fix
    /// `aws guardduty create-detector --enable` in the cluster region (or enable it for the
    /// organisation from the delegated administrator).
    ///
    /// ## References
    /// - Amazon GuardDuty documentation: EKS Protection and Runtime Monitoring
    /// - AWS Security Hub control GuardDuty.1
    pub static META = CheckMeta {
        id: "EKS-GD-001",
        name: "guardduty-disabled",
        title: "GuardDuty is not enabled in the cluster region",
        severity: Severity::High,
        level: Level::Infrastructure,
        control: SeedControl::Guardduty,
        cis: None,
        security_hub: Some("GuardDuty.1"),
        pss: None,
        remediation: "Enable GuardDuty in the cluster region.",
    };
}

use super::detector;

pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    if let Ok(list) = snapshot
        .document::<garrison_core::aws::guardduty::ListDetectors>("guardduty/list-detectors.json")
        && list.detector_ids.is_empty()
    {
        let resource = crate::engine::Resource::new(
            "GuardDutyDetector",
            "none",
            "aws/guardduty/list-detectors.json",
        );
        return vec![result(
            &resource,
            Status::Fail,
            "/DetectorIds",
            "no GuardDuty detector exists in the region",
        )];
    }
    let (resource, detector) = detector(snapshot);
    match detector {
        Ok(detector) if detector.enabled() => vec![result(
            &resource,
            Status::Pass,
            "/Status",
            "GuardDuty is enabled",
        )],
        Ok(detector) => vec![result(
            &resource,
            Status::Fail,
            "/Status",
            format!(
                "GuardDuty is {}",
                detector.status.as_deref().unwrap_or("not enabled")
            ),
        )],
        Err(missing) => vec![unknown(&resource, "guardduty/get-detector.json", &missing)],
    }
}
