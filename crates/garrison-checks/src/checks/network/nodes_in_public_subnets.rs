use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// One result per subnet of each managed node group: FAIL when `describe-subnets` says
    /// `MapPublicIpOnLaunch` is true, or `describe-route-tables` (when collected) routes `0.0.0.0/0` to
    /// an internet gateway from it; PASS otherwise. Reads the subnet itself rather than instance DNS
    /// names, which are empty when VPC DNS hostnames are off even for public IPs.
    ///
    /// ## Why it matters
    /// Nodes with public addresses are directly reachable from the internet: the kubelet port,
    /// NodePorts and anything listening with `hostNetwork` are one security-group mistake away from
    /// exposure.
    ///
    /// ## How to fix
    /// Put node groups in private subnets with a NAT gateway (or VPC endpoints) for egress.
    ///
    /// ## References
    /// - CIS Amazon EKS Benchmark v1.8.0, 5.4.3
    /// - EKS Best Practices Guide, Security: Infrastructure security
    pub static META = CheckMeta {
        id: "EKS-NET-004",
        name: "nodes-in-public-subnets",
        title: "Node group places nodes in public subnets",
        severity: Severity::High,
        level: Level::Infrastructure,
        control: SeedControl::PrivateEndpointAndPrivatelink,
        cis: Some("5.4.3"),
        security_hub: None,
        pss: None,
        remediation: "Run nodes in private subnets.",
    };
}

use garrison_core::aws::ec2::{DescribeRouteTables, DescribeSubnets};
use garrison_core::aws::eks::DescribeNodegroup;

pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    let mut results = Vec::new();
    let nodegroups = each_or_unknown::<DescribeNodegroup>(
        snapshot,
        "eks/nodegroups/",
        "Nodegroup",
        &mut results,
    );
    let subnets = snapshot.document::<DescribeSubnets>("ec2/describe-subnets.json");
    let routes = snapshot
        .document::<DescribeRouteTables>("ec2/describe-route-tables.json")
        .ok();
    for (document, resource) in nodegroups {
        let resource = resource.with_arn(document.nodegroup.nodegroup_arn.as_deref());
        let subnets = match &subnets {
            Ok(subnets) => subnets,
            Err(missing) => {
                results.push(unknown(&resource, "ec2/describe-subnets.json", missing));
                continue;
            }
        };
        for (index, id) in document.nodegroup.subnets.iter().enumerate() {
            let pointer = format!("/nodegroup/subnets/{index}");
            let Some(subnet) = subnets
                .subnets
                .iter()
                .find(|s| s.subnet_id.as_deref() == Some(id))
            else {
                results.push(result(
                    &resource,
                    Status::Unknown,
                    &pointer,
                    format!("subnet {id} is not in describe-subnets"),
                ));
                continue;
            };
            let internet_route = routes.as_ref().is_some_and(|tables| {
                tables
                    .route_tables
                    .iter()
                    .filter(|table| {
                        table
                            .associations
                            .iter()
                            .any(|a| a.subnet_id.as_deref() == Some(id))
                    })
                    .flat_map(|table| table.routes.iter())
                    .any(|route| {
                        route.destination_cidr_block.as_deref() == Some("0.0.0.0/0")
                            && route
                                .gateway_id
                                .as_deref()
                                .is_some_and(|gateway| gateway.starts_with("igw-"))
                    })
            });
            results.push(if subnet.map_public_ip_on_launch == Some(true) {
                result(
                    &resource,
                    Status::Fail,
                    &pointer,
                    format!("subnet {id} gives instances public IP addresses"),
                )
            } else if internet_route {
                result(
                    &resource,
                    Status::Fail,
                    &pointer,
                    format!("subnet {id} routes 0.0.0.0/0 to an internet gateway"),
                )
            } else {
                result(
                    &resource,
                    Status::Pass,
                    &pointer,
                    format!("subnet {id} is private"),
                )
            });
        }
    }
    results
}
