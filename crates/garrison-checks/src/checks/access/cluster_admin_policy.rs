use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// One result per standard access entry: FAIL when it is associated with
    /// `AmazonEKSClusterAdminPolicy` at cluster scope, PASS otherwise. Node entries (EC2_LINUX,
    /// EC2_WINDOWS, FARGATE_LINUX, HYBRID_LINUX) are skipped: they are not people. An entry whose
    /// policies could not be read is UNKNOWN.
    ///
    /// ## Why it matters
    /// `AmazonEKSClusterAdminPolicy` is the access-entry form of `cluster-admin`: full control of every
    /// object in the cluster, including Secrets and RBAC. Each principal that holds it is a path to the
    /// whole cluster and should be a deliberate, reviewed break-glass role.
    ///
    /// ## How to fix
    /// Keep cluster-scoped cluster-admin to one or two break-glass roles; give everyone else
    /// `AmazonEKSAdminPolicy`/`EditPolicy`/`ViewPolicy` scoped to namespaces, or RBAC groups.
    ///
    /// ## References
    /// - EKS documentation: Associate access policies with access entries
    /// - EKS Best Practices Guide, Security: Identity and Access Management
    pub static META = CheckMeta {
        id: "EKS-CAM-004",
        name: "cluster-admin-access-policy",
        title: "Access entry holds cluster-scoped AmazonEKSClusterAdminPolicy",
        severity: Severity::High,
        level: Level::Cluster,
        control: SeedControl::ClusterAccessManagement,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Limit cluster-scoped AmazonEKSClusterAdminPolicy to break-glass roles.",
    };
}

pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    let mut results = Vec::new();
    let Some(entries) = access_entries(snapshot, &mut results) else {
        return vec![unknown(
            &cluster_resource(snapshot, None),
            "eks/access-entries/",
            &garrison_core::snapshot::Missing::NotCollected,
        )];
    };
    for entry in entries.iter().filter(|entry| !entry.entry.is_node()) {
        if let Some(missing) = &entry.policies_missing {
            results.push(unknown(
                &entry.resource,
                "eks/access-entries/<principal>.policies.json",
                missing,
            ));
            continue;
        }
        let admin = entry.policies.iter().enumerate().find(|(_, policy)| {
            policy_name(policy.policy_arn.as_deref()) == "AmazonEKSClusterAdminPolicy"
                && policy
                    .access_scope
                    .as_ref()
                    .and_then(|scope| scope.scope_type.as_deref())
                    == Some("cluster")
        });
        results.push(match admin {
            Some((index, _)) => result(&entry.resource, Status::Fail, &format!("/associatedAccessPolicies/{index}"), "AmazonEKSClusterAdminPolicy is associated at cluster scope: full control of the cluster"),
            None => result(&entry.resource, Status::Pass, "/associatedAccessPolicies", "no cluster-scoped AmazonEKSClusterAdminPolicy"),
        });
    }
    results
}
