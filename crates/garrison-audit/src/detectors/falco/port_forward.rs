//! Falco rule "port-forward".

use crate::engine::{Config, State};
use crate::event::EventView;

detector! {
    /// Mirrors the Falco k8saudit rule "port-forward".
    ///
    /// ## What it does
    ///
    /// Reports `portforward` requests to pods (at any stage, as in Falco).
    ///
    /// ## Why it matters
    ///
    /// Port-forwarding tunnels from a workstation into a pod, past Services, Ingresses and
    /// NetworkPolicies.
    ///
    /// ## How to fix
    ///
    /// Restrict `pods/portforward` in RBAC to the operators who need it.
    ///
    /// ## References
    ///
    /// - Falco k8saudit rules, `plugins/k8saudit/rules/k8s_audit_rules.yaml` (falcosecurity/plugins), rule "port-forward".
    /// - Kubernetes documentation, Auditing: https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/
    pub static DETECTOR = {
        id: "EKS-FALCO-012",
        name: "falco-port-forward",
        title: "port-forward",
        severity: Low,
        family: Falco,
        remediation: "Restrict `pods/portforward` in RBAC to the operators who need it.",
        run: Audit(run),
    };
}

fn run(_state: &mut State, _config: &Config, view: &EventView<'_, '_>) -> Option<String> {
    let event = view.event;
    (event.subresource() == "portforward").then(|| "port-forward to pod".to_string())
}
