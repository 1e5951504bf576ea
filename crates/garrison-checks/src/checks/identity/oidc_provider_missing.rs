use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// When any ServiceAccount carries `eks.amazonaws.com/role-arn`, compares the cluster's
    /// `identity.oidc.issuer` with `iam/list-open-id-connect-providers.json`: PASS when a provider ARN
    /// ends with the issuer's host and path, FAIL otherwise. NOT_APPLICABLE when IRSA is not used.
    ///
    /// ## Why it matters
    /// Without the provider, every IRSA web-identity call fails and the AWS SDKs fall back to the
    /// node role: pods silently run with the node's (usually broader) permissions.
    ///
    /// ## How to fix
    /// `eksctl utils associate-iam-oidc-provider --cluster <name> --approve`, or create the provider
    /// with the issuer URL and the `sts.amazonaws.com` audience.
    ///
    /// ## References
    /// - EKS documentation: IAM roles for service accounts
    /// - EKS Best Practices Guide, Security: Identity and Access Management
    pub static META = CheckMeta {
        id: "EKS-IAM-001",
        name: "oidc-provider-missing",
        title: "IRSA is used but the cluster OIDC issuer is not an IAM identity provider",
        severity: Severity::Medium,
        level: Level::Cluster,
        control: SeedControl::WorkloadIdentity,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Register the cluster OIDC issuer as an IAM identity provider.",
    };
}

use garrison_core::aws::iam::OpenIdConnectProviders;

pub fn evaluate(context: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    with_cluster(snapshot, |cluster, resource| {
        let irsa = context.inventory.objects.iter().any(|o| {
            o.kind == "ServiceAccount" && o.annotation("eks.amazonaws.com/role-arn").is_some()
        });
        if !irsa {
            return vec![not_applicable(resource, "no ServiceAccount uses IRSA")];
        }
        let Some(issuer) = cluster
            .identity
            .as_ref()
            .and_then(|i| i.oidc.as_ref())
            .and_then(|o| o.issuer.clone())
        else {
            return vec![result(
                resource,
                Status::Fail,
                "/cluster/identity",
                "the cluster has no OIDC issuer",
            )];
        };
        let suffix = issuer.trim_start_matches("https://").to_string();
        with_document::<OpenIdConnectProviders>(
            snapshot,
            "iam/list-open-id-connect-providers.json",
            resource,
            |providers| {
                vec![match providers.providers.iter().position(|p| {
                    p.arn
                        .as_deref()
                        .is_some_and(|arn| arn.ends_with(&format!("oidc-provider/{suffix}")))
                }) {
                    Some(_) => result(
                        resource,
                        Status::Pass,
                        "/cluster/identity/oidc/issuer",
                        format!("{suffix} is registered as an IAM OIDC provider"),
                    ),
                    None => result(
                        resource,
                        Status::Fail,
                        "/cluster/identity/oidc/issuer",
                        format!(
                            "{suffix} is not an IAM OIDC provider: IRSA cannot work and pods fall back to the node role"
                        ),
                    ),
                }]
            },
        )
    })
}
