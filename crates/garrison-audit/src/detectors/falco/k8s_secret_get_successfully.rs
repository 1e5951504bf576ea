//! Falco rule "K8s Secret Get Successfully".

use crate::engine::{Config, State};
use crate::event::EventView;

detector! {
    /// Mirrors the Falco k8saudit rule "K8s Secret Get Successfully".
    ///
    /// ## What it does
    ///
    /// Reports each successful `get` of a Secret (activity stream; off with `activity_events =
    /// false`).
    ///
    /// ## Why it matters
    ///
    /// Reading a Secret hands over the credential in it; a get by a person rather than a controller
    /// is worth knowing about.
    ///
    /// ## How to fix
    ///
    /// Check that the reader should hold the secret; narrow `get secrets` in RBAC to named
    /// resources.
    ///
    /// ## References
    ///
    /// - Falco k8saudit rules, `plugins/k8saudit/rules/k8s_audit_rules.yaml` (falcosecurity/plugins), rule "K8s Secret Get Successfully".
    /// - Kubernetes documentation, Auditing: https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/
    pub static DETECTOR = {
        id: "EKS-FALCO-042",
        name: "falco-secret-get",
        title: "K8s Secret Get Successfully",
        severity: High,
        family: Falco,
        remediation: "Check that the reader should hold the secret.",
        run: Audit(run),
    };
}

fn run(_state: &mut State, config: &Config, view: &EventView<'_, '_>) -> Option<String> {
    let event = view.event;
    (config.activity_events
        && event.complete()
        && event.resource() == "secrets"
        && event.verb == "get"
        && event.successful())
    .then(|| format!("secret {} read", event.name()))
}
