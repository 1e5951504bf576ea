use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// Reads `resourcesVpcConfig.endpointPublicAccess` and `endpointPrivateAccess`: PASS for a
    /// private-only endpoint, FAIL when the public endpoint is on (see EKS-NET-002 for how widely it is
    /// open). Missing members are UNKNOWN.
    ///
    /// ## Why it matters
    /// A public endpoint exposes the Kubernetes API, and any of its authentication bugs, to whoever
    /// can reach it; a private endpoint is reachable only from the VPC and connected networks.
    ///
    /// ## How to fix
    /// Enable private access and disable public access (`aws eks update-cluster-config
    /// --resources-vpc-config endpointPublicAccess=false,endpointPrivateAccess=true`), reaching the API
    /// through a VPN, bastion or Direct Connect.
    ///
    /// ## References
    /// - EKS documentation: Cluster API server endpoint
    /// - CIS Amazon EKS Benchmark v1.8.0, 5.4.2
    /// - AWS Security Hub control EKS.1
    pub static META = CheckMeta {
        id: "EKS-NET-001",
        name: "public-endpoint-enabled",
        title: "Cluster API endpoint is reachable from the internet",
        severity: Severity::Medium,
        level: Level::Cluster,
        control: SeedControl::PrivateEndpointAndPrivatelink,
        cis: Some("5.4.2"),
        security_hub: Some("EKS.1"),
        pss: None,
        remediation: "Disable the public endpoint and enable private access.",
    };
}

pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    with_cluster(snapshot, |cluster, resource| {
        const POINTER: &str = "/cluster/resourcesVpcConfig/endpointPublicAccess";
        let vpc = cluster.resources_vpc_config.clone().unwrap_or_default();
        vec![
            match (vpc.endpoint_public_access, vpc.endpoint_private_access) {
                (None, _) => result(
                    resource,
                    Status::Unknown,
                    POINTER,
                    "describe-cluster does not say whether the public endpoint is on",
                ),
                (Some(false), Some(true)) => result(
                    resource,
                    Status::Pass,
                    POINTER,
                    "the API endpoint is private only",
                ),
                (Some(false), _) => result(
                    resource,
                    Status::Pass,
                    POINTER,
                    "the public endpoint is off",
                ),
                (Some(true), _) => result(
                    resource,
                    Status::Fail,
                    POINTER,
                    "the public API endpoint is enabled",
                ),
            },
        ]
    })
}
