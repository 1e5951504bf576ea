use garrison_core::{Level, Object, SeedControl, Severity, Workload};

use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// Reports workloads whose pod spec sets `hostPID: true`.
    ///
    /// ## Why it matters
    /// With the node's process namespace a container sees every process on the node, can read
    /// their environment (credentials included) through `/proc`, and, with ptrace, inject code.
    ///
    /// ## How to fix
    /// Remove `hostPID` from the pod spec (it defaults to false). If a node agent truly needs it,
    /// run it as an EKS add-on or in a platform namespace, and record the exception with a
    /// `garrison.dev/ignore` annotation that says why.
    ///
    /// ## References
    /// - Pod Security Standards, baseline: Host Namespaces
    /// - CIS Amazon EKS Benchmark 4.2.2
    pub static META = CheckMeta {
        id: "EKS-PSS-004",
        name: "host-pid-namespace",
        title: "Pod shares the host PID namespace",
        severity: Severity::High,
        level: Level::Application,
        control: SeedControl::PodSecurity,
        cis: Some("4.2.2"),
        security_hub: None,
        pss: Some("host-namespaces"),
        remediation: "Remove hostPID from the pod spec.",
    };
}

pub fn evaluate(_: &Context<'_>, workload: &Workload, _: &Object) -> Vec<Outcome> {
    if workload.spec.host_pid == Some(true) {
        return vec![Outcome::fail(
            workload.pointer("hostPID"),
            "the pod shares the node's process namespace (hostPID: true)",
        )];
    }
    Vec::new()
}
