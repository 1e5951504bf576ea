//! Falco rule "Anonymous Request Allowed".

use super::health_probe;
use crate::engine::{Config, State};
use crate::event::EventView;

detector! {
    /// Mirrors the Falco k8saudit rule "Anonymous Request Allowed".
    ///
    /// ## What it does
    ///
    /// Reports completed requests by `system:anonymous` that the authorizer allowed
    /// (`authorization.k8s.io/decision: allow`), except the `/healthz`, `/livez` and `/readyz`
    /// probes.
    ///
    /// ## Why it matters
    ///
    /// Anonymous access that reaches anything beyond health probes means a binding grants rights to
    /// unauthenticated users (CIS 1.1.1 / 5.1.x).
    ///
    /// ## How to fix
    ///
    /// Remove the bindings that name `system:anonymous` or `system:unauthenticated`; on EKS
    /// anonymous authentication stays on, so bindings are the only guard.
    ///
    /// ## References
    ///
    /// - Falco k8saudit rules, `plugins/k8saudit/rules/k8s_audit_rules.yaml` (falcosecurity/plugins), rule "Anonymous Request Allowed".
    /// - Kubernetes documentation, Auditing: https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/
    pub static DETECTOR = {
        id: "EKS-FALCO-010",
        name: "falco-anonymous-request-allowed",
        title: "Anonymous Request Allowed",
        severity: Medium,
        family: Falco,
        remediation: "Remove the bindings that name `system:anonymous` or `system:unauthenticated`.",
        run: Audit(run),
    };
}

fn run(_state: &mut State, _config: &Config, view: &EventView<'_, '_>) -> Option<String> {
    let event = view.event;
    let decision = event.annotations.decision.as_deref();
    (event.complete()
        && event.username() == "system:anonymous"
        && decision == Some("allow")
        && !health_probe(event.path()))
    .then(|| format!("anonymous {} {} allowed", event.verb, event.path()))
}
