use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// Reads `resourcesVpcConfig.endpointPrivateAccess`: FAIL when false, PASS when true.
    ///
    /// ## Why it matters
    /// Without private access, nodes and in-VPC clients reach the API server over the public
    /// endpoint, so the public endpoint cannot be closed and node traffic leaves the VPC.
    ///
    /// ## How to fix
    /// Enable private endpoint access (`endpointPrivateAccess=true`).
    ///
    /// ## References
    /// - EKS documentation: Cluster API server endpoint
    /// - CIS Amazon EKS Benchmark v1.8.0, 5.4.2
    pub static META = CheckMeta {
        id: "EKS-NET-003",
        name: "private-endpoint-disabled",
        title: "Private API endpoint access is disabled",
        severity: Severity::Medium,
        level: Level::Cluster,
        control: SeedControl::PrivateEndpointAndPrivatelink,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Enable private endpoint access.",
    };
}

pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    with_cluster(snapshot, |cluster, resource| {
        const POINTER: &str = "/cluster/resourcesVpcConfig/endpointPrivateAccess";
        let private = cluster
            .resources_vpc_config
            .as_ref()
            .and_then(|vpc| vpc.endpoint_private_access);
        vec![match private {
            None => result(
                resource,
                Status::Unknown,
                POINTER,
                "describe-cluster does not say whether private access is on",
            ),
            Some(true) => result(
                resource,
                Status::Pass,
                POINTER,
                "private endpoint access is on",
            ),
            Some(false) => result(
                resource,
                Status::Fail,
                POINTER,
                "private endpoint access is off: in-VPC traffic to the API goes through the public endpoint",
            ),
        }]
    })
}
