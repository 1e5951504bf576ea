use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};
use garrison_core::aws::iam::{GetRole, PolicyDocument};

declare_check! {
    /// ## What it does
    /// For each role an IRSA ServiceAccount annotation names, reads the trust policy
    /// (`iam/roles/<name>.role.json`; decoded or URL-encoded) and judges each web-identity statement:
    /// FAIL when there is no `<issuer>:sub` condition, or it uses `StringLike` with a wildcard; WARN
    /// without an `:aud` condition; PASS when `sub` is an exact `system:serviceaccount:<ns>:<sa>`.
    ///
    /// ## Why it matters
    /// Without an exact `sub`, any service account in the cluster (in any namespace, created by
    /// anyone allowed to create service accounts) can assume the role.
    ///
    /// ## How to fix
    /// Add `"StringEquals": {"<issuer>:sub": "system:serviceaccount:<ns>:<sa>", "<issuer>:aud":
    /// "sts.amazonaws.com"}` to the trust statement.
    ///
    /// ## References
    /// - EKS documentation: IAM roles for service accounts
    /// - EKS Best Practices Guide, Security: Identity and Access Management (scope the IAM role trust policy for IRSA)
    pub static META = CheckMeta {
        id: "EKS-IAM-007",
        name: "irsa-trust-unscoped",
        title: "IRSA role trust policy is not scoped to one service account",
        severity: Severity::High,
        level: Level::Cluster,
        control: SeedControl::WorkloadIdentity,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Scope IRSA trust policies with exact sub and aud conditions.",
    };
}

pub fn evaluate(context: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    let mut roles: Vec<String> = workload_roles(context, snapshot)
        .into_iter()
        .filter(|r| r.via.starts_with("IRSA") || r.via.starts_with("add-on"))
        .map(|r| r.role_arn)
        .collect();
    roles.sort();
    roles.dedup();
    let mut results = Vec::new();
    for arn in roles {
        let (key, _) = role_keys(&arn);
        let resource = role_resource(&arn);
        let role = match snapshot.document::<GetRole>(&key) {
            Ok(role) => role.role,
            Err(missing) => {
                results.push(unknown(&resource, &key, &missing));
                continue;
            }
        };
        let document = match role
            .assume_role_policy_document
            .as_ref()
            .map(PolicyDocument::parse)
        {
            Some(Ok(document)) => document,
            Some(Err(error)) => {
                results.push(result(
                    &resource,
                    Status::Unknown,
                    "/Role/AssumeRolePolicyDocument",
                    error,
                ));
                continue;
            }
            None => continue,
        };
        for (index, statement) in document.statements.iter().enumerate() {
            let federated = statement
                .principals
                .iter()
                .any(|(kind, value)| kind == "Federated" && value.contains(":oidc-provider/"));
            if !statement.allows() || !federated {
                continue;
            }
            let issuer = statement
                .principals
                .iter()
                .find(|(k, _)| k == "Federated")
                .and_then(|(_, v)| v.split_once("oidc-provider/"))
                .map(|(_, i)| i.to_string())
                .unwrap_or_default();
            let pointer = format!("/Role/AssumeRolePolicyDocument/Statement/{index}");
            let exact = statement.condition(&["StringEquals"], &format!("{issuer}:sub"));
            let like = statement.condition(&["StringLike"], &format!("{issuer}:sub"));
            let aud =
                statement.condition(&["StringEquals", "StringLike"], &format!("{issuer}:aud"));
            results.push(if let Some(pattern) = like.iter().find(|v| v.contains('*') || v.contains('?')) {
                result(&resource, Status::Fail, &pointer, format!("the sub condition is the wildcard {pattern}: many service accounts can assume the role"))
            } else if exact.is_empty() && like.is_empty() {
                result(&resource, Status::Fail, &pointer, "no sub condition: any service account of the cluster can assume the role")
            } else if aud.is_empty() {
                result(&resource, Status::Warn, &pointer, "no aud condition")
            } else {
                result(&resource, Status::Pass, &pointer, format!("trust is scoped to {}", exact.iter().chain(like.iter()).copied().collect::<Vec<_>>().join(", ")))
            });
        }
    }
    results
}
