use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// On an Auto Mode cluster: PASS when `kube-system/amazon-vpc-cni` sets
    /// `enable-network-policy-controller: "true"`, FAIL otherwise (noting NodeClasses'
    /// `spec.networkPolicy` default). NOT_APPLICABLE on other clusters.
    ///
    /// ## Why it matters
    /// Auto Mode does not enforce NetworkPolicies until the controller is switched on, and no other
    /// tool can see that switch.
    ///
    /// ## How to fix
    /// Create the ConfigMap `kube-system/amazon-vpc-cni` with `enable-network-policy-controller:
    /// "true"`; choose `networkPolicy: DefaultDeny` in NodeClasses where appropriate.
    ///
    /// ## References
    /// - EKS documentation: Automate cluster infrastructure with EKS Auto Mode
    /// - EKS documentation: Limit pod traffic with Kubernetes network policies
    pub static META = CheckMeta {
        id: "EKS-AUTO-004",
        name: "auto-mode-network-policy-off",
        title: "Auto Mode cluster ignores NetworkPolicies",
        severity: Severity::High,
        level: Level::Infrastructure,
        control: SeedControl::AutoMode,
        cis: Some("5.4.4"),
        security_hub: None,
        pss: None,
        remediation: "Set enable-network-policy-controller to \"true\" in kube-system/amazon-vpc-cni.",
    };
}

pub fn evaluate(context: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    with_cluster(snapshot, |cluster, resource| {
        if cluster.auto_mode() != Some(true) {
            return vec![not_applicable(resource, "Auto Mode is not enabled")];
        }
        vec![match network_policy_enforcement(context, snapshot) {
            Ok((true, evidence)) => result(resource, Status::Pass, "", evidence),
            Ok((false, evidence)) => result(resource, Status::Fail, "", evidence),
            Err(reason) => ResourceOutcome::new(
                resource,
                crate::engine::Outcome::with_status(Status::Unknown, None, reason),
            ),
        }]
    })
}
