//! Falco rule "ClusterRole With Pod Exec Created".

use crate::engine::{Config, State};
use crate::event::EventView;

detector! {
    /// Mirrors the Falco k8saudit rule "ClusterRole With Pod Exec Created".
    ///
    /// ## What it does
    ///
    /// Reports Role and ClusterRole creations granting the `pods/exec` resource.
    ///
    /// ## Why it matters
    ///
    /// Exec into pods gives their service account tokens and data; it is the usual lateral-movement
    /// step.
    ///
    /// ## How to fix
    ///
    /// Keep `pods/exec` to break-glass roles.
    ///
    /// ## References
    ///
    /// - Falco k8saudit rules, `plugins/k8saudit/rules/k8s_audit_rules.yaml` (falcosecurity/plugins), rule "ClusterRole With Pod Exec Created".
    /// - Kubernetes documentation, Auditing: https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/
    pub static DETECTOR = {
        id: "EKS-FALCO-021",
        name: "falco-role-pod-exec",
        title: "ClusterRole With Pod Exec Created",
        severity: Medium,
        family: Falco,
        remediation: "Keep `pods/exec` to break-glass roles.",
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
        .any(|rule| rule.resources.iter().any(|r| r == "pods/exec"))
        .then(|| "role granting pods/exec".to_string())
}
