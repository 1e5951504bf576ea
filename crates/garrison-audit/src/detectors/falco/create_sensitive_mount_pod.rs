//! Falco rule "Create Sensitive Mount Pod".

use super::{SENSITIVE_PATHS, plain_pod};
use crate::engine::{Config, State};
use crate::event::EventView;

detector! {
    /// Mirrors the Falco k8saudit rule "Create Sensitive Mount Pod".
    ///
    /// ## What it does
    ///
    /// Reports pod creations with a hostPath volume of a sensitive host directory (`/proc`, `/`,
    /// `/etc`, `/root`, the Docker, CRI-O and containerd sockets, `/var/lib/kubelet`,
    /// `/etc/kubernetes`, …), unless every container's image is on the sensitive-mount allow-list.
    ///
    /// ## Why it matters
    ///
    /// These paths hold the node's credentials, its container runtime and its configuration; a pod
    /// that mounts them can take over the node.
    ///
    /// ## How to fix
    ///
    /// Use a projected volume, a CSI driver or a ConfigMap instead of the host path; trusted agents
    /// go on `trusted_images`.
    ///
    /// ## References
    ///
    /// - Falco k8saudit rules, `plugins/k8saudit/rules/k8s_audit_rules.yaml` (falcosecurity/plugins), rule "Create Sensitive Mount Pod".
    /// - Kubernetes documentation, Auditing: https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/
    pub static DETECTOR = {
        id: "EKS-FALCO-004",
        name: "falco-sensitive-mount-pod",
        title: "Create Sensitive Mount Pod",
        severity: Medium,
        family: Falco,
        remediation: "Use a projected volume, a CSI driver or a ConfigMap instead of the host path.",
        run: Audit(run),
    };
}

fn run(_state: &mut State, config: &Config, view: &EventView<'_, '_>) -> Option<String> {
    let event = view.event;
    if !(event.complete() && plain_pod(event) && event.verb == "create") {
        return None;
    }
    let spec = view.pod_spec()?;
    let paths: Vec<&str> = spec
        .host_paths()
        .filter(|p| SENSITIVE_PATHS.contains(p))
        .collect();
    (!paths.is_empty() && !spec.all_images_in(&config.sensitive_mount_images))
        .then(|| format!("pod mounting sensitive host paths {paths:?}"))
}
