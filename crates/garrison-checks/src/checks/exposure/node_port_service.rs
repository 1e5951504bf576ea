use garrison_core::{Level, Object, SeedControl, Severity};
use serde_json::Value;

use super::service_type;
use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// Reports Services of type `NodePort`. Other Services pass (a `LoadBalancer` Service also
    /// allocates node ports, but for its load balancer).
    ///
    /// ## Why it matters
    /// A node port opens the Service on every node's address, outside any load balancer's TLS,
    /// WAF and access logs. Whoever reaches a node (a peered VPC, a security group rule left
    /// open for 30000–32767, a public node) reaches the application, and NetworkPolicies see the
    /// traffic as coming from the node.
    ///
    /// ## How to fix
    /// Use a `ClusterIP` Service behind an Ingress or a `LoadBalancer` Service (with IP targets,
    /// which skip node ports), and keep the node security groups closed to the node port range.
    ///
    /// ## References
    /// - EKS Best Practices Guide, Network Security
    /// - Kubernetes documentation: Service type NodePort
    pub static META = CheckMeta {
        id: "EKS-NET-010",
        name: "node-port-service",
        title: "Service exposed on every node's address",
        severity: Severity::Low,
        level: Level::Application,
        control: SeedControl::PrivateEndpointAndPrivatelink,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Use a ClusterIP Service behind an Ingress or a LoadBalancer Service.",
    };
}

pub fn evaluate(_: &Context<'_>, object: &Object) -> Option<Vec<Outcome>> {
    if service_type(object) != "NodePort" {
        return Some(Vec::new());
    }
    let ports: Vec<String> = object
        .value
        .pointer("/spec/ports")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|port| port.get("nodePort").and_then(Value::as_u64))
        .map(|port| port.to_string())
        .collect();
    let which = if ports.is_empty() {
        "a node port".to_string()
    } else {
        format!("node port {}", ports.join(", "))
    };
    Some(vec![Outcome::fail(
        "/spec/type",
        format!("the Service opens {which} on every node"),
    )])
}
