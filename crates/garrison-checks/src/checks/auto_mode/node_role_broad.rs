use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// One result per policy attached to `computeConfig.nodeRoleArn`: PASS for
    /// `AmazonEKSWorkerNodeMinimalPolicy` and `AmazonEC2ContainerRegistryPullOnly`, FAIL for others.
    /// NOT_APPLICABLE when Auto Mode compute is off.
    ///
    /// ## Why it matters
    /// Auto Mode nodes need only those two; anything more is available to whoever reaches the node's
    /// credentials.
    ///
    /// ## How to fix
    /// Detach the extra policies; give workloads their own Pod Identity roles.
    ///
    /// ## References
    /// - EKS documentation: Automate cluster infrastructure with EKS Auto Mode
    /// - EKS documentation: Amazon EKS Auto Mode node IAM role
    pub static META = CheckMeta {
        id: "EKS-AUTO-002",
        name: "auto-mode-node-role-broad",
        title: "Auto Mode node role has policies beyond the minimal ones",
        severity: Severity::Medium,
        level: Level::Infrastructure,
        control: SeedControl::AutoMode,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Keep the Auto Mode node role to the minimal node policies.",
    };
}

const MINIMAL: [&str; 2] = [
    "AmazonEKSWorkerNodeMinimalPolicy",
    "AmazonEC2ContainerRegistryPullOnly",
];

pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    with_cluster(snapshot, |cluster, resource| {
        let Some(role) = cluster
            .compute_config
            .as_ref()
            .filter(|c| c.enabled == Some(true))
            .and_then(|c| c.node_role_arn.clone())
        else {
            return vec![not_applicable(resource, "Auto Mode compute is not enabled")];
        };
        let (_, key) = role_keys(&role);
        let role_resource = role_resource(&role);
        with_document::<garrison_core::aws::iam::AttachedRolePolicies>(
            snapshot,
            &key,
            &role_resource,
            |attached| {
                attached
                    .attached_policies
                    .iter()
                    .enumerate()
                    .map(|(index, policy)| {
                        let name = policy.policy_name.as_deref().unwrap_or("?");
                        let pointer = format!("/AttachedPolicies/{index}");
                        if MINIMAL.contains(&name) {
                            result(
                                &role_resource,
                                Status::Pass,
                                &pointer,
                                format!("{name} is an Auto Mode node policy"),
                            )
                        } else {
                            result(
                                &role_resource,
                                Status::Fail,
                                &pointer,
                                format!("{name} is more than Auto Mode nodes need"),
                            )
                        }
                    })
                    .collect()
            },
        )
    })
}
