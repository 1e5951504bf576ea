//! Falco rule "Service Account Created in Kube Namespace".

use super::in_list;
use crate::engine::{Config, State};
use crate::event::EventView;

detector! {
    /// Mirrors the Falco k8saudit rule "Service Account Created in Kube Namespace".
    ///
    /// ## What it does
    ///
    /// Reports successful ServiceAccount creations in `kube-system` or `kube-public` that are not
    /// one of the known controller accounts.
    ///
    /// ## Why it matters
    ///
    /// Service accounts in system namespaces are easily mistaken for the cluster's own and tend to
    /// receive broad rights.
    ///
    /// ## How to fix
    ///
    /// Create service accounts in the workload's namespace; add expected ones to
    /// `known_service_accounts`.
    ///
    /// ## References
    ///
    /// - Falco k8saudit rules, `plugins/k8saudit/rules/k8s_audit_rules.yaml` (falcosecurity/plugins), rule "Service Account Created in Kube Namespace".
    /// - Kubernetes documentation, Auditing: https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/
    pub static DETECTOR = {
        id: "EKS-FALCO-016",
        name: "falco-service-account-in-kube-namespace",
        title: "Service Account Created in Kube Namespace",
        severity: Medium,
        family: Falco,
        remediation: "Create service accounts in the workload's namespace.",
        run: Audit(run),
    };
}

fn run(_state: &mut State, config: &Config, view: &EventView<'_, '_>) -> Option<String> {
    let event = view.event;
    (event.complete()
        && event.resource() == "serviceaccounts"
        && event.verb == "create"
        && matches!(event.namespace(), "kube-system" | "kube-public")
        && event.successful()
        && !in_list(&config.known_service_accounts, event.name()))
    .then(|| format!("service account created in {}", event.namespace()))
}
