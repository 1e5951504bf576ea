//! Falco rule "All K8s Audit Events".

use crate::engine::{Config, State};
use crate::event::EventView;

detector! {
    /// Mirrors the Falco k8saudit rule "All K8s Audit Events".
    ///
    /// ## What it does
    ///
    /// Reports every completed request. Off unless `all_events = true`, as in Falco.
    ///
    /// ## Why it matters
    ///
    /// Useful to check that events arrive and parse; far too noisy to leave on.
    ///
    /// ## How to fix
    ///
    /// Nothing to fix; turn it off.
    ///
    /// ## References
    ///
    /// - Falco k8saudit rules, `plugins/k8saudit/rules/k8s_audit_rules.yaml` (falcosecurity/plugins), rule "All K8s Audit Events".
    /// - Kubernetes documentation, Auditing: https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/
    pub static DETECTOR = {
        id: "EKS-FALCO-044",
        name: "falco-all-events",
        title: "All K8s Audit Events",
        severity: Info,
        family: Falco,
        remediation: "Nothing to fix.",
        run: Audit(run),
    };
}

fn run(_state: &mut State, config: &Config, view: &EventView<'_, '_>) -> Option<String> {
    let event = view.event;
    (config.all_events && event.complete()).then(|| format!("{} {}", event.verb, event.request_uri))
}
