use garrison_core::{Level, Object, SeedControl, Severity, Workload};

use crate::checks::lazy_containers;
use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// Reports volume mounts with `mountPropagation: Bidirectional`.
    ///
    /// ## Why it matters
    /// With bidirectional propagation, mounts the container makes under the volume appear on the
    /// node and in every other pod that mounts the same host directory. A process in the
    /// container can mount over node paths the kubelet or other pods rely on, and the mounts
    /// outlive the pod when it is not cleaned up. Kubernetes allows it only for privileged
    /// containers for this reason.
    ///
    /// ## How to fix
    /// Remove `mountPropagation` (the default is `None`) or use `HostToContainer`, which lets the
    /// container see the node's mounts without publishing its own. Only CSI node plugins need
    /// `Bidirectional`.
    ///
    /// ## References
    /// - Kubernetes documentation: Volumes, mount propagation
    pub static META = CheckMeta {
        id: "EKS-PSS-034",
        name: "mount-propagation-bidirectional",
        title: "Volume mount propagates mounts back to the node",
        severity: Severity::High,
        level: Level::Application,
        control: SeedControl::PodSecurity,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Remove mountPropagation: Bidirectional (use HostToContainer if needed).",
    };
}

pub fn evaluate(_: &Context<'_>, workload: &Workload, _: &Object) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    for container in lazy_containers(workload) {
        for (index, mount) in container.volume_mounts.iter().enumerate() {
            if mount.mount_propagation.as_deref() == Some("Bidirectional") {
                outcomes.push(Outcome::fail(
                    container.field(workload, &format!("volumeMounts/{index}/mountPropagation")),
                    format!(
                        "{} mounts volume \"{}\" at {} with Bidirectional propagation",
                        container.describe(),
                        mount.name,
                        mount.mount_path
                    ),
                ));
            }
        }
    }
    outcomes
}
