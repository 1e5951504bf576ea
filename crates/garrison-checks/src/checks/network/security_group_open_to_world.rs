use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// One result per security group of the cluster (`clusterSecurityGroupId`, `securityGroupIds`)
    /// and of the node groups' remote-access groups found in `describe-security-groups`: FAIL when an
    /// inbound rule admits `0.0.0.0/0` or `::/0` on any port, naming the port range; PASS otherwise.
    ///
    /// ## Why it matters
    /// These groups guard the control-plane ENIs, the kubelet (10250) and NodePorts (30000-32767). An
    /// inbound rule from the whole internet bypasses every other layer.
    ///
    /// ## How to fix
    /// Replace world-open rules with the CIDRs or security groups that need access.
    ///
    /// ## References
    /// - EKS documentation: Amazon EKS security group requirements
    /// - EKS Best Practices Guide, Security: Network security
    pub static META = CheckMeta {
        id: "EKS-NET-007",
        name: "security-group-open-to-world",
        title: "Cluster or node security group admits the internet",
        severity: Severity::High,
        level: Level::Infrastructure,
        control: SeedControl::PrivateEndpointAndPrivatelink,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Remove inbound rules from 0.0.0.0/0 and ::/0.",
    };
}

use garrison_core::aws::ec2::DescribeSecurityGroups;
use garrison_core::aws::eks::DescribeNodegroup;

pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    with_cluster(snapshot, |cluster, cluster_resource| {
        let vpc = cluster.resources_vpc_config.clone().unwrap_or_default();
        let mut groups: Vec<String> = vpc
            .cluster_security_group_id
            .into_iter()
            .chain(vpc.security_group_ids)
            .collect();
        for (_, document) in snapshot.documents::<DescribeNodegroup>("eks/nodegroups/") {
            if let Some(group) = document
                .ok()
                .and_then(|d| d.nodegroup.resources)
                .and_then(|r| r.remote_access_security_group)
            {
                groups.push(group);
            }
        }
        with_document::<DescribeSecurityGroups>(
            snapshot,
            "ec2/describe-security-groups.json",
            cluster_resource,
            |described| {
                let mut results = Vec::new();
                for (index, group) in described.security_groups.iter().enumerate() {
                    let Some(id) = group
                        .group_id
                        .as_deref()
                        .filter(|id| groups.iter().any(|g| g == id))
                    else {
                        continue;
                    };
                    let resource = crate::engine::Resource::new(
                        "SecurityGroup",
                        id,
                        "aws/ec2/describe-security-groups.json",
                    )
                    .with_arn(group.security_group_arn.as_deref());
                    let open = group
                        .ip_permissions
                        .iter()
                        .enumerate()
                        .find(|(_, rule)| !rule.world_sources().is_empty());
                    results.push(match open {
                        Some((rule_index, rule)) => {
                            let ports =
                                match (rule.ip_protocol.as_deref(), rule.from_port, rule.to_port) {
                                    (Some("-1"), _, _) => "all traffic".to_string(),
                                    (_, Some(from), Some(to)) if from == to => {
                                        format!("port {from}")
                                    }
                                    (_, Some(from), Some(to)) => format!("ports {from}-{to}"),
                                    _ => "some ports".to_string(),
                                };
                            result(
                                &resource,
                                Status::Fail,
                                &format!("/SecurityGroups/{index}/IpPermissions/{rule_index}"),
                                format!(
                                    "{id} admits {} on {ports}",
                                    rule.world_sources().join(" and ")
                                ),
                            )
                        }
                        None => result(
                            &resource,
                            Status::Pass,
                            &format!("/SecurityGroups/{index}/IpPermissions"),
                            format!("{id} admits no traffic from the internet"),
                        ),
                    });
                }
                results
            },
        )
    })
}
