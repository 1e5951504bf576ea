//! Falco rule "Create Disallowed Namespace".

use super::in_list;
use crate::engine::{Config, State};
use crate::event::EventView;

detector! {
    /// Mirrors the Falco k8saudit rule "Create Disallowed Namespace".
    ///
    /// ## What it does
    ///
    /// Reports namespace creations whose name is not on the allowed-namespace list (by default
    /// `kube-system`, `kube-public`, `default`).
    ///
    /// ## Why it matters
    ///
    /// On clusters where namespaces come from a pipeline, an unexpected namespace is a sign of
    /// someone working around it.
    ///
    /// ## How to fix
    ///
    /// Add the namespace to `allowed_namespaces`, or delete it and find out who created it.
    ///
    /// ## References
    ///
    /// - Falco k8saudit rules, `plugins/k8saudit/rules/k8s_audit_rules.yaml` (falcosecurity/plugins), rule "Create Disallowed Namespace".
    /// - Kubernetes documentation, Auditing: https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/
    pub static DETECTOR = {
        id: "EKS-FALCO-014",
        name: "falco-disallowed-namespace",
        title: "Create Disallowed Namespace",
        severity: Medium,
        family: Falco,
        remediation: "Add the namespace to `allowed_namespaces`, or delete it and find out who created it.",
        run: Audit(run),
    };
}

fn run(_state: &mut State, config: &Config, view: &EventView<'_, '_>) -> Option<String> {
    let event = view.event;
    (event.complete()
        && event.resource() == "namespaces"
        && event.verb == "create"
        && !in_list(&config.allowed_namespaces, event.name()))
    .then(|| format!("namespace {} is not on the allowed list", event.name()))
}
