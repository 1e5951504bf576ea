use garrison_core::ecr::LifecyclePolicy;
use garrison_core::{Level, Object, SeedControl, Severity, Status, Workload};

use super::{per_repository, repository_policy};
use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// For each ECR repository a workload's images come from, reads the repository's lifecycle
    /// policy from `aws/ecr/lifecycle-policies/<repository>.json` (`aws ecr
    /// get-lifecycle-policy` output). PASS when the policy has at least one rule; FAIL when the
    /// call answered `LifecyclePolicyNotFoundException` (recorded as a failed call in
    /// `manifest.json`) or the policy has no rules; UNKNOWN when the document was not collected,
    /// the call failed otherwise, or the repository is not in the snapshot.
    ///
    /// ## Why it matters
    /// Without a lifecycle policy every image ever pushed stays pullable: old builds with known
    /// vulnerabilities remain one tag away from running again, and the registry's scan findings
    /// drown in images nobody uses.
    ///
    /// ## How to fix
    /// `aws ecr put-lifecycle-policy --repository-name NAME --lifecycle-policy-text file://policy.json`
    /// with rules that expire untagged images after a few days and keep only the last N tagged
    /// releases.
    ///
    /// ## References
    /// - Amazon ECR documentation: lifecycle policies
    /// - AWS Security Hub ECR.3: ECR repositories should have at least one lifecycle policy configured
    pub static META = CheckMeta {
        id: "EKS-IMG-005",
        name: "image-repository-without-lifecycle-policy",
        title: "ECR repository has no lifecycle policy",
        severity: Severity::Low,
        level: Level::Application,
        control: SeedControl::ImageSecurity,
        cis: None,
        security_hub: Some("ECR.3"),
        pss: None,
        remediation: "Give the ECR repository a lifecycle policy that expires old images.",
    };
}

pub fn evaluate(context: &Context<'_>, workload: &Workload, _: &Object) -> Vec<Outcome> {
    per_repository(context, workload, |_, repository, _| {
        let name = repository.repository_name.as_deref().unwrap_or_default();
        match repository_policy::<LifecyclePolicy>(context, "lifecycle-policies", repository) {
            Err(reason) => (Status::Unknown, reason),
            Ok(None) => (
                Status::Fail,
                format!("repository {name} has no lifecycle policy"),
            ),
            Ok(Some(policy)) => {
                let rules = policy
                    .lifecycle_policy_text
                    .as_deref()
                    .and_then(|text| serde_json::from_str::<serde_json::Value>(text).ok())
                    .and_then(|policy| policy.get("rules")?.as_array().map(Vec::len));
                match rules {
                    Some(0) => (
                        Status::Fail,
                        format!("repository {name} has a lifecycle policy without rules"),
                    ),
                    Some(count) => (
                        Status::Pass,
                        format!("repository {name} has a lifecycle policy with {count} rule(s)"),
                    ),
                    None => (
                        Status::Unknown,
                        format!(
                            "repository {name}: lifecyclePolicyText is missing or not a JSON policy with rules"
                        ),
                    ),
                }
            }
        }
    })
}
