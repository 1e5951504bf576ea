//! ECR documents per image and per repository (camelCase): the scan result of each private ECR
//! image the cluster runs (`image-scan-findings/<repository>/<digest or tag>.json`) and the
//! lifecycle and repository policies of the repositories those images come from
//! (`lifecycle-policies/<repository>.json`, `repository-policies/<repository>.json`).
//!
//! A repository without a lifecycle or repository policy answers with an error
//! (`LifecyclePolicyNotFoundException`, `RepositoryPolicyNotFoundException`): it is recorded as a
//! failed call with that error, which the checks read as "no policy".

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_ecr::Client;
use aws_sdk_ecr::types::{
    AwsEcrContainerImageDetails, EnhancedImageScanFinding, ImageIdentifier, ImageScanFinding,
    ImageScanStatus, PackageVulnerabilityDetails, Repository, Resource, ResourceDetails,
};
use garrison_core::ecr::ImageReference;
use serde_json::Value;

use super::Context;
use super::convert::{ToJson, cli, text, to_json};
use crate::safe_file_name;

to_json! {
    ImageIdentifier => |i| cli! { "imageDigest" => i.image_digest, "imageTag" => i.image_tag };
    ImageScanStatus => |s| cli! { "status" => text(&s.status), "description" => s.description };
    ImageScanFinding => |f| cli! {
        "name" => f.name, "description" => f.description, "uri" => f.uri,
        "severity" => text(&f.severity),
    };
    EnhancedImageScanFinding => |f| cli! {
        "awsAccountId" => f.aws_account_id, "findingArn" => f.finding_arn,
        "description" => f.description, "title" => f.title, "type" => f.r#type,
        "severity" => f.severity, "status" => f.status, "score" => f.score,
        "firstObservedAt" => f.first_observed_at, "lastObservedAt" => f.last_observed_at,
        "updatedAt" => f.updated_at,
        "packageVulnerabilityDetails" => f.package_vulnerability_details,
        "resources" => f.resources, "fixAvailable" => f.fix_available,
    };
    PackageVulnerabilityDetails => |d| cli! {
        "vulnerabilityId" => d.vulnerability_id, "source" => d.source,
        "vendorSeverity" => d.vendor_severity,
    };
    Resource => |r| cli! { "id" => r.id, "type" => r.r#type, "details" => r.details };
    ResourceDetails => |d| cli! { "awsEcrContainerImage" => d.aws_ecr_container_image };
    AwsEcrContainerImageDetails => |i| cli! {
        "registry" => i.registry, "repositoryName" => i.repository_name,
        "imageHash" => i.image_hash, "imageTags" => i.image_tags,
    };
}

/// A private ECR image a workload runs: the registry's account, its repository and the
/// reference (digest when the image names one, else its tag, `latest` by default), as the
/// image checks look it up.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct EcrImage {
    pub account: String,
    pub region: String,
    pub repository: String,
    pub reference: String,
}

impl EcrImage {
    /// `None` for an image outside a private ECR registry.
    pub fn parse(image: &str) -> Option<EcrImage> {
        let parsed = ImageReference::parse(image);
        let (account, region) = parsed.ecr_registry()?;
        let reference = parsed.digest.or(parsed.tag).unwrap_or("latest");
        Some(EcrImage {
            account: account.to_string(),
            region: region.to_string(),
            repository: parsed.repository.to_string(),
            reference: reference.to_string(),
        })
    }

    fn identifier(&self) -> ImageIdentifier {
        let builder = ImageIdentifier::builder();
        if self.reference.contains(':') {
            builder.image_digest(&self.reference).build()
        } else {
            builder.image_tag(&self.reference).build()
        }
    }
}

/// A repository name as a relative path: each `/`-separated segment made safe, so the file
/// stays below its directory whatever the API answered.
fn repository_path(repository: &str) -> String {
    repository
        .split('/')
        .map(safe_file_name)
        .collect::<Vec<_>>()
        .join("/")
}

/// The scan results of `images` in `region`, then the policies of the repositories they come
/// from among `repositories` (the account's own, from `describe-repositories`). Without images
/// (the Kubernetes side not collected), the policies of every repository are read.
pub async fn collect(
    context: &Context<'_>,
    region: Option<&str>,
    images: &BTreeSet<EcrImage>,
    repositories: &[Repository],
    images_known: bool,
) {
    let client = Client::new(context.config);
    // Only this region's registries answer through this client; the others are recorded as
    // not asked, so the manifest says why their scan results are missing.
    let (local, elsewhere): (Vec<&EcrImage>, Vec<&EcrImage>) = images
        .iter()
        .partition(|image| region.is_none_or(|region| image.region == region));
    for image in elsewhere {
        context.recorder.fail(
            "ecr:DescribeImageScanFindings",
            &scan_file(image),
            &format!(
                "not asked: the image's registry is in {}, the collection reads {}",
                image.region,
                region.unwrap_or_default()
            ),
        );
    }
    let used: BTreeSet<(&str, &str)> = local
        .iter()
        .map(|image| (image.account.as_str(), image.repository.as_str()))
        .collect();
    let repositories: Vec<(String, String)> = repositories
        .iter()
        .filter_map(|repository| {
            Some((
                repository.registry_id.clone()?,
                repository.repository_name.clone()?,
            ))
        })
        .filter(|(registry, name)| !images_known || used.contains(&(registry, name)))
        .collect();
    tokio::join!(
        context.each(local, |image| {
            let client = &client;
            async move { scan_findings(context, client, image).await }
        }),
        context.each(repositories, |(registry, name)| {
            let client = &client;
            async move { policies(context, client, &registry, &name).await }
        }),
    );
}

