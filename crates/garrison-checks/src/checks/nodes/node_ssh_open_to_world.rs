use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// One result per security group attached to nodes (launch template network interfaces and
    /// security group ids, node-group remote-access groups, the cluster security group): FAIL when an
    /// inbound rule admits `0.0.0.0/0` or `::/0` to TCP 22 or 3389, PASS otherwise.
    ///
    /// ## Why it matters
    /// Internet-facing SSH and RDP are brute-forced continuously; a node login is root on every pod
    /// of the node.
    ///
    /// ## How to fix
    /// Remove the rule; reach nodes through SSM Session Manager.
    ///
    /// ## References
    /// - EKS Best Practices Guide, Security: Infrastructure security
    /// - Amazon EC2 documentation: Security group rules
    pub static META = CheckMeta {
        id: "EKS-NODE-003",
        name: "node-ssh-open-to-world",
        title: "Node security group exposes SSH or RDP to the internet",
        severity: Severity::High,
        level: Level::Infrastructure,
        control: SeedControl::SsmInsteadOfSsh,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Remove internet-facing SSH/RDP rules from node security groups.",
    };
}

use garrison_core::aws::ec2::{DescribeLaunchTemplateVersions, DescribeSecurityGroups};
use garrison_core::aws::eks::DescribeNodegroup;

pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    with_cluster(snapshot, |cluster, cluster_resource| {
        let mut groups: Vec<String> = cluster
            .resources_vpc_config
            .as_ref()
            .and_then(|v| v.cluster_security_group_id.clone())
            .into_iter()
            .collect();
        for (_, document) in snapshot.documents::<DescribeNodegroup>("eks/nodegroups/") {
            groups.extend(
                document
                    .ok()
                    .and_then(|d| d.nodegroup.resources)
                    .and_then(|r| r.remote_access_security_group),
            );
        }
        for (_, document) in snapshot
            .documents::<DescribeLaunchTemplateVersions>("ec2/describe-launch-template-versions/")
        {
            for version in document
                .map(|d| d.launch_template_versions)
                .unwrap_or_default()
            {
                if let Some(data) = version.launch_template_data {
                    groups.extend(data.security_group_ids);
                }
            }
        }
        with_document::<DescribeSecurityGroups>(
            snapshot,
            "ec2/describe-security-groups.json",
            cluster_resource,
            |described| {
                described
                    .security_groups
                    .iter()
                    .enumerate()
                    .filter(|(_, g)| {
                        g.group_id
                            .as_deref()
                            .is_some_and(|id| groups.iter().any(|n| n == id))
                    })
                    .map(|(index, group)| {
                        let id = group.group_id.clone().unwrap_or_default();
                        let resource = crate::engine::Resource::new(
                            "SecurityGroup",
                            id.clone(),
                            "aws/ec2/describe-security-groups.json",
                        )
                        .with_arn(group.security_group_arn.as_deref());
                        let exposed =
                            group
                                .ip_permissions
                                .iter()
                                .enumerate()
                                .find_map(|(r, rule)| {
                                    let port = [22, 3389]
                                        .into_iter()
                                        .find(|port| rule.admits_tcp_port(*port))?;
                                    (!rule.world_sources().is_empty()).then_some((r, port))
                                });
                        match exposed {
                            Some((r, port)) => result(
                                &resource,
                                Status::Fail,
                                &format!("/SecurityGroups/{index}/IpPermissions/{r}"),
                                format!("{id} admits the internet to port {port}"),
                            ),
                            None => result(
                                &resource,
                                Status::Pass,
                                &format!("/SecurityGroups/{index}/IpPermissions"),
                                format!("{id} does not expose SSH or RDP"),
                            ),
                        }
                    })
                    .collect()
            },
        )
    })
}
