use garrison_core::ecr::wildcard_match;
use garrison_core::{Level, Object, SeedControl, Severity, Status, Workload};

use super::per_repository;
use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// For each ECR repository a workload's images come from, reads `imageTagMutability` from
    /// the snapshot's `aws/ecr/describe-repositories.json`. `MUTABLE` and
    /// `MUTABLE_WITH_EXCLUSION` fail; `IMMUTABLE` passes; `IMMUTABLE_WITH_EXCLUSION` passes
    /// unless a tag the workload uses matches one of the exclusion filters, which is a warning.
    /// Repositories missing from the snapshot are UNKNOWN; workloads without private-ECR images
    /// pass.
    ///
    /// ## Why it matters
    /// In a mutable repository anyone with push rights can move a tag to another image: the
    /// next pod start, node replacement or rollout runs it, without a change to any manifest and
    /// after the scan and review of the original.
    ///
    /// ## How to fix
    /// `aws ecr put-image-tag-mutability --image-tag-mutability IMMUTABLE` on the repository,
    /// and reference images by digest.
    ///
    /// ## References
    /// - EKS Best Practices Guide, Image Security: use immutable tags with ECR
    /// - AWS Security Hub ECR.2: ECR private repositories should have tag immutability configured
    pub static META = CheckMeta {
        id: "EKS-IMG-004",
        name: "image-repository-tag-mutable",
        title: "ECR repository allows overwriting tags",
        severity: Severity::Medium,
        level: Level::Application,
        control: SeedControl::ImageSecurity,
        cis: None,
        security_hub: Some("ECR.2"),
        pss: None,
        remediation: "Make the ECR repository tag-immutable.",
    };
}

pub fn evaluate(context: &Context<'_>, workload: &Workload, _: &Object) -> Vec<Outcome> {
    per_repository(context, workload, |_, repository, images| {
        let name = repository.repository_name.as_deref().unwrap_or_default();
        match repository.image_tag_mutability.as_deref() {
            Some("IMMUTABLE") => (Status::Pass, format!("repository {name} is tag-immutable")),
            Some("IMMUTABLE_WITH_EXCLUSION") => {
                let excluded = images.iter().find_map(|image| {
                    let tag = image.reference.tag?;
                    repository
                        .image_tag_mutability_exclusion_filters
                        .iter()
                        .filter_map(|filter| filter.filter.as_deref())
                        .find(|filter| wildcard_match(filter, tag))
                        .map(|filter| (tag, filter))
                });
                match excluded {
                    Some((tag, filter)) => (
                        Status::Warn,
                        format!(
                            "repository {name} is tag-immutable except for tags matching {filter}, and tag {tag} matches it"
                        ),
                    ),
                    None => (
                        Status::Pass,
                        format!("repository {name} is tag-immutable for the tags in use"),
                    ),
                }
            }
            Some(mutability) => (
                Status::Fail,
                format!("repository {name} has imageTagMutability {mutability}"),
            ),
            None => (
                Status::Unknown,
                format!("repository {name} has no imageTagMutability in the snapshot"),
            ),
        }
    })
}
