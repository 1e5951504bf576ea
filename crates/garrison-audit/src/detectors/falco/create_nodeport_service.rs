//! Falco rule "Create NodePort Service".

use crate::engine::{Config, State};
use crate::event::EventView;

detector! {
    /// Mirrors the Falco k8saudit rule "Create NodePort Service".
    ///
    /// ## What it does
    ///
    /// Reports Service creations of `type: NodePort`.
    ///
    /// ## Why it matters
    ///
    /// A NodePort opens the port on every node, past load balancers and often past security groups
    /// meant for the load balancer alone.
    ///
    /// ## How to fix
    ///
    /// Use a ClusterIP Service behind an Ingress or a LoadBalancer Service; if a NodePort is
    /// needed, restrict the node security group.
    ///
    /// ## References
    ///
    /// - Falco k8saudit rules, `plugins/k8saudit/rules/k8s_audit_rules.yaml` (falcosecurity/plugins), rule "Create NodePort Service".
    /// - Kubernetes documentation, Auditing: https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/
    pub static DETECTOR = {
        id: "EKS-FALCO-008",
        name: "falco-nodeport-service",
        title: "Create NodePort Service",
        severity: Medium,
        family: Falco,
        remediation: "Use a ClusterIP Service behind an Ingress or a LoadBalancer Service.",
        run: Audit(run),
    };
}

fn run(_state: &mut State, _config: &Config, view: &EventView<'_, '_>) -> Option<String> {
    let event = view.event;
    if !(event.complete() && event.resource() == "services" && event.verb == "create") {
        return None;
    }
    let spec = view.pod_spec()?;
    (spec.service_type == "NodePort").then(|| "Service of type NodePort".to_string())
}
