use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// Reads `cluster.deletionProtection`: PASS when true, FAIL when false, UNKNOWN when the member
    /// is absent (older API responses), rather than guessing.
    ///
    /// ## Why it matters
    /// A single mistaken `DeleteCluster` call (or a compromised automation role) destroys the control
    /// plane and all its state.
    ///
    /// ## How to fix
    /// `aws eks update-cluster-config --deletion-protection`.
    ///
    /// ## References
    /// - EKS documentation: Protect clusters from accidental deletion
    pub static META = CheckMeta {
        id: "EKS-MGD-009",
        name: "deletion-protection-off",
        title: "Cluster deletion protection is off",
        severity: Severity::Low,
        level: Level::Cluster,
        control: SeedControl::ManagedComponents,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Turn on cluster deletion protection.",
    };
}

pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    with_cluster(snapshot, |cluster, resource| {
        vec![match cluster.deletion_protection {
            Some(true) => result(
                resource,
                Status::Pass,
                "/cluster/deletionProtection",
                "deletion protection is on",
            ),
            Some(false) => result(
                resource,
                Status::Fail,
                "/cluster/deletionProtection",
                "deletion protection is off",
            ),
            None => result(
                resource,
                Status::Unknown,
                "/cluster",
                "describe-cluster has no deletionProtection member (older API response)",
            ),
        }]
    })
}
