use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// When `list-pod-identity-associations` is not empty: PASS when the `eks-pod-identity-agent`
    /// add-on is listed, its DaemonSet runs in kube-system, or the cluster is in Auto Mode (agent
    /// built in); FAIL otherwise. NOT_APPLICABLE without associations.
    ///
    /// ## Why it matters
    /// Without the agent, the credentials endpoint does not answer and the SDKs fall back to the next
    /// provider in the chain: the node role.
    ///
    /// ## How to fix
    /// `aws eks create-addon --addon-name eks-pod-identity-agent`.
    ///
    /// ## References
    /// - EKS documentation: EKS Pod Identity
    pub static META = CheckMeta {
        id: "EKS-IAM-010",
        name: "pod-identity-agent-missing",
        title: "Pod Identity associations exist but the agent is not installed",
        severity: Severity::Medium,
        level: Level::Cluster,
        control: SeedControl::WorkloadIdentity,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Install the eks-pod-identity-agent add-on.",
    };
}

use garrison_core::aws::eks::{ListAddons, ListPodIdentityAssociations};

pub fn evaluate(context: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    with_cluster(snapshot, |cluster, resource| {
        with_document::<ListPodIdentityAssociations>(
            snapshot,
            "eks/list-pod-identity-associations.json",
            resource,
            |list| {
                if list.associations.is_empty() {
                    return vec![not_applicable(resource, "no Pod Identity associations")];
                }
                let daemon_set = context.inventory.objects.iter().any(|o| {
                    o.kind == "DaemonSet"
                        && o.name == "eks-pod-identity-agent"
                        && o.in_namespace("kube-system")
                });
                let addon = snapshot
                    .document::<ListAddons>("eks/list-addons.json")
                    .is_ok_and(|l| l.addons.iter().any(|a| a == "eks-pod-identity-agent"));
                vec![if cluster.auto_mode() == Some(true) {
                    result(
                        resource,
                        Status::Pass,
                        "/cluster/computeConfig",
                        "Auto Mode runs the Pod Identity agent",
                    )
                } else if addon || daemon_set {
                    result(
                        resource,
                        Status::Pass,
                        "/associations",
                        format!(
                            "{} associations and the agent is installed",
                            list.associations.len()
                        ),
                    )
                } else {
                    result(
                        resource,
                        Status::Fail,
                        "/associations",
                        format!(
                            "{} associations but no eks-pod-identity-agent: pods fall back to the node role",
                            list.associations.len()
                        ),
                    )
                }]
            },
        )
    })
}
