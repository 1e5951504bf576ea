//! Falco rule "EphemeralContainers Created".

use crate::engine::{Config, State};
use crate::event::EventView;

detector! {
    /// Mirrors the Falco k8saudit rule "EphemeralContainers Created".
    ///
    /// ## What it does
    ///
    /// Reports completed create, update or patch requests on `pods/ephemeralcontainers` (`kubectl
    /// debug`).
    ///
    /// ## Why it matters
    ///
    /// An ephemeral container runs an arbitrary image inside a running pod's namespaces, with its
    /// service account's token at hand.
    ///
    /// ## How to fix
    ///
    /// Restrict `pods/ephemeralcontainers` in RBAC; allow debug images only from an approved
    /// registry.
    ///
    /// ## References
    ///
    /// - Falco k8saudit rules, `plugins/k8saudit/rules/k8s_audit_rules.yaml` (falcosecurity/plugins), rule "EphemeralContainers Created".
    /// - Kubernetes documentation, Auditing: https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/
    pub static DETECTOR = {
        id: "EKS-FALCO-013",
        name: "falco-ephemeral-containers",
        title: "EphemeralContainers Created",
        severity: Low,
        family: Falco,
        remediation: "Restrict `pods/ephemeralcontainers` in RBAC.",
        run: Audit(run),
    };
}

fn run(_state: &mut State, _config: &Config, view: &EventView<'_, '_>) -> Option<String> {
    let event = view.event;
    (event.complete()
        && event.resource() == "pods"
        && event.subresource() == "ephemeralcontainers"
        && matches!(&*event.verb, "create" | "update" | "patch"))
    .then(|| "ephemeral container added to pod".to_string())
}
