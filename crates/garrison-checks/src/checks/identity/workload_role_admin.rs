use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};
use garrison_core::aws::iam::{AttachedRolePolicies, PolicyDocument};

declare_check! {
    /// ## What it does
    /// For every role pods can use (IRSA, Pod Identity, add-on roles), reads
    /// `iam/roles/<name>.attached.json` (and `.inline.json` when collected): FAIL for
    /// `AdministratorAccess`, `PowerUserAccess`, `IAMFullAccess`, any AWS `*FullAccess` policy or an
    /// inline statement allowing `*` on `*`; PASS otherwise. The message says which pod reaches it.
    ///
    /// ## Why it matters
    /// A compromised pod with such a role owns the AWS account, not just the cluster.
    ///
    /// ## How to fix
    /// Replace the policy with one that lists the actions and resources the application needs.
    ///
    /// ## References
    /// - EKS Best Practices Guide, Security: Identity and Access Management
    /// - EKS documentation: IAM roles for service accounts
    /// - EKS documentation: EKS Pod Identity
    pub static META = CheckMeta {
        id: "EKS-IAM-011",
        name: "workload-role-admin",
        title: "IAM role reachable by pods has administrator or full-access policies",
        severity: Severity::High,
        level: Level::Cluster,
        control: SeedControl::WorkloadIdentity,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Replace admin and full-access policies of workload roles with least-privilege ones.",
    };
}

use garrison_core::aws::iam::InlinePolicies;

pub fn evaluate(context: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    let mut roles = workload_roles(context, snapshot);
    roles.sort_by(|a, b| a.role_arn.cmp(&b.role_arn));
    roles.dedup_by(|a, b| a.role_arn == b.role_arn);
    let mut results = Vec::new();
    for role in roles {
        let (_, key) = role_keys(&role.role_arn);
        let resource = role_resource(&role.role_arn);
        let attached = match snapshot.document::<AttachedRolePolicies>(&key) {
            Ok(attached) => attached,
            Err(missing) => {
                results.push(unknown(&resource, &key, &missing));
                continue;
            }
        };
        let broad = attached
            .attached_policies
            .iter()
            .enumerate()
            .find(|(_, p)| {
                let name = p.policy_name.as_deref().unwrap_or_default();
                matches!(
                    name,
                    "AdministratorAccess" | "PowerUserAccess" | "IAMFullAccess"
                ) || (name.ends_with("FullAccess")
                    && p.policy_arn
                        .as_deref()
                        .is_some_and(|a| a.starts_with("arn:aws:iam::aws:policy/")))
            });
        let inline_key = key.replace(".attached.json", ".inline.json");
        let inline_admin = snapshot
            .document::<InlinePolicies>(&inline_key)
            .ok()
            .and_then(|inline| {
                inline.policies.into_iter().find(|p| {
                    p.policy_document
                        .as_ref()
                        .and_then(|d| PolicyDocument::parse(d).ok())
                        .is_some_and(|d| d.statements.iter().any(|s| s.is_admin()))
                })
            });
        results.push(if let Some((index, policy)) = broad {
            result(
                &resource,
                Status::Fail,
                &format!("/AttachedPolicies/{index}"),
                format!(
                    "{} is attached; pods reach it through {}",
                    policy.policy_name.as_deref().unwrap_or("?"),
                    role.via
                ),
            )
        } else if let Some(policy) = inline_admin {
            result(
                &resource,
                Status::Fail,
                "/Policies",
                format!(
                    "inline policy {} allows * on *; pods reach it through {}",
                    policy.policy_name.as_deref().unwrap_or("?"),
                    role.via
                ),
            )
        } else {
            result(
                &resource,
                Status::Pass,
                "/AttachedPolicies",
                format!("no administrator policy ({})", role.via),
            )
        });
    }
    results
}
