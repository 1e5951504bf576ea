//! Falco rule "K8s Secret Created".

use super::system_user;
use crate::engine::{Config, State};
use crate::event::EventView;

detector! {
    /// Mirrors the Falco k8saudit rule "K8s Secret Created".
    ///
    /// ## What it does
    ///
    /// Activity stream: reports each successful create of a Secret outside `kube-system` by a user
    /// that is not a `system:` identity. Off with `activity_events = false`.
    ///
    /// ## Why it matters
    ///
    /// A record of who created which Secret and when is what an investigation starts from; it is
    /// informational, not a problem by itself.
    ///
    /// ## How to fix
    ///
    /// Nothing to fix; turn the activity stream off with `activity_events = false` if it is noise.
    ///
    /// ## References
    ///
    /// - Falco k8saudit rules, `plugins/k8saudit/rules/k8s_audit_rules.yaml` (falcosecurity/plugins), rule "K8s Secret Created".
    /// - Kubernetes documentation, Auditing: https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/
    pub static DETECTOR = {
        id: "EKS-FALCO-040",
        name: "falco-secret-created",
        title: "K8s Secret Created",
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
        && event.verb == "create"
        && event.resource() == "secrets"
        && event.successful()
        && event.namespace() != "kube-system"
        && !system_user(event.username()))
    .then(|| format!("Secret {} created", event.name()))
}
