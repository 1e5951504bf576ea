use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// Joins the Kubernetes objects with the enforcement state of EKS-NP-001: one result per
    /// namespace that has NetworkPolicies, FAIL when no engine enforces them (naming the policies and
    /// the evidence), PASS when one does.
    ///
    /// ## Why it matters
    /// This is false assurance: reviewers and auditors see default-deny policies that the data plane
    /// ignores, so every pod can reach every other.
    ///
    /// ## How to fix
    /// Enable an enforcement engine (see EKS-NP-001), then verify with a test pod that denied
    /// traffic is dropped.
    ///
    /// ## References
    /// - EKS documentation: Limit pod traffic with Kubernetes network policies
    /// - EKS Best Practices Guide, Security: Network security
    pub static META = CheckMeta {
        id: "EKS-NP-006",
        name: "network-policies-not-enforced",
        title: "NetworkPolicies exist but nothing enforces them",
        severity: Severity::High,
        level: Level::Infrastructure,
        control: SeedControl::NetworkPolicies,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Enable network policy enforcement where NetworkPolicies exist.",
    };
}

pub fn evaluate(context: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    // Namespace → (file of its first policy, policy names).
    let mut by_namespace: std::collections::BTreeMap<String, (String, Vec<String>)> =
        Default::default();
    for policy in context
        .inventory
        .objects
        .iter()
        .filter(|o| o.kind == "NetworkPolicy")
    {
        by_namespace
            .entry(policy.namespace.clone().unwrap_or_default())
            .or_insert_with(|| (policy.origin.file.name.to_string(), Vec::new()))
            .1
            .push(policy.name.clone());
    }
    if by_namespace.is_empty() {
        return Vec::new();
    }
    let enforcement = network_policy_enforcement(context, snapshot);
    by_namespace
        .into_iter()
        .map(|(namespace, (file, names))| {
            let resource = crate::engine::Resource::new("Namespace", namespace.clone(), file);
            match &enforcement {
                Ok((true, evidence)) => result(
                    &resource,
                    Status::Pass,
                    "",
                    format!("{} policies enforced: {evidence}", names.len()),
                ),
                Ok((false, evidence)) => result(
                    &resource,
                    Status::Fail,
                    "",
                    format!("policies {} are not enforced: {evidence}", names.join(", ")),
                ),
                Err(reason) => ResourceOutcome::new(
                    &resource,
                    crate::engine::Outcome::with_status(Status::Unknown, None, reason.clone()),
                ),
            }
        })
        .collect()
}
