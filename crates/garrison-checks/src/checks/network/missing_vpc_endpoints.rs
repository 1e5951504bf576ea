use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// One result per AWS service a private cluster needs (`ecr.api`, `ecr.dkr`, `s3`, `sts`,
    /// `ec2`, `logs`, `eks`, and `eks-auth` when Pod Identity associations exist): PASS when
    /// `describe-vpc-endpoints` has an `available` endpoint for it in the cluster VPC. A missing one is
    /// FAIL on a cluster whose public endpoint is off, and WARN otherwise (traffic leaves through NAT).
    ///
    /// ## Why it matters
    /// Without endpoints, image pulls, STS calls and log delivery go over the internet through NAT,
    /// and a private cluster without them cannot pull images or join nodes at all.
    ///
    /// ## How to fix
    /// Create interface endpoints (and the `s3` gateway endpoint) for the listed services in the
    /// cluster VPC, with private DNS on.
    ///
    /// ## References
    /// - EKS documentation: Deploy private clusters with limited internet access
    /// - EKS Best Practices Guide, Security: Image security (ECR private endpoints)
    pub static META = CheckMeta {
        id: "EKS-NET-006",
        name: "missing-vpc-endpoints",
        title: "VPC endpoint for an AWS service the cluster needs is missing",
        severity: Severity::Medium,
        level: Level::Infrastructure,
        control: SeedControl::PrivateEndpointAndPrivatelink,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Create VPC endpoints for ECR, S3, STS, EC2, CloudWatch Logs, EKS and EKS Auth.",
    };
}

use garrison_core::aws::ec2::DescribeVpcEndpoints;

pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    with_cluster(snapshot, |cluster, resource| {
        let vpc = cluster.resources_vpc_config.clone().unwrap_or_default();
        let private_only = vpc.endpoint_public_access == Some(false);
        let uses_pod_identity = snapshot
            .document::<garrison_core::aws::eks::ListPodIdentityAssociations>(
                "eks/list-pod-identity-associations.json",
            )
            .is_ok_and(|list| !list.associations.is_empty());
        with_document::<DescribeVpcEndpoints>(
            snapshot,
            "ec2/describe-vpc-endpoints.json",
            resource,
            |endpoints| {
                let mut services = vec!["ecr.api", "ecr.dkr", "s3", "sts", "ec2", "logs", "eks"];
                if uses_pod_identity {
                    services.push("eks-auth");
                }
                services.into_iter().map(|service| {
                let found = endpoints.vpc_endpoints.iter().position(|endpoint| {
                    endpoint.service_name.as_deref().is_some_and(|name| name.ends_with(&format!(".{service}")))
                        && endpoint.state.as_deref().is_none_or(|state| state.eq_ignore_ascii_case("available"))
                        && (vpc.vpc_id.is_none() || endpoint.vpc_id == vpc.vpc_id)
                });
                match found {
                    Some(index) => result(resource, Status::Pass, &format!("/VpcEndpoints/{index}"), format!("an endpoint for {service} is available")),
                    None if private_only => result(resource, Status::Fail, "/VpcEndpoints", format!("no VPC endpoint for {service}: the private cluster cannot reach it")),
                    None => result(resource, Status::Warn, "/VpcEndpoints", format!("no VPC endpoint for {service}: its traffic leaves the VPC")),
                }
            }).collect()
            },
        )
    })
}
