//! Falco rule "K8s Secret Get Unsuccessfully Tried".

use crate::engine::{Config, State};
use crate::event::EventView;

detector! {
    /// Mirrors the Falco k8saudit rule "K8s Secret Get Unsuccessfully Tried".
    ///
    /// ## What it does
    ///
    /// Reports each failed `get` of a Secret (activity stream; off with `activity_events = false`).
    ///
    /// ## Why it matters
    ///
    /// Failed reads of secrets are what credential hunting looks like from the API server.
    ///
    /// ## How to fix
    ///
    /// Find out who tried and why; if the identity is compromised, revoke it.
    ///
    /// ## References
    ///
    /// - Falco k8saudit rules, `plugins/k8saudit/rules/k8s_audit_rules.yaml` (falcosecurity/plugins), rule "K8s Secret Get Unsuccessfully Tried".
    /// - Kubernetes documentation, Auditing: https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/
    pub static DETECTOR = {
        id: "EKS-FALCO-043",
        name: "falco-secret-get-failed",
        title: "K8s Secret Get Unsuccessfully Tried",
        severity: Medium,
        family: Falco,
        remediation: "Find out who tried and why.",
        run: Audit(run),
    };
}

fn run(_state: &mut State, config: &Config, view: &EventView<'_, '_>) -> Option<String> {
    let event = view.event;
    (config.activity_events
        && event.complete()
        && event.resource() == "secrets"
        && event.verb == "get"
        && !event.successful())
    .then(|| format!("failed read of secret {}", event.name()))
}