fn scan_file(image: &EcrImage) -> String {
    format!(
        "aws/ecr/image-scan-findings/{}/{}.json",
        repository_path(&image.repository),
        safe_file_name(&image.reference)
    )
}

/// `describe-image-scan-findings` of one image, every page merged into one document.
async fn scan_findings(context: &Context<'_>, client: &Client, image: &EcrImage) {
    let file = scan_file(image);
    let pages = {
        let _permit = context.permits.acquire().await;
        client
            .describe_image_scan_findings()
            .registry_id(&image.account)
            .repository_name(&image.repository)
            .image_id(image.identifier())
            .into_paginator()
            .send()
            .try_collect()
            .await
    };
    let pages = match pages {
        Ok(pages) => pages,
        Err(error) => {
            let text = super::ErrorText::text(&error);
            context
                .recorder
                .fail("ecr:DescribeImageScanFindings", &file, &text);
            return;
        }
    };
    let mut findings = Vec::new();
    let mut enhanced = Vec::new();
    let mut document = serde_json::Map::new();
    for page in &pages {
        if let Some(scan) = &page.image_scan_findings {
            findings.extend(scan.findings().iter().map(ToJson::to_json));
            enhanced.extend(scan.enhanced_findings().iter().map(ToJson::to_json));
        }
    }
    if let Some(first) = pages.first() {
        if let Value::Object(members) = cli! {
            "registryId" => first.registry_id, "repositoryName" => first.repository_name,
            "imageId" => first.image_id, "imageScanStatus" => first.image_scan_status,
        } {
            document = members;
        }
        if let Some(scan) = &first.image_scan_findings {
            let counts: BTreeMap<String, i32> = scan
                .finding_severity_counts
                .iter()
                .flatten()
                .map(|(severity, count)| (severity.as_str().to_string(), *count))
                .collect();
            let mut members = serde_json::Map::new();
            let times = cli! {
                "imageScanCompletedAt" => scan.image_scan_completed_at,
                "vulnerabilitySourceUpdatedAt" => scan.vulnerability_source_updated_at,
            };
            if let Value::Object(times) = times {
                members.extend(times);
            }
            members.insert("findingSeverityCounts".into(), serde_json::json!(counts));
            if !findings.is_empty() {
                members.insert("findings".into(), Value::Array(findings));
            }
            if !enhanced.is_empty() {
                members.insert("enhancedFindings".into(), Value::Array(enhanced));
            }
            document.insert("imageScanFindings".into(), Value::Object(members));
        }
    }
    context.recorder.write(
        "ecr:DescribeImageScanFindings",
        &file,
        &Value::Object(document),
    );
}

/// `get-lifecycle-policy` and `get-repository-policy` of one repository.
async fn policies(context: &Context<'_>, client: &Client, registry: &str, name: &str) {
    let path = repository_path(name);
    let (lifecycle, policy) = (
        format!("aws/ecr/lifecycle-policies/{path}.json"),
        format!("aws/ecr/repository-policies/{path}.json"),
    );
    tokio::join!(
        context.fetch(
            "ecr:GetLifecyclePolicy",
            &lifecycle,
            client
                .get_lifecycle_policy()
                .registry_id(registry)
                .repository_name(name)
                .send(),
            |output| cli! {
                "registryId" => output.registry_id,
                "repositoryName" => output.repository_name,
                "lifecyclePolicyText" => output.lifecycle_policy_text,
                "lastEvaluatedAt" => output.last_evaluated_at,
            },
        ),
        context.fetch(
            "ecr:GetRepositoryPolicy",
            &policy,
            client
                .get_repository_policy()
                .registry_id(registry)
                .repository_name(name)
                .send(),
            |output| cli! {
                "registryId" => output.registry_id,
                "repositoryName" => output.repository_name,
                "policyText" => output.policy_text,
            },
        ),
    );
}

#[cfg(test)]
mod tests {
    use super::{EcrImage, repository_path};

    #[test]
    fn private_ecr_images_are_named_as_the_checks_look_them_up() {
        let image =
            EcrImage::parse("123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api:v2").unwrap();
        assert_eq!(
            (
                image.account.as_str(),
                image.region.as_str(),
                image.repository.as_str(),
                image.reference.as_str()
            ),
            ("123456789012", "eu-west-1", "team/api", "v2")
        );
        let pinned = EcrImage::parse(
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:v2@sha256:0123456789abcdef",
        )
        .unwrap();
        assert_eq!(pinned.reference, "sha256:0123456789abcdef");
        let untagged = EcrImage::parse("123456789012.dkr.ecr.eu-west-1.amazonaws.com/api").unwrap();
        assert_eq!(untagged.reference, "latest");
        assert_eq!(EcrImage::parse("docker.io/library/nginx:1.27"), None);
        assert_eq!(EcrImage::parse("public.ecr.aws/nginx/nginx:1.27"), None);
    }

    #[test]
    fn repository_paths_stay_below_their_directory() {
        assert_eq!(repository_path("team/api"), "team/api");
        assert_eq!(repository_path("../../etc"), "___/___/etc");
    }
}
