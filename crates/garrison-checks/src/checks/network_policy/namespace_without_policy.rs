use garrison_core::{Level, Object, SeedControl, Severity};

use crate::checks::tenancy::{namespace_index, workloads};
use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// Reports namespaces that hold workloads but no NetworkPolicy at all. Namespaces without
    /// workloads, and the EKS-managed ones (`kube-system` and the like; see the `[eks-managed]`
    /// allow-list), are not judged. Whether the policies restrict enough is the business of
    /// EKS-NP-003 (default deny) and EKS-NP-009 (workloads open to everyone).
    ///
    /// ## Why it matters
    /// A namespace without policies leaves every pod in it open to every pod of the cluster and
    /// free to connect anywhere: one compromised pod anywhere reaches all of them.
    ///
    /// ## How to fix
    /// Add a default-deny NetworkPolicy (`podSelector: {}`, `policyTypes: [Ingress, Egress]`) and
    /// the policies that allow each workload's traffic.
    ///
    /// ## References
    /// - CIS Amazon EKS Benchmark v1.8.0, 4.3.2: ensure that all Namespaces have Network Policies defined
    /// - Kubernetes documentation: Network Policies
    pub static META = CheckMeta {
        id: "EKS-NP-002",
        name: "namespace-without-network-policy",
        title: "Namespace has no NetworkPolicy",
        severity: Severity::Medium,
        level: Level::Infrastructure,
        control: SeedControl::NetworkPolicies,
        cis: Some("4.3.2"),
        security_hub: None,
        pss: None,
        remediation: "Add a default-deny NetworkPolicy and allow policies to the namespace.",
    };
}

pub fn evaluate(context: &Context<'_>, object: &Object) -> Option<Vec<Outcome>> {
    if context.config.is_managed_namespace(Some(&object.name)) {
        return None;
    }
    let usage = namespace_index(context)
        .get(&object.name)
        .copied()
        .unwrap_or_default();
    if usage.workloads == 0 {
        return None;
    }
    if usage.network_policies > 0 {
        return Some(Vec::new());
    }
    Some(vec![Outcome::fail(
        "/metadata/name",
        format!(
            "namespace {} holds {} and no NetworkPolicy",
            object.name,
            workloads(usage.workloads)
        ),
    )])
}
