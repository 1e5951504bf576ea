//! Falco rule "Create Privileged Pod".

use super::plain_pod;
use crate::engine::{Config, State};
use crate::event::EventView;

detector! {
    /// Mirrors the Falco k8saudit rule "Create Privileged Pod".
    ///
    /// ## What it does
    ///
    /// Reports pod creations where a container, init container or ephemeral container sets
    /// `securityContext.privileged: true`, unless every container's image is on the privileged-image
    /// allow-list.
    ///
    /// ## Why it matters
    ///
    /// A privileged container has every capability and the host's devices: escaping to the node is
    /// one command away.
    ///
    /// ## How to fix
    ///
    /// Remove `privileged: true` and grant only the capabilities the workload needs; trusted
    /// infrastructure images go on `trusted_images`.
    ///
    /// ## References
    ///
    /// - Falco k8saudit rules, `plugins/k8saudit/rules/k8s_audit_rules.yaml` (falcosecurity/plugins), rule "Create Privileged Pod".
    /// - Kubernetes documentation, Auditing: https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/
    pub static DETECTOR = {
        id: "EKS-FALCO-003",
        name: "falco-privileged-pod",
        title: "Create Privileged Pod",
        severity: Medium,
        family: Falco,
        remediation: "Remove `privileged: true` and grant only the capabilities the workload needs.",
        run: Audit(run),
    };
}

fn run(_state: &mut State, config: &Config, view: &EventView<'_, '_>) -> Option<String> {
    let event = view.event;
    if !(event.complete() && plain_pod(event) && event.verb == "create") {
        return None;
    }
    let spec = view.pod_spec()?;
    let privileged: Vec<&str> = spec
        .all_containers()
        .filter(|c| c.privileged())
        .map(|c| &*c.name)
        .collect();
    (!privileged.is_empty() && !spec.all_images_in(&config.privileged_images))
        .then(|| format!("pod with privileged containers {privileged:?}"))
}
