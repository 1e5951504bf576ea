//! Falco rule "Disallowed K8s User".

use super::{in_list, system_user};
use crate::engine::{Config, State};
use crate::event::EventView;

detector! {
    /// Mirrors the Falco k8saudit rule "Disallowed K8s User".
    ///
    /// ## What it does
    ///
    /// Reports every completed request by a user that is neither a `system:` identity nor on the
    /// allowed-user list (Falco's `allowed_k8s_users` and `eks_allowed_k8s_users`, plus
    /// `allowed_users` from the configuration).
    ///
    /// ## Why it matters
    ///
    /// On a cluster where only automation and a few named operators talk to the API, a request from
    /// an unknown identity is a stolen credential, a forgotten access entry or a mapping gone
    /// wrong.
    ///
    /// ## How to fix
    ///
    /// Add the user to `allowed_users` if it is expected; otherwise revoke its access entry or
    /// aws-auth mapping and rotate its credentials.
    ///
    /// ## References
    ///
    /// - Falco k8saudit rules, `plugins/k8saudit/rules/k8s_audit_rules.yaml` (falcosecurity/plugins), rule "Disallowed K8s User".
    /// - Kubernetes documentation, Auditing: https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/
    pub static DETECTOR = {
        id: "EKS-FALCO-001",
        name: "falco-disallowed-user",
        title: "Disallowed K8s User",
        severity: Medium,
        family: Falco,
        remediation: "Add the user to `allowed_users` if it is expected.",
        run: Audit(run),
    };
}

fn run(_state: &mut State, config: &Config, view: &EventView<'_, '_>) -> Option<String> {
    let event = view.event;
    let user = event.username();
    (event.complete() && !system_user(user) && !in_list(&config.allowed_users, user))
        .then(|| format!("user {user} is not on the allowed-user list"))
}
