use garrison_core::{Level, Object, SeedControl, Severity, Workload};

use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// Reports containers that publish a port on the node with `ports[].hostPort`.
    ///
    /// ## Why it matters
    /// A host port is reachable on the node's address, outside the Service and NetworkPolicy
    /// model, and ties the pod to nodes where the port is free. It is often an accidental leftover
    /// from copying a DaemonSet.
    ///
    /// ## How to fix
    /// Remove `hostPort` and expose the port through a Service (type ClusterIP, or LoadBalancer
    /// with the AWS Load Balancer Controller).
    ///
    /// ## References
    /// - Pod Security Standards, baseline: HostPorts
    pub static META = CheckMeta {
        id: "EKS-PSS-015",
        name: "host-port",
        title: "Container publishes a host port",
        severity: Severity::Medium,
        level: Level::Application,
        control: SeedControl::PodSecurity,
        cis: None,
        security_hub: None,
        pss: Some("hostPorts"),
        remediation: "Remove ports[].hostPort and expose the port through a Service.",
    };
}

pub fn evaluate(_: &Context<'_>, workload: &Workload, _: &Object) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    for container in workload.containers() {
        for (index, port) in container.ports.iter().enumerate() {
            if let Some(host_port) = port.host_port.filter(|port| *port != 0) {
                outcomes.push(Outcome::fail(
                    container.field(&format!("ports/{index}/hostPort")),
                    format!("{} publishes host port {host_port}", container.describe()),
                ));
            }
        }
    }
    outcomes
}
