//! Falco rule "ClusterRole With Wildcard Created".

use crate::engine::{Config, State};
use crate::event::EventView;

detector! {
    /// Mirrors the Falco k8saudit rule "ClusterRole With Wildcard Created".
    ///
    /// ## What it does
    ///
    /// Reports Role and ClusterRole creations with `*` among a rule's resources or verbs.
    ///
    /// ## Why it matters
    ///
    /// Wildcards grant today's and tomorrow's resources and verbs, including escalate, bind and
    /// impersonate.
    ///
    /// ## How to fix
    ///
    /// List the resources and verbs the role needs.
    ///
    /// ## References
    ///
    /// - Falco k8saudit rules, `plugins/k8saudit/rules/k8s_audit_rules.yaml` (falcosecurity/plugins), rule "ClusterRole With Wildcard Created".
    /// - Kubernetes documentation, Auditing: https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/
    pub static DETECTOR = {
        id: "EKS-FALCO-019",
        name: "falco-role-wildcard",
        title: "ClusterRole With Wildcard Created",
        severity: Medium,
        family: Falco,
        remediation: "List the resources and verbs the role needs.",
        run: Audit(run),
    };
}

fn run(_state: &mut State, _config: &Config, view: &EventView<'_, '_>) -> Option<String> {
    let event = view.event;
    if !(event.complete()
        && matches!(event.resource(), "roles" | "clusterroles")
        && event.verb == "create")
    {
        return None;
    }
    let body = view.body()?;
    body.rules
        .iter()
        .any(|rule| {
            rule.resources
                .iter()
                .chain(&rule.verbs)
                .any(|item| item == "*")
        })
        .then(|| "role with a wildcard resource or verb".to_string())
}
