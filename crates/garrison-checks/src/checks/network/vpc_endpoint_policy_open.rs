use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// One result per VPC endpoint of the cluster VPC: FAIL when its policy has an unconditioned
    /// `Allow` of `*` to principal `*` and no conditional `Deny` narrows it (the default full-access
    /// policy); PASS otherwise. An extension of catalogue row EKS-NET-006 (restrictive endpoint
    /// policies).
    ///
    /// ## Why it matters
    /// The default endpoint policy lets anyone in the VPC use the endpoint for any account's
    /// resources, so it is also a path to exfiltrate data to a foreign S3 bucket or ECR registry.
    ///
    /// ## How to fix
    /// Attach endpoint policies that allow only your accounts or organisation
    /// (`aws:PrincipalAccount`, `aws:ResourceOrgID`) and the actions the cluster needs.
    ///
    /// ## References
    /// - Amazon VPC documentation: Control access to VPC endpoints using endpoint policies
    /// - EKS Best Practices Guide, Security: Image security
    pub static META = CheckMeta {
        id: "EKS-NET-013",
        name: "vpc-endpoint-policy-open",
        title: "VPC endpoint policy allows any principal any action",
        severity: Severity::Low,
        level: Level::Infrastructure,
        control: SeedControl::PrivateEndpointAndPrivatelink,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Restrict VPC endpoint policies to your accounts and needed actions.",
    };
}

use garrison_core::aws::ec2::DescribeVpcEndpoints;
use garrison_core::aws::iam::PolicyDocument;

pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    with_cluster(snapshot, |cluster, cluster_resource| {
        let vpc_id = cluster
            .resources_vpc_config
            .as_ref()
            .and_then(|vpc| vpc.vpc_id.clone());
        with_document::<DescribeVpcEndpoints>(
            snapshot,
            "ec2/describe-vpc-endpoints.json",
            cluster_resource,
            |endpoints| {
                let mut results = Vec::new();
                for (index, endpoint) in endpoints.vpc_endpoints.iter().enumerate() {
                    if vpc_id.is_some() && endpoint.vpc_id != vpc_id {
                        continue;
                    }
                    let name = endpoint
                        .vpc_endpoint_id
                        .clone()
                        .unwrap_or_else(|| format!("endpoint {index}"));
                    let resource = crate::engine::Resource::new(
                        "VpcEndpoint",
                        name,
                        "aws/ec2/describe-vpc-endpoints.json",
                    );
                    let pointer = format!("/VpcEndpoints/{index}/PolicyDocument");
                    let service = endpoint.service_name.as_deref().unwrap_or("?");
                    let Some(text) = &endpoint.policy_document else {
                        results.push(result(
                            &resource,
                            Status::Pass,
                            &pointer,
                            format!(
                                "{service}: no endpoint policy (the service does not support one)"
                            ),
                        ));
                        continue;
                    };
                    let document =
                        match PolicyDocument::parse(&serde_json::Value::String(text.clone())) {
                            Ok(document) => document,
                            Err(error) => {
                                results.push(result(&resource, Status::Unknown, &pointer, error));
                                continue;
                            }
                        };
                    let open = document.statements.iter().any(|s| {
                        s.allows()
                            && s.conditions.is_empty()
                            && s.actions.iter().any(|a| a == "*")
                            && s.principals.iter().any(|(_, p)| p == "*")
                    });
                    let narrowed = document
                        .statements
                        .iter()
                        .any(|s| !s.allows() && !s.conditions.is_empty());
                    results.push(if open && !narrowed {
                    result(&resource, Status::Fail, &pointer, format!("{service}: the endpoint policy allows any principal any action on any resource"))
                } else {
                    result(&resource, Status::Pass, &pointer, format!("{service}: the endpoint policy is restricted"))
                });
                }
                results
            },
        )
    })
}
