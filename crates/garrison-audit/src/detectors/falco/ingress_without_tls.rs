//! Falco rule "Ingress Object without TLS Certificate Created".

use crate::engine::{Config, State};
use crate::event::EventView;

detector! {
    /// Mirrors the Falco k8saudit rule "Ingress Object without TLS Certificate Created".
    ///
    /// ## What it does
    ///
    /// Reports successful Ingress creations without `spec.tls` (activity stream; needs the request
    /// body).
    ///
    /// ## Why it matters
    ///
    /// An Ingress without TLS serves its hosts in clear text on the internet.
    ///
    /// ## How to fix
    ///
    /// Add a `tls` section with a certificate (cert-manager or ACM on the load balancer).
    ///
    /// ## References
    ///
    /// - Falco k8saudit rules, `plugins/k8saudit/rules/k8s_audit_rules.yaml` (falcosecurity/plugins), rule "Ingress Object without TLS Certificate Created".
    /// - Kubernetes documentation, Auditing: https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/
    pub static DETECTOR = {
        id: "EKS-FALCO-046",
        name: "falco-ingress-without-tls",
        title: "Ingress Object without TLS Certificate Created",
        severity: Medium,
        family: Falco,
        remediation: "Add a `tls` section with a certificate (cert-manager or ACM on the load balancer).",
        run: Audit(run),
    };
}

fn run(_state: &mut State, config: &Config, view: &EventView<'_, '_>) -> Option<String> {
    let event = view.event;
    if !(config.activity_events
        && event.complete()
        && event.resource() == "ingresses"
        && event.verb == "create"
        && event.successful())
    {
        return None;
    }
    let spec = view.pod_spec()?;
    spec.tls
        .is_none()
        .then(|| "Ingress without TLS".to_string())
}
