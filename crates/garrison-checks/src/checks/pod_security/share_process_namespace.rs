use garrison_core::{Level, Object, SeedControl, Severity, Workload};

use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// Reports pods with `shareProcessNamespace: true`, where all containers of the pod share
    /// one process namespace.
    ///
    /// ## Why it matters
    /// With a shared process namespace every container sees the others' processes and, through
    /// `/proc/<pid>/root` and `/proc/<pid>/environ`, their filesystems and environment
    /// variables, secrets included. A compromised sidecar (a log shipper, a proxy) then reads the
    /// application's credentials, and can signal or trace its processes.
    ///
    /// ## How to fix
    /// Remove `shareProcessNamespace` and share data between containers through a volume; use an
    /// ephemeral debug container (`kubectl debug --target`) for troubleshooting instead.
    ///
    /// ## References
    /// - Kubernetes documentation: Share Process Namespace between Containers in a Pod
    pub static META = CheckMeta {
        id: "EKS-PSS-030",
        name: "share-process-namespace",
        title: "Containers of the pod share a process namespace",
        severity: Severity::Medium,
        level: Level::Application,
        control: SeedControl::PodSecurity,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Remove shareProcessNamespace: true from the pod spec.",
    };
}

pub fn evaluate(_: &Context<'_>, workload: &Workload, _: &Object) -> Vec<Outcome> {
    if workload.spec.share_process_namespace != Some(true) {
        return Vec::new();
    }
    let containers =
        workload.spec.containers.len() + workload.spec.init_containers.iter().flatten().count();
    vec![Outcome::fail(
        workload.pointer("shareProcessNamespace"),
        format!(
            "shareProcessNamespace is true: the pod's {containers} containers see each other's processes, files and environment"
        ),
    )]
}
