use garrison_core::{Level, Object, SeedControl, Severity, Workload};

use crate::checks::lazy_containers;
use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// Reports pods that give their processes or volumes the root group (GID 0): `runAsGroup: 0`
    /// in the pod's or a container's `securityContext`, `fsGroup: 0`, or 0 in
    /// `supplementalGroups`.
    ///
    /// ## Why it matters
    /// Many files on the node and in images are group-owned by root and group-writable (device
    /// nodes, runtime sockets, configuration directories). A process in group 0 can write them
    /// once it reaches them through a volume or an escape, and `fsGroup: 0` makes every file on
    /// the pod's volumes root-group owned. It defeats much of what `runAsNonRoot` achieves.
    ///
    /// ## How to fix
    /// Set `runAsGroup` and `fsGroup` to a non-zero GID (the image's application group) and
    /// remove 0 from `supplementalGroups`.
    ///
    /// ## References
    /// - Kubernetes documentation: Configure a Security Context for a Pod or Container
    /// - EKS Best Practices Guide, Pod Security: run the application as a non-root user
    pub static META = CheckMeta {
        id: "EKS-PSS-032",
        name: "runs-as-root-group",
        title: "Pod runs with the root group",
        severity: Severity::Low,
        level: Level::Application,
        control: SeedControl::PodSecurity,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Set runAsGroup and fsGroup to a non-zero GID and drop 0 from supplementalGroups.",
    };
}

pub fn evaluate(_: &Context<'_>, workload: &Workload, _: &Object) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    if let Some(pod) = &workload.spec.security_context {
        if pod.run_as_group == Some(0) {
            outcomes.push(Outcome::fail(
                workload.pointer("securityContext/runAsGroup"),
                "the pod runs its processes with runAsGroup 0 (root)",
            ));
        }
        if pod.fs_group == Some(0) {
            outcomes.push(Outcome::fail(
                workload.pointer("securityContext/fsGroup"),
                "fsGroup 0 makes the pod's volumes owned by the root group",
            ));
        }
        if let Some(index) = pod
            .supplemental_groups
            .iter()
            .flatten()
            .position(|group| *group == 0)
        {
            outcomes.push(Outcome::fail(
                workload.pointer(&format!("securityContext/supplementalGroups/{index}")),
                "supplementalGroups adds the root group (0) to every process",
            ));
        }
    }
    for container in lazy_containers(workload) {
        if container.security_context.and_then(|c| c.run_as_group) == Some(0) {
            outcomes.push(Outcome::fail(
                container.field(workload, "securityContext/runAsGroup"),
                format!("{} runs with runAsGroup 0 (root)", container.describe()),
            ));
        }
    }
    outcomes
}
