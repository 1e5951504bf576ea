//! Falco rule "Create HostIPC Pod".

use super::plain_pod;
use crate::engine::{Config, State};
use crate::event::EventView;

detector! {
    /// Mirrors the Falco k8saudit rule "Create HostIPC Pod".
    ///
    /// ## What it does
    ///
    /// Reports pod creations with `hostIPC: true`, unless every container's image is on the
    /// `host_ipc_images` allow-list.
    ///
    /// ## Why it matters
    ///
    /// A pod in the host IPC namespace reads and writes the shared memory of every process of the
    /// node.
    ///
    /// ## How to fix
    ///
    /// Remove `hostIPC` from the pod spec; trusted infrastructure images go on `trusted_images`.
    ///
    /// ## References
    ///
    /// - Falco k8saudit rules, `plugins/k8saudit/rules/k8s_audit_rules.yaml` (falcosecurity/plugins), rule "Create HostIPC Pod".
    /// - Kubernetes documentation, Auditing: https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/
    pub static DETECTOR = {
        id: "EKS-FALCO-007",
        name: "falco-hostipc-pod",
        title: "Create HostIPC Pod",
        severity: Medium,
        family: Falco,
        remediation: "Remove `hostIPC` from the pod spec.",
        run: Audit(run),
    };
}

fn run(_state: &mut State, config: &Config, view: &EventView<'_, '_>) -> Option<String> {
    let event = view.event;
    if !(event.complete() && plain_pod(event) && event.verb == "create") {
        return None;
    }
    let spec = view.pod_spec()?;
    (spec.host_ipc && !spec.all_images_in(&config.host_ipc_images))
        .then(|| "pod with hostIPC: true".to_string())
}
