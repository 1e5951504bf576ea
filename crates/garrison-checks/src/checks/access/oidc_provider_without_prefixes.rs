use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// One result per `eks/identity-provider-configs/<name>.json`: FAIL when `usernamePrefix` is
    /// empty or `-` (no prefix) or a `groupsClaim` is set without a `groupsPrefix`; WARN when there
    /// are no `requiredClaims`; PASS otherwise.
    ///
    /// ## Why it matters
    /// Without prefixes, an IdP user or group named `system:masters` or `eks:…` is indistinguishable
    /// from the built-in ones and receives their bindings; anyone who can name a group in the IdP
    /// becomes cluster administrator.
    ///
    /// ## How to fix
    /// Recreate the configuration with `usernamePrefix` and `groupsPrefix` (e.g. `oidc:`), and
    /// `requiredClaims` that pin the audience or tenant.
    ///
    /// ## References
    /// - EKS documentation: Grant users access to Kubernetes with an external OIDC provider
    pub static META = CheckMeta {
        id: "EKS-CAM-013",
        name: "oidc-provider-without-prefixes",
        title: "OIDC identity provider lets IdP names collide with Kubernetes names",
        severity: Severity::Low,
        level: Level::Cluster,
        control: SeedControl::ClusterAccessManagement,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Set usernamePrefix, groupsPrefix and requiredClaims on OIDC identity provider configs.",
    };
}

use garrison_core::aws::eks::DescribeIdentityProviderConfig;

pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    let mut results = Vec::new();
    let Some(configs) = each_document::<DescribeIdentityProviderConfig>(
        snapshot,
        "eks/identity-provider-configs/",
        "IdentityProviderConfig",
        &mut results,
    ) else {
        return results;
    };
    for (document, resource) in configs {
        let Some(oidc) = document.identity_provider_config.oidc else {
            continue;
        };
        let empty =
            |prefix: &Option<String>| prefix.as_deref().is_none_or(|p| p.is_empty() || p == "-");
        results.push(if empty(&oidc.username_prefix) {
            result(
                &resource,
                Status::Fail,
                "/identityProviderConfig/oidc/usernamePrefix",
                "no username prefix: IdP usernames can collide with Kubernetes users",
            )
        } else if oidc.groups_claim.is_some() && empty(&oidc.groups_prefix) {
            result(
                &resource,
                Status::Fail,
                "/identityProviderConfig/oidc/groupsPrefix",
                "no groups prefix: an IdP group named system:masters would be system:masters",
            )
        } else if oidc.required_claims.is_empty() {
            result(
                &resource,
                Status::Warn,
                "/identityProviderConfig/oidc/requiredClaims",
                "no required claims",
            )
        } else {
            result(
                &resource,
                Status::Pass,
                "/identityProviderConfig/oidc",
                "usernames and groups are prefixed and claims are required",
            )
        });
    }
    results
}
