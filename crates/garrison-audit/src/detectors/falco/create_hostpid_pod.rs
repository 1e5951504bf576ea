//! Falco rule "Create HostPid Pod".

use super::plain_pod;
use crate::engine::{Config, State};
use crate::event::EventView;

detector! {
    /// Mirrors the Falco k8saudit rule "Create HostPid Pod".
    ///
    /// ## What it does
    ///
    /// Reports pod creations with `hostPID: true`, unless every container's image is on the
    /// `host_pid_images` allow-list.
    ///
    /// ## Why it matters
    ///
    /// A pod in the host PID namespace sees and signals every process of the node, and can read
    /// their environment and memory.
    ///
    /// ## How to fix
    ///
    /// Remove `hostPID` from the pod spec; trusted infrastructure images go on `trusted_images`.
    ///
    /// ## References
    ///
    /// - Falco k8saudit rules, `plugins/k8saudit/rules/k8s_audit_rules.yaml` (falcosecurity/plugins), rule "Create HostPid Pod".
    /// - Kubernetes documentation, Auditing: https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/
    pub static DETECTOR = {
        id: "EKS-FALCO-006",
        name: "falco-hostpid-pod",
        title: "Create HostPid Pod",
        severity: Medium,
        family: Falco,
        remediation: "Remove `hostPID` from the pod spec.",
        run: Audit(run),
    };
}

fn run(_state: &mut State, config: &Config, view: &EventView<'_, '_>) -> Option<String> {
    let event = view.event;
    if !(event.complete() && plain_pod(event) && event.verb == "create") {
        return None;
    }
    let spec = view.pod_spec()?;
    (spec.host_pid && !spec.all_images_in(&config.host_pid_images))
        .then(|| "pod with hostPID: true".to_string())
}
