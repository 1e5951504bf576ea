use garrison_core::aws::iam::PolicyDocument;
use garrison_core::ecr::RepositoryPolicy;
use garrison_core::{Level, Object, SeedControl, Severity, Status, Workload};

use super::{per_repository, repository_policy};
use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// For each ECR repository a workload's images come from, reads the repository policy from
    /// `aws/ecr/repository-policies/<repository>.json` (`aws ecr get-repository-policy` output)
    /// and fails when an `Allow` statement names any principal (`"*"` or `{"AWS": "*"}`) without
    /// a `Condition` that narrows it (such as `aws:PrincipalOrgID` or `aws:SourceAccount`). A
    /// repository without a policy (`RepositoryPolicyNotFoundException`, recorded as a failed
    /// call in `manifest.json`) passes: only IAM in the owning account grants access to it. A
    /// policy that cannot be read, or a repository missing from the snapshot, is UNKNOWN.
    ///
    /// The other half of CIS 5.1.2/5.1.3, node roles holding ECR actions beyond pulling, is
    /// judged by EKS-IAM-003 (node role least privilege).
    ///
    /// ## Why it matters
    /// A repository policy with an unconditioned `*` principal opens the repository to every AWS
    /// account: with `ecr:GetDownloadUrlForLayer`/`ecr:BatchGetImage` anyone can pull the
    /// images (and the secrets baked into them); with `ecr:PutImage` anyone can replace what the
    /// cluster runs.
    ///
    /// ## How to fix
    /// Name the accounts or roles that need access as principals, or keep `*` only with a
    /// condition such as `"StringEquals": {"aws:PrincipalOrgID": "o-…"}`;
    /// `aws ecr set-repository-policy` (or `delete-repository-policy`).
    ///
    /// ## References
    /// - CIS Amazon EKS Benchmark v1.8.0, 5.1.2: Minimize user access to Amazon ECR
    /// - Amazon ECR documentation: private repository policies
    pub static META = CheckMeta {
        id: "EKS-IMG-006",
        name: "image-repository-policy-public",
        title: "ECR repository policy grants access to any principal",
        severity: Severity::High,
        level: Level::Application,
        control: SeedControl::ImageSecurity,
        cis: Some("5.1.2"),
        security_hub: None,
        pss: None,
        remediation: "Restrict the repository policy to named principals or add a condition.",
    };
}

pub fn evaluate(context: &Context<'_>, workload: &Workload, _: &Object) -> Vec<Outcome> {
    per_repository(context, workload, |_, repository, _| {
        let name = repository.repository_name.as_deref().unwrap_or_default();
        match repository_policy::<RepositoryPolicy>(context, "repository-policies", repository) {
            Err(reason) => (Status::Unknown, reason),
            Ok(None) => (
                Status::Pass,
                format!("repository {name} has no repository policy"),
            ),
            Ok(Some(policy)) => {
                let Some(text) = policy.policy_text else {
                    return (
                        Status::Unknown,
                        format!("repository {name}: the document has no policyText"),
                    );
                };
                match PolicyDocument::parse(&serde_json::Value::String(text)) {
                    Err(error) => (Status::Unknown, format!("repository {name}: {error}")),
                    Ok(document) => judge(name, &document),
                }
            }
        }
    })
}

fn judge(name: &str, document: &PolicyDocument) -> (Status, String) {
    let open: Vec<String> = document
        .statements
        .iter()
        .filter(|statement| {
            statement.allows()
                && statement.conditions.is_empty()
                && statement
                    .principals
                    .iter()
                    .any(|(kind, value)| (kind == "*" || kind == "AWS") && value == "*")
        })
        .flat_map(|statement| {
            if statement.actions.is_empty() {
                vec!["every action but the NotAction list".to_string()]
            } else {
                statement.actions.clone()
            }
        })
        .collect();
    if open.is_empty() {
        (
            Status::Pass,
            format!(
                "repository {name}'s policy grants nothing to an unconditioned \"*\" principal"
            ),
        )
    } else {
        (
            Status::Fail,
            format!(
                "repository {name}'s policy allows {} to any principal without a condition",
                open.join(", ")
            ),
        )
    }
}
