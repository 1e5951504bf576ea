//! Falco rule "System ClusterRole Modified/Deleted".

use crate::engine::{Config, State};
use crate::event::EventView;

detector! {
    /// Mirrors the Falco k8saudit rule "System ClusterRole Modified/Deleted".
    ///
    /// ## What it does
    ///
    /// Reports create, update, patch or delete of Roles and ClusterRoles named `system:*` (except
    /// `system:coredns` and `system:managed-certificate-controller`).
    ///
    /// ## Why it matters
    ///
    /// The `system:` roles are what the control plane and nodes run with; changing them widens or
    /// breaks the cluster's own permissions, a known persistence trick.
    ///
    /// ## How to fix
    ///
    /// Revert the change (the API server reconciles the bootstrap roles on restart when
    /// `rbac.authorization.kubernetes.io/autoupdate` is true) and find who made it.
    ///
    /// ## References
    ///
    /// - Falco k8saudit rules, `plugins/k8saudit/rules/k8s_audit_rules.yaml` (falcosecurity/plugins), rule "System ClusterRole Modified/Deleted".
    /// - Kubernetes documentation, Auditing: https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/
    pub static DETECTOR = {
        id: "EKS-FALCO-017",
        name: "falco-system-role-modified",
        title: "System ClusterRole Modified/Deleted",
        severity: Medium,
        family: Falco,
        remediation: "Revert the change (the API server reconciles the bootstrap roles on restart when `rbac.authorization.kubernetes.io/autoupdate` is true) and find who made it.",
        run: Audit(run),
    };
}

fn run(_state: &mut State, _config: &Config, view: &EventView<'_, '_>) -> Option<String> {
    let event = view.event;
    (event.complete()
        && matches!(event.resource(), "roles" | "clusterroles")
        && matches!(&*event.verb, "create" | "update" | "patch" | "delete")
        && event.name().starts_with("system:")
        && !matches!(
            event.name(),
            "system:coredns" | "system:managed-certificate-controller"
        ))
    .then(|| format!("system role {} {}d", event.name(), event.verb))
}
