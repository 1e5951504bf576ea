use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// Reads the detector's `Features[Name=EKS_AUDIT_LOGS].Status`, falling back to the legacy
    /// `DataSources.Kubernetes.AuditLogs.Status`: PASS when ENABLED, FAIL otherwise. Independent of
    /// the cluster's own audit logging (EKS-LOG-001): GuardDuty reads the audit stream directly.
    ///
    /// ## Why it matters
    /// EKS audit-log monitoring detects anonymous access, exec into pods, privileged pod creation and
    /// known attacker tooling from the Kubernetes audit log.
    ///
    /// ## How to fix
    /// `aws guardduty update-detector --features Name=EKS_AUDIT_LOGS,Status=ENABLED`.
    ///
    /// ## References
    /// - Amazon GuardDuty documentation: EKS Protection and Runtime Monitoring
    /// - AWS Security Hub control GuardDuty.5
    pub static META = CheckMeta {
        id: "EKS-GD-002",
        name: "eks-audit-monitoring-off",
        title: "GuardDuty EKS audit-log monitoring is off",
        severity: Severity::High,
        level: Level::Infrastructure,
        control: SeedControl::Guardduty,
        cis: None,
        security_hub: Some("GuardDuty.5"),
        pss: None,
        remediation: "Enable GuardDuty EKS audit-log monitoring (EKS_AUDIT_LOGS).",
    };
}

use super::detector;

pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    let (resource, detector) = detector(snapshot);
    let detector = match detector {
        Ok(detector) => detector,
        Err(missing) => return vec![unknown(&resource, "guardduty/get-detector.json", &missing)],
    };
    if let Some((index, feature)) = detector.feature(&["EKS_AUDIT_LOGS"]) {
        let status = feature.status.as_deref().unwrap_or("?");
        return vec![result(
            &resource,
            if status == "ENABLED" && detector.enabled() {
                Status::Pass
            } else {
                Status::Fail
            },
            &format!("/Features/{index}/Status"),
            format!("EKS audit-log monitoring is {status}"),
        )];
    }
    let legacy = detector
        .data_sources
        .as_ref()
        .and_then(|d| d.kubernetes.as_ref())
        .and_then(|k| k.audit_logs.as_ref())
        .and_then(|a| a.status.as_deref());
    vec![match legacy {
        Some("ENABLED") => result(
            &resource,
            Status::Pass,
            "/DataSources/Kubernetes/AuditLogs/Status",
            "EKS audit-log monitoring is ENABLED (legacy data source)",
        ),
        Some(status) => result(
            &resource,
            Status::Fail,
            "/DataSources/Kubernetes/AuditLogs/Status",
            format!("EKS audit-log monitoring is {status}"),
        ),
        None => result(
            &resource,
            Status::Fail,
            "",
            "the detector has no EKS audit-log monitoring",
        ),
    }]
}
