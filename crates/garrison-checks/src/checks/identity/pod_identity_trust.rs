use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};
use garrison_core::aws::iam::{GetRole, PolicyDocument};

declare_check! {
    /// ## What it does
    /// For each role of a described Pod Identity association, reads the trust policy: FAIL when no
    /// statement lets `pods.eks.amazonaws.com` perform both `sts:AssumeRole` and `sts:TagSession`;
    /// PASS otherwise (noting whether `aws:SourceAccount`/`aws:SourceArn` guard against a confused
    /// deputy).
    ///
    /// ## Why it matters
    /// Without `sts:TagSession` the association fails and SDKs fall back to the node role; a trust
    /// policy that names other principals widens who can assume the workload's role.
    ///
    /// ## How to fix
    /// Trust `pods.eks.amazonaws.com` with `["sts:AssumeRole","sts:TagSession"]`, optionally
    /// conditioned on `aws:SourceAccount` and the cluster ARN.
    ///
    /// ## References
    /// - EKS documentation: EKS Pod Identity
    /// - EKS Best Practices Guide, Security: Identity and Access Management
    pub static META = CheckMeta {
        id: "EKS-IAM-008",
        name: "pod-identity-trust",
        title: "Pod Identity role trust policy is incomplete",
        severity: Severity::Medium,
        level: Level::Cluster,
        control: SeedControl::WorkloadIdentity,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Trust pods.eks.amazonaws.com with sts:AssumeRole and sts:TagSession.",
    };
}

pub fn evaluate(context: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    let mut roles: Vec<String> = workload_roles(context, snapshot)
        .into_iter()
        .filter(|r| r.via.starts_with("Pod Identity"))
        .map(|r| r.role_arn)
        .collect();
    roles.sort();
    roles.dedup();
    let mut results = Vec::new();
    for arn in roles {
        let (key, _) = role_keys(&arn);
        let resource = role_resource(&arn);
        let document = match snapshot.document::<GetRole>(&key) {
            Ok(role) => role
                .role
                .assume_role_policy_document
                .as_ref()
                .map(PolicyDocument::parse),
            Err(missing) => {
                results.push(unknown(&resource, &key, &missing));
                continue;
            }
        };
        let Some(Ok(document)) = document else {
            results.push(result(
                &resource,
                Status::Unknown,
                "/Role/AssumeRolePolicyDocument",
                "the trust policy cannot be read",
            ));
            continue;
        };
        let statement = document.statements.iter().position(|s| {
            s.allows()
                && s.principals
                    .iter()
                    .any(|(k, v)| k == "Service" && v == "pods.eks.amazonaws.com")
        });
        let Some(index) = statement else {
            results.push(result(
                &resource,
                Status::Fail,
                "/Role/AssumeRolePolicyDocument",
                "pods.eks.amazonaws.com is not trusted: the association cannot work",
            ));
            continue;
        };
        let statement = &document.statements[index];
        let has = |action: &str| {
            statement
                .actions
                .iter()
                .any(|a| a == action || a == "sts:*" || a == "*")
        };
        let pointer = format!("/Role/AssumeRolePolicyDocument/Statement/{index}");
        results.push(if !(has("sts:AssumeRole") && has("sts:TagSession")) {
            result(
                &resource,
                Status::Fail,
                &pointer,
                "the trust statement lacks sts:AssumeRole or sts:TagSession",
            )
        } else {
            let guarded = !statement
                .condition(
                    &["StringEquals", "ArnEquals", "ArnLike", "StringLike"],
                    "aws:SourceAccount",
                )
                .is_empty()
                || !statement
                    .condition(
                        &["StringEquals", "ArnEquals", "ArnLike", "StringLike"],
                        "aws:SourceArn",
                    )
                    .is_empty();
            result(
                &resource,
                Status::Pass,
                &pointer,
                if guarded {
                    "trusts Pod Identity, guarded by source conditions"
                } else {
                    "trusts Pod Identity (no aws:SourceAccount/SourceArn condition)"
                },
            )
        });
    }
    results
}
