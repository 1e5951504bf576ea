use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// With Runtime Monitoring on, PASS when the enabled runtime feature's
    /// `AdditionalConfiguration[Name=EKS_ADDON_MANAGEMENT]` is ENABLED or `eks/list-addons.json` lists
    /// `aws-guardduty-agent`; FAIL otherwise. NOT_APPLICABLE when Runtime Monitoring is off (EKS-GD-003
    /// reports that).
    ///
    /// ## Why it matters
    /// Runtime Monitoring sees nothing on a cluster without its agent; automated management also
    /// keeps the agent current and deploys it to new clusters.
    ///
    /// ## How to fix
    /// Enable `EKS_ADDON_MANAGEMENT`, or install the `aws-guardduty-agent` add-on.
    ///
    /// ## References
    /// - Amazon GuardDuty documentation: EKS Protection and Runtime Monitoring
    /// - AWS Security Hub control GuardDuty.7
    pub static META = CheckMeta {
        id: "EKS-GD-004",
        name: "runtime-agent-unmanaged",
        title: "GuardDuty runtime agent is neither auto-managed nor installed",
        severity: Severity::Medium,
        level: Level::Infrastructure,
        control: SeedControl::Guardduty,
        cis: None,
        security_hub: Some("GuardDuty.7"),
        pss: None,
        remediation: "Enable EKS_ADDON_MANAGEMENT or install the aws-guardduty-agent add-on.",
    };
}

use super::detector;

pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    let (resource, detector) = detector(snapshot);
    let detector = match detector {
        Ok(detector) => detector,
        Err(missing) => return vec![unknown(&resource, "guardduty/get-detector.json", &missing)],
    };
    let Some((index, feature)) =
        detector.feature_enabled(&["RUNTIME_MONITORING", "EKS_RUNTIME_MONITORING"])
    else {
        return vec![not_applicable(&resource, "Runtime Monitoring is off")];
    };
    let managed = feature.additional_configuration.iter().position(|c| {
        c.name.as_deref() == Some("EKS_ADDON_MANAGEMENT") && c.status.as_deref() == Some("ENABLED")
    });
    if let Some(position) = managed {
        return vec![result(
            &resource,
            Status::Pass,
            &format!("/Features/{index}/AdditionalConfiguration/{position}"),
            "GuardDuty manages the EKS runtime agent",
        )];
    }
    let installed = snapshot
        .document::<garrison_core::aws::eks::ListAddons>("eks/list-addons.json")
        .map(|l| l.addons.iter().any(|a| a == "aws-guardduty-agent"));
    vec![match installed {
        Ok(true) => result(
            &resource,
            Status::Pass,
            &format!("/Features/{index}"),
            "the aws-guardduty-agent add-on is installed",
        ),
        Ok(false) => result(
            &resource,
            Status::Fail,
            &format!("/Features/{index}/AdditionalConfiguration"),
            "agent management is off and the aws-guardduty-agent add-on is not installed",
        ),
        Err(missing) => unknown(&resource, "eks/list-addons.json", &missing),
    }]
}
