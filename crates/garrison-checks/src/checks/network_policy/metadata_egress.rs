use garrison_core::{Level, Object, SeedControl, Severity, Workload};

use super::{workload_name, workload_view};
use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// For each workload, asks whether its egress may reach the EC2 instance metadata service,
    /// 169.254.169.254, under the NetworkPolicies (and admin network policies) of the input: FAIL
    /// when any port is allowed, naming the connections, PASS when every policy tier denies it.
    /// A workload no egress policy selects reaches it; so does a `hostNetwork` pod, which
    /// NetworkPolicies do not filter. The IPv6 address fd00:ec2::254 (Nitro instances) is asked
    /// about too: an isolating rule that allows every peer, or an IPv6 ipBlock holding it
    /// (less its `except`), reaches it. Except for `hostNetwork` pods, a workload of a namespace
    /// that no NetworkPolicy or admin policy covers is not applicable here: EKS-NP-002 and
    /// EKS-NP-003 report the namespace once instead of every workload in it.
    ///
    /// ## Why it matters
    /// The metadata service hands out the node's IAM role credentials. Unless the node's IMDSv2
    /// hop limit is 1 (EKS-IAM-005), a pod that reaches it can act as the node: pull any image
    /// the node may pull, describe the VPC, and with a broad node role much more.
    ///
    /// ## How to fix
    /// Restrict egress with a default-deny policy and allow what each workload needs; where a
    /// rule allows broad address ranges, list `169.254.169.254/32` (and `fd00:ec2::254/128`) under
    /// its ipBlock `except`. Set the hop limit to 1 on the nodes' launch templates as well.
    ///
    /// ## References
    /// - EKS Best Practices Guide, Security: restrict access to the instance profile assigned to the worker node
    /// - Kubernetes documentation: Network Policies, ipBlock
    pub static META = CheckMeta {
        id: "EKS-NP-007",
        name: "egress-to-instance-metadata",
        title: "Workload may connect to the instance metadata service",
        severity: Severity::Low,
        level: Level::Infrastructure,
        control: SeedControl::NetworkPolicies,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Deny egress to 169.254.169.254/32 (ipBlock except) or restrict egress to named peers.",
    };
}

pub fn evaluate(context: &Context<'_>, workload: &Workload, object: &Object) -> Vec<Outcome> {
    let view = match workload_view(context, workload, object) {
        Ok(view) => view,
        Err(outcomes) => return outcomes,
    };
    if view.host_network {
        return vec![Outcome::fail(
            workload.pointer("hostNetwork"),
            format!(
                "{} uses the node's network: NetworkPolicies do not filter it, and it reaches 169.254.169.254 as the node does",
                workload_name(object)
            ),
        )];
    }
    if let Some(outcomes) = super::namespace_reported(context, object) {
        return outcomes;
    }
    let coverage = &view.coverage;
    if coverage.metadata.is_empty() && !coverage.metadata_v6 {
        return Vec::new();
    }
    let message = if !coverage.egress_protected {
        format!(
            "no policy restricts the egress of {}: it may connect to 169.254.169.254 and fd00:ec2::254",
            workload_name(object)
        )
    } else {
        let mut reached = Vec::new();
        if !coverage.metadata.is_empty() {
            reached.push(format!("169.254.169.254 ({})", coverage.metadata));
        }
        if coverage.metadata_v6 {
            reached.push("fd00:ec2::254".to_string());
        }
        format!(
            "the egress policies of {} allow {}",
            workload_name(object),
            reached.join(" and ")
        )
    };
    vec![Outcome::with_status(
        garrison_core::Status::Fail,
        None,
        message,
    )]
}
