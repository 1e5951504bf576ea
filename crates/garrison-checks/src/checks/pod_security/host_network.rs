use garrison_core::{Level, Object, SeedControl, Severity, Workload};

use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// Reports workloads whose pod spec sets `hostNetwork: true`.
    ///
    /// ## Why it matters
    /// A pod on the node's network bypasses NetworkPolicies and security groups for pods, can
    /// sniff the node's traffic and, on EKS, reaches the instance metadata service without the hop
    /// limit that keeps ordinary pods away from the node's IAM role credentials.
    ///
    /// ## How to fix
    /// Remove `hostNetwork` from the pod spec (it defaults to false). If a node agent truly needs it,
    /// run it as an EKS add-on or in a platform namespace, and record the exception with a
    /// `garrison.dev/ignore` annotation that says why.
    ///
    /// ## References
    /// - Pod Security Standards, baseline: Host Namespaces
    /// - CIS Amazon EKS Benchmark 4.2.4
    pub static META = CheckMeta {
        id: "EKS-PSS-006",
        name: "host-network",
        title: "Pod uses the host network",
        severity: Severity::High,
        level: Level::Application,
        control: SeedControl::PodSecurity,
        cis: Some("4.2.4"),
        security_hub: None,
        pss: Some("host-namespaces"),
        remediation: "Remove hostNetwork from the pod spec.",
    };
}

pub fn evaluate(_: &Context<'_>, workload: &Workload, _: &Object) -> Vec<Outcome> {
    if workload.spec.host_network == Some(true) {
        return vec![Outcome::fail(
            workload.pointer("hostNetwork"),
            "the pod shares the node's network namespace (hostNetwork: true)",
        )];
    }
    Vec::new()
}
