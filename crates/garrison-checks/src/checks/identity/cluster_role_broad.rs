use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};
use garrison_core::aws::iam::AttachedRolePolicies;

declare_check! {
    /// ## What it does
    /// One result per policy attached to the cluster role (`cluster.roleArn`): PASS for
    /// `AmazonEKSClusterPolicy`, `AmazonEKSVPCResourceController` (security groups for pods), the Auto
    /// Mode policies (`AmazonEKSComputePolicy`, `AmazonEKSBlockStoragePolicy`,
    /// `AmazonEKSLoadBalancingPolicy`, `AmazonEKSNetworkingPolicy`) and the legacy
    /// `AmazonEKSServicePolicy`; FAIL otherwise.
    ///
    /// ## Why it matters
    /// EKS assumes the cluster role to manage AWS resources for the cluster; extra permissions on it
    /// serve no purpose and widen what the service (or a confused deputy) can do.
    ///
    /// ## How to fix
    /// Detach the extra policies; use a dedicated role per cluster.
    ///
    /// ## References
    /// - EKS documentation: Amazon EKS cluster IAM role
    pub static META = CheckMeta {
        id: "EKS-IAM-014",
        name: "cluster-role-broad",
        title: "Cluster IAM role has policies beyond what EKS needs",
        severity: Severity::Medium,
        level: Level::Cluster,
        control: SeedControl::WorkloadIdentity,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Keep only EKS cluster policies on the cluster role.",
    };
}

const CLUSTER_POLICIES: [&str; 7] = [
    "AmazonEKSClusterPolicy",
    "AmazonEKSVPCResourceController",
    "AmazonEKSComputePolicy",
    "AmazonEKSBlockStoragePolicy",
    "AmazonEKSLoadBalancingPolicy",
    "AmazonEKSNetworkingPolicy",
    "AmazonEKSServicePolicy",
];

pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    with_cluster(snapshot, |cluster, cluster_resource| {
        let Some(arn) = cluster.role_arn.clone() else {
            return vec![result(
                cluster_resource,
                Status::Unknown,
                "/cluster",
                "describe-cluster has no roleArn",
            )];
        };
        let (_, key) = role_keys(&arn);
        let resource = role_resource(&arn);
        with_document::<AttachedRolePolicies>(snapshot, &key, &resource, |attached| {
            attached
                .attached_policies
                .iter()
                .enumerate()
                .map(|(index, policy)| {
                    let name = policy.policy_name.as_deref().unwrap_or("?");
                    let pointer = format!("/AttachedPolicies/{index}");
                    if CLUSTER_POLICIES.contains(&name) {
                        result(
                            &resource,
                            Status::Pass,
                            &pointer,
                            format!("{name} is a cluster policy"),
                        )
                    } else {
                        result(
                            &resource,
                            Status::Fail,
                            &pointer,
                            format!("{name} is not needed by the EKS cluster role"),
                        )
                    }
                })
                .collect()
        })
    })
}
