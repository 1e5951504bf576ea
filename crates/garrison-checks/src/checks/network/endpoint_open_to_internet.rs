use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// When the public endpoint is on, one result per entry of `publicAccessCidrs`: FAIL for
    /// `0.0.0.0/0` and `::/0`, WARN for ranges broader than /16 (IPv4) or /32 (IPv6), PASS otherwise.
    /// An absent list means the EKS default, `0.0.0.0/0` (plus `::/0` on IPv6 clusters), and fails.
    /// Unlike tools that look only for `0.0.0.0/0`, the IPv6 default is caught.
    ///
    /// ## Why it matters
    /// An endpoint open to every address can be probed and brute-forced from anywhere, and a leaked
    /// kubeconfig or IAM credential works from any network.
    ///
    /// ## How to fix
    /// Restrict `publicAccessCidrs` to your egress ranges, or disable the public endpoint.
    ///
    /// ## References
    /// - EKS documentation: Cluster API server endpoint
    /// - CIS Amazon EKS Benchmark v1.8.0, 5.4.1
    /// - AWS Security Hub control EKS.1
    pub static META = CheckMeta {
        id: "EKS-NET-002",
        name: "endpoint-open-to-internet",
        title: "Public API endpoint allows the whole internet",
        severity: Severity::High,
        level: Level::Cluster,
        control: SeedControl::PrivateEndpointAndPrivatelink,
        cis: Some("5.4.1"),
        security_hub: Some("EKS.1"),
        pss: None,
        remediation: "Restrict publicAccessCidrs to known ranges (no 0.0.0.0/0 or ::/0).",
    };
}

pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    with_cluster(snapshot, |cluster, resource| {
        let vpc = cluster.resources_vpc_config.clone().unwrap_or_default();
        match vpc.endpoint_public_access {
            None => {
                return vec![result(
                    resource,
                    Status::Unknown,
                    "/cluster/resourcesVpcConfig",
                    "describe-cluster does not say whether the public endpoint is on",
                )];
            }
            Some(false) => {
                return vec![result(
                    resource,
                    Status::Pass,
                    "/cluster/resourcesVpcConfig/endpointPublicAccess",
                    "the public endpoint is off",
                )];
            }
            Some(true) => {}
        }
        let Some(cidrs) = vpc.public_access_cidrs else {
            let ipv6 = cluster
                .kubernetes_network_config
                .as_ref()
                .and_then(|n| n.ip_family.as_deref())
                == Some("ipv6");
            let default = if ipv6 {
                "0.0.0.0/0 and ::/0"
            } else {
                "0.0.0.0/0"
            };
            return vec![result(
                resource,
                Status::Fail,
                "/cluster/resourcesVpcConfig",
                format!("publicAccessCidrs is not set: EKS defaults to {default}"),
            )];
        };
        cidrs
            .iter()
            .enumerate()
            .map(|(index, cidr)| {
                let pointer = format!("/cluster/resourcesVpcConfig/publicAccessCidrs/{index}");
                let prefix: u32 = cidr
                    .rsplit_once('/')
                    .and_then(|(_, p)| p.parse().ok())
                    .unwrap_or(0);
                let (minimum, world) = if cidr.contains(':') {
                    (32, "::/0")
                } else {
                    (16, "0.0.0.0/0")
                };
                if cidr == world || prefix == 0 {
                    result(
                        resource,
                        Status::Fail,
                        &pointer,
                        format!("{cidr} lets the whole internet reach the API endpoint"),
                    )
                } else if prefix < minimum {
                    result(
                        resource,
                        Status::Warn,
                        &pointer,
                        format!("{cidr} is broader than /{minimum}"),
                    )
                } else {
                    result(
                        resource,
                        Status::Pass,
                        &pointer,
                        format!("{cidr} is a restricted range"),
                    )
                }
            })
            .collect()
    })
}
