//! Falco rule "Full K8s Administrative Access".

use super::{in_list, system_user};
use crate::engine::{Config, State};
use crate::event::EventView;

detector! {
    /// Mirrors the Falco k8saudit rule "Full K8s Administrative Access".
    ///
    /// ## What it does
    ///
    /// Reports every completed request by a well-known administrator identity (`admin`,
    /// `kubernetes-admin`, `minikube-user`, …). Off unless `full_admin_access = true`, as in Falco.
    ///
    /// ## Why it matters
    ///
    /// Shared administrator identities hide who did what; their use should be rare and deliberate.
    ///
    /// ## How to fix
    ///
    /// Give operators their own identities with scoped access entries.
    ///
    /// ## References
    ///
    /// - Falco k8saudit rules, `plugins/k8saudit/rules/k8s_audit_rules.yaml` (falcosecurity/plugins), rule "Full K8s Administrative Access".
    /// - Kubernetes documentation, Auditing: https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/
    pub static DETECTOR = {
        id: "EKS-FALCO-045",
        name: "falco-full-admin-access",
        title: "Full K8s Administrative Access",
        severity: Medium,
        family: Falco,
        remediation: "Give operators their own identities with scoped access entries.",
        run: Audit(run),
    };
}

fn run(_state: &mut State, config: &Config, view: &EventView<'_, '_>) -> Option<String> {
    let event = view.event;
    let user = event.username();
    (config.full_admin_access
        && event.complete()
        && !system_user(user)
        && in_list(&config.full_admin_users, user))
    .then(|| format!("administrator {user} used the API"))
}
