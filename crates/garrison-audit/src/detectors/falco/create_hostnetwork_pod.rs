//! Falco rule "Create HostNetwork Pod".

use super::plain_pod;
use crate::engine::{Config, State};
use crate::event::EventView;

detector! {
    /// Mirrors the Falco k8saudit rule "Create HostNetwork Pod".
    ///
    /// ## What it does
    ///
    /// Reports pod creations with `hostNetwork: true`, unless every container's image is on the
    /// `host_network_images` allow-list.
    ///
    /// ## Why it matters
    ///
    /// A pod on the host network sees the node's interfaces, reaches services bound to localhost
    /// and the instance metadata service, and bypasses NetworkPolicies.
    ///
    /// ## How to fix
    ///
    /// Remove `hostNetwork` from the pod spec; trusted infrastructure images go on
    /// `trusted_images`.
    ///
    /// ## References
    ///
    /// - Falco k8saudit rules, `plugins/k8saudit/rules/k8s_audit_rules.yaml` (falcosecurity/plugins), rule "Create HostNetwork Pod".
    /// - Kubernetes documentation, Auditing: https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/
    pub static DETECTOR = {
        id: "EKS-FALCO-005",
        name: "falco-hostnetwork-pod",
        title: "Create HostNetwork Pod",
        severity: Medium,
        family: Falco,
        remediation: "Remove `hostNetwork` from the pod spec.",
        run: Audit(run),
    };
}

fn run(_state: &mut State, config: &Config, view: &EventView<'_, '_>) -> Option<String> {
    let event = view.event;
    if !(event.complete() && plain_pod(event) && event.verb == "create") {
        return None;
    }
    let spec = view.pod_spec()?;
    (spec.host_network && !spec.all_images_in(&config.host_network_images))
        .then(|| "pod with hostNetwork: true".to_string())
}
