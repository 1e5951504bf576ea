//! Falco rule "Untrusted Node Unsuccessfully Tried to Join the Cluster".

use super::in_list;
use crate::engine::{Config, State};
use crate::event::EventView;

detector! {
    /// Mirrors the Falco k8saudit rule "Untrusted Node Unsuccessfully Tried to Join the Cluster".
    ///
    /// ## What it does
    ///
    /// When `allowed_nodes` is configured, reports node registrations (Node create) that failed for
    /// a node name outside that list. Off until the list is set, as in Falco.
    ///
    /// ## Why it matters
    ///
    /// A node that is not yours runs your pods and receives their secrets.
    ///
    /// ## How to fix
    ///
    /// Find where the node credentials came from; add legitimate node names to `allowed_nodes`.
    ///
    /// ## References
    ///
    /// - Falco k8saudit rules, `plugins/k8saudit/rules/k8s_audit_rules.yaml` (falcosecurity/plugins), rule "Untrusted Node Unsuccessfully Tried to Join the Cluster".
    /// - Kubernetes documentation, Auditing: https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/
    pub static DETECTOR = {
        id: "EKS-FALCO-048",
        name: "falco-untrusted-node-tried",
        title: "Untrusted Node Unsuccessfully Tried to Join the Cluster",
        severity: Medium,
        family: Falco,
        remediation: "Find where the node credentials came from.",
        run: Audit(run),
    };
}

fn run(_state: &mut State, config: &Config, view: &EventView<'_, '_>) -> Option<String> {
    let allowed = config.allowed_nodes.as_ref()?;
    let event = view.event;
    (event.complete()
        && event.resource() == "nodes"
        && event.verb == "create"
        && !event.successful()
        && !in_list(allowed, event.name()))
    .then(|| format!("node {} tried to join the cluster", event.name()))
}
