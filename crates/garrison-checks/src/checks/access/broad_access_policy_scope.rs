use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// One result per access-policy association of a standard access entry: FAIL when
    /// `AmazonEKSAdminPolicy` or `AmazonEKSEditPolicy` applies at `cluster` scope, PASS when it is
    /// namespace-scoped or the policy is narrower.
    ///
    /// ## Why it matters
    /// At cluster scope these policies reach every namespace, present and future, including
    /// `kube-system`; most teams need them only in their own namespaces.
    ///
    /// ## How to fix
    /// Re-associate the policy with `--access-scope type=namespace,namespaces=…`.
    ///
    /// ## References
    /// - EKS documentation: Associate access policies with access entries
    /// - EKS Best Practices Guide, Security: Identity and Access Management
    pub static META = CheckMeta {
        id: "EKS-CAM-006",
        name: "broad-access-policy-scope",
        title: "Admin or Edit access policy granted at cluster scope",
        severity: Severity::Medium,
        level: Level::Cluster,
        control: SeedControl::ClusterAccessManagement,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Scope Admin and Edit access policies to namespaces.",
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
            let key = entry
                .resource
                .file
                .trim_start_matches("aws/")
                .replace(".describe.json", ".policies.json");
            results.push(unknown(&entry.resource, &key, missing));
            continue;
        }
        for (index, policy) in entry.policies.iter().enumerate() {
            let name = policy_name(policy.policy_arn.as_deref());
            let scope = policy
                .access_scope
                .as_ref()
                .and_then(|scope| scope.scope_type.as_deref())
                .unwrap_or("?");
            let pointer = format!("/associatedAccessPolicies/{index}/accessScope");
            let broad = matches!(name, "AmazonEKSAdminPolicy" | "AmazonEKSEditPolicy")
                && scope == "cluster";
            results.push(if broad {
                result(
                    &entry.resource,
                    Status::Fail,
                    &pointer,
                    format!("{name} applies to every namespace (cluster scope)"),
                )
            } else {
                result(
                    &entry.resource,
                    Status::Pass,
                    &pointer,
                    format!("{name} at {scope} scope"),
                )
            });
        }
    }
    results
}
