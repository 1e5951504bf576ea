use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// Reads `accessConfig.bootstrapClusterCreatorAdminPermissions`. When it is true, the creator's
    /// access entry was given `AmazonEKSClusterAdminPolicy` at creation: the check fails unless the
    /// snapshot's access entries show that no standard entry holds that policy any more besides
    /// principals the user chose deliberately (which the check cannot tell apart, so it fails).
    ///
    /// ## Why it matters
    /// The principal that created the cluster (often a CI role or a person's SSO role) becomes a
    /// cluster administrator that nobody granted on purpose, and that access is easy to forget.
    ///
    /// ## How to fix
    /// Create clusters with `bootstrapClusterCreatorAdminPermissions=false` and grant
    /// administrators explicitly, or disassociate `AmazonEKSClusterAdminPolicy` from the creator's
    /// access entry.
    ///
    /// ## References
    /// - EKS Best Practices Guide, Security: Identity and Access Management (remove cluster-admin permissions from the cluster creator)
    /// - EKS documentation: Grant IAM users access to Kubernetes with EKS access entries
    pub static META = CheckMeta {
        id: "EKS-CAM-003",
        name: "creator-admin-retained",
        title: "Cluster creator keeps permanent cluster-admin",
        severity: Severity::Medium,
        level: Level::Cluster,
        control: SeedControl::ClusterAccessManagement,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Disassociate AmazonEKSClusterAdminPolicy from the creator; create clusters with bootstrapClusterCreatorAdminPermissions=false.",
    };
}

pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    with_cluster(snapshot, |cluster, resource| {
        const POINTER: &str = "/cluster/accessConfig/bootstrapClusterCreatorAdminPermissions";
        let flag = cluster
            .access_config
            .as_ref()
            .and_then(|access| access.bootstrap_cluster_creator_admin_permissions);
        vec![match flag {
            None => result(
                resource,
                Status::Unknown,
                POINTER,
                "describe-cluster does not say whether the creator was made an administrator",
            ),
            Some(true) => result(
                resource,
                Status::Fail,
                POINTER,
                "the cluster creator was granted AmazonEKSClusterAdminPolicy at creation and keeps it until it is disassociated",
            ),
            Some(false) => result(
                resource,
                Status::Pass,
                POINTER,
                "the cluster creator was not made a permanent administrator",
            ),
        }]
    })
}
