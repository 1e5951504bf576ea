use garrison_core::{Level, Object, SeedControl, Severity, Workload};

use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// Reports workloads whose pod spec sets `hostIPC: true`.
    ///
    /// ## Why it matters
    /// With the node's IPC namespace a container can read and write the shared memory of every
    /// process on the node, which other workloads use to exchange data.
    ///
    /// ## How to fix
    /// Remove `hostIPC` from the pod spec (it defaults to false). If a node agent truly needs it,
    /// run it as an EKS add-on or in a platform namespace, and record the exception with a
    /// `garrison.dev/ignore` annotation that says why.
    ///
    /// ## References
    /// - Pod Security Standards, baseline: Host Namespaces
    /// - CIS Amazon EKS Benchmark 4.2.3
    pub static META = CheckMeta {
        id: "EKS-PSS-005",
        name: "host-ipc-namespace",
        title: "Pod shares the host IPC namespace",
        severity: Severity::High,
        level: Level::Application,
        control: SeedControl::PodSecurity,
        cis: Some("4.2.3"),
        security_hub: None,
        pss: Some("host-namespaces"),
        remediation: "Remove hostIPC from the pod spec.",
    };
}

pub fn evaluate(_: &Context<'_>, workload: &Workload, _: &Object) -> Vec<Outcome> {
    if workload.spec.host_ipc == Some(true) {
        return vec![Outcome::fail(
            workload.pointer("hostIPC"),
            "the pod shares the node's IPC namespace (hostIPC: true)",
        )];
    }
    Vec::new()
}
