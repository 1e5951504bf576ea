//! GuardDuty finding type `Persistence:Kubernetes/ContainerWithSensitiveMount`.

use crate::detectors::falco::SENSITIVE_PATHS;
use crate::engine::{Config, State};
use crate::event::EventView;

detector! {
    /// Mirrors the GuardDuty EKS audit-log finding type `Persistence:Kubernetes/ContainerWithSensitiveMount`.
    ///
    /// ## What it does
    ///
    /// Reports a successful pod or workload create where a container mounts a sensitive host path
    /// (`/`, `/etc`, `/proc`, `/root`, `/var/lib/kubelet`, the container runtime sockets, …) with
    /// write access (no `readOnly: true` on the mount). GuardDuty has retired this type in favour
    /// of an anomaly-based one; the rule remains a useful signal.
    ///
    /// ## Why it matters
    ///
    /// A writable mount of the host's configuration or runtime socket lets the container plant
    /// persistence on the node or start containers outside Kubernetes.
    ///
    /// ## How to fix
    ///
    /// Remove the hostPath volume, or mount it read-only if the workload only reads it.
    ///
    /// ## References
    ///
    /// - Amazon GuardDuty User Guide, "EKS audit log finding types": https://docs.aws.amazon.com/guardduty/latest/ug/guardduty-finding-types-eks-audit-logs.html
    /// - Amazon GuardDuty User Guide, "Remediating EKS Protection findings": https://docs.aws.amazon.com/guardduty/latest/ug/guardduty-remediate-kubernetes.html
    pub static DETECTOR = {
        id: "EKS-GDAUDIT-007",
        name: "gd-container-with-sensitive-mount",
        title: "Persistence:Kubernetes/ContainerWithSensitiveMount",
        severity: Medium,
        family: GuardDuty,
        remediation: "Remove the hostPath volume, or mount it read-only if the workload only reads it.",
        run: Audit(run),
    };
}

fn run(_state: &mut State, _config: &Config, view: &EventView<'_, '_>) -> Option<String> {
    let event = view.event;
    if !(event.complete() && event.verb == "create" && event.successful()) {
        return None;
    }
    let spec = view.workload_spec()?;
    let sensitive: Vec<&str> = spec
        .volumes
        .iter()
        .filter(|v| {
            v.host_path
                .as_ref()
                .is_some_and(|p| SENSITIVE_PATHS.contains(&&*p.path))
        })
        .map(|v| &*v.name)
        .collect();
    spec.all_containers()
        .flat_map(|c| c.volume_mounts.iter().map(move |m| (c, m)))
        .find(|(_, m)| !m.read_only && sensitive.contains(&&*m.name))
        .map(|(c, m)| {
            format!(
                "container {} mounts sensitive host path volume {} writable at {}",
                c.name, m.name, m.mount_path
            )
        })
}
