use garrison_core::{Level, Object, SeedControl, Severity, Workload};

use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// Reports `emptyDir` volumes without a `sizeLimit` in pods where no container has an
    /// `ephemeral-storage` limit either. A memory-backed `emptyDir` (`medium: Memory`) without a
    /// size limit is reported whatever the containers' limits.
    ///
    /// ## Why it matters
    /// An unbounded `emptyDir` lives on the node's root volume (or in its memory): one pod that
    /// writes without bound fills the disk the kubelet, the runtime and every other pod on the
    /// node use, and the kubelet starts evicting pods that did nothing wrong. A memory-backed one
    /// counts against the node's memory instead.
    ///
    /// ## How to fix
    /// Set `emptyDir.sizeLimit` (the kubelet evicts the pod when it is exceeded), or set
    /// `resources.limits.ephemeral-storage` on the containers.
    ///
    /// ## References
    /// - Kubernetes documentation: Local ephemeral storage
    /// - EKS Best Practices Guide, Reliability: set resource limits
    pub static META = CheckMeta {
        id: "EKS-PSS-036",
        name: "empty-dir-without-size-limit",
        title: "emptyDir volume without a size limit",
        severity: Severity::Low,
        level: Level::Application,
        control: SeedControl::PodSecurity,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Set emptyDir.sizeLimit or an ephemeral-storage limit on the containers.",
    };
}

pub fn evaluate(_: &Context<'_>, workload: &Workload, _: &Object) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    let mut storage_limited = None;
    for (index, volume) in workload.spec.volumes.iter().flatten().enumerate() {
        let Some(empty_dir) = &volume.empty_dir else {
            continue;
        };
        if empty_dir.size_limit.is_some() {
            continue;
        }
        let in_memory = empty_dir.medium.as_deref() == Some("Memory");
        let limited = *storage_limited.get_or_insert_with(|| {
            workload.containers().any(|container| {
                container
                    .resources
                    .and_then(|resources| resources.limits.as_ref())
                    .is_some_and(|limits| limits.contains_key("ephemeral-storage"))
            })
        });
        if in_memory || !limited {
            outcomes.push(Outcome::fail(
                workload.pointer(&format!("volumes/{index}/emptyDir")),
                format!(
                    "{} emptyDir volume \"{}\" has no sizeLimit",
                    if in_memory {
                        "memory-backed"
                    } else {
                        "disk-backed"
                    },
                    volume.name
                ),
            ));
        }
    }
    outcomes
}
