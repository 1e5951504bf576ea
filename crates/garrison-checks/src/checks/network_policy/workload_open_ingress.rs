use garrison_core::{Level, Object, SeedControl, Severity, Status, Workload};

use super::{workload_name, workload_view};
use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// For each workload, asks whether its ingress accepts every port from every pod of every
    /// namespace and from every external address: FAIL when no policy of any tier restricts its
    /// ingress, or when the rules that do allow everything anyway (a rule without `from` and
    /// `ports`, or one whose peers are `namespaceSelector: {}` and an ipBlock of `0.0.0.0/0`).
    /// The question is asked of the workload's own rules, not of every other workload, so a scan
    /// stays linear in the number of workloads. A `hostNetwork` pod is not applicable: it
    /// listens on the node's address, which security groups filter, not NetworkPolicies. A
    /// workload of a namespace that no NetworkPolicy or admin policy covers is not applicable
    /// here: EKS-NP-002 and EKS-NP-003 report the namespace once instead of every workload in it.
    ///
    /// ## Why it matters
    /// Any compromised pod of the cluster, and anything that can route to the pod network, can
    /// connect to every port of the workload: its admin and metrics ports as much as its service.
    ///
    /// ## How to fix
    /// Select the workload with a NetworkPolicy that allows ingress only from the peers and on
    /// the ports it serves (a namespace default deny plus one allow policy per workload).
    ///
    /// ## References
    /// - Kubernetes documentation: Network Policies
    /// - EKS Best Practices Guide, Security: network policy
    pub static META = CheckMeta {
        id: "EKS-NP-009",
        name: "workload-reachable-from-everywhere",
        title: "Workload accepts every connection from everywhere",
        severity: Severity::Medium,
        level: Level::Infrastructure,
        control: SeedControl::NetworkPolicies,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Select the workload with a NetworkPolicy that allows ingress only from the peers and ports it serves.",
    };
}

pub fn evaluate(context: &Context<'_>, workload: &Workload, object: &Object) -> Vec<Outcome> {
    let view = match workload_view(context, workload, object) {
        Ok(view) => view,
        Err(outcomes) => return outcomes,
    };
    if view.host_network {
        return vec![Outcome::with_status(
            Status::NotApplicable,
            Some(workload.pointer("hostNetwork")),
            "the pod uses the node's network: security groups filter its ingress, not NetworkPolicies",
        )];
    }
    if let Some(outcomes) = super::namespace_reported(context, object) {
        return outcomes;
    }
    if !view.coverage.open_to_everyone {
        return Vec::new();
    }
    let message = if view.coverage.ingress_protected {
        format!(
            "the ingress policies of {} allow every port from every pod and every address",
            workload_name(object)
        )
    } else {
        format!(
            "no policy restricts the ingress of {}: every pod and every address may connect to any port",
            workload_name(object)
        )
    };
    vec![Outcome::with_status(Status::Fail, None, message)]
}
