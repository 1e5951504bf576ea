//! Falco rule "ClusterRole With Write Privileges Created".

use crate::engine::{Config, State};
use crate::event::EventView;

detector! {
    /// Mirrors the Falco k8saudit rule "ClusterRole With Write Privileges Created".
    ///
    /// ## What it does
    ///
    /// Reports Role and ClusterRole creations granting any of create, update, patch, delete or
    /// deletecollection.
    ///
    /// ## Why it matters
    ///
    /// Write access is what turns a read-only foothold into control; new writable roles deserve
    /// review.
    ///
    /// ## How to fix
    ///
    /// Grant the read verbs only, or bind the write role to the narrowest subject and namespace.
    ///
    /// ## References
    ///
    /// - Falco k8saudit rules, `plugins/k8saudit/rules/k8s_audit_rules.yaml` (falcosecurity/plugins), rule "ClusterRole With Write Privileges Created".
    /// - Kubernetes documentation, Auditing: https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/
    pub static DETECTOR = {
        id: "EKS-FALCO-020",
        name: "falco-role-write",
        title: "ClusterRole With Write Privileges Created",
        severity: Low,
        family: Falco,
        remediation: "Grant the read verbs only, or bind the write role to the narrowest subject and namespace.",
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
        .flat_map(|rule| rule.verbs.iter())
        .find(|verb| {
            matches!(
                &***verb,
                "create" | "update" | "patch" | "delete" | "deletecollection"
            )
        })
        .map(|verb| format!("role granting {verb}"))
}
