//! Falco rule "K8s Service Deleted".

use crate::engine::{Config, State};
use crate::event::EventView;

detector! {
    /// Mirrors the Falco k8saudit rule "K8s Service Deleted".
    ///
    /// ## What it does
    ///
    /// Activity stream: reports each successful delete of a Service. Off with `activity_events =
    /// false`.
    ///
    /// ## Why it matters
    ///
    /// A record of who deleted which Service and when is what an investigation starts from; it is
    /// informational, not a problem by itself.
    ///
    /// ## How to fix
    ///
    /// Nothing to fix; turn the activity stream off with `activity_events = false` if it is noise.
    ///
    /// ## References
    ///
    /// - Falco k8saudit rules, `plugins/k8saudit/rules/k8s_audit_rules.yaml` (falcosecurity/plugins), rule "K8s Service Deleted".
    /// - Kubernetes documentation, Auditing: https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/
    pub static DETECTOR = {
        id: "EKS-FALCO-025",
        name: "falco-service-deleted",
        title: "K8s Service Deleted",
        severity: Info,
        family: Falco,
        remediation: "Nothing to fix.",
        run: Audit(run),
    };
}

fn run(_state: &mut State, config: &Config, view: &EventView<'_, '_>) -> Option<String> {
    let event = view.event;
    (config.activity_events
        && event.complete()
        && event.verb == "delete"
        && event.resource() == "services"
        && event.successful())
    .then(|| format!("Service {} deleted", event.name()))
}
