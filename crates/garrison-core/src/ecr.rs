//! Typed views of the ECR and Inspector documents of a snapshot: `aws/ecr/describe-repositories.json`,
//! `aws/ecr/get-registry-scanning-configuration.json`,
//! `aws/ecr/image-scan-findings/<repository>/<digest-or-tag>.json`,
//! `aws/ecr/lifecycle-policies/<repository>.json`, `aws/ecr/repository-policies/<repository>.json`,
//! `aws/ecr/get-signing-configuration.json` and `aws/inspector2/list-findings.json`.
//!
//! `get-lifecycle-policy` and `get-repository-policy` answer a repository without a policy with
//! an error (`LifecyclePolicyNotFoundException`, `RepositoryPolicyNotFoundException`); the
//! collector records that in `manifest.json` as a failed call, and [`policy_not_found`] tells it
//! apart from a call that really failed.
//!
//! The CLI writes these services in camelCase; the PascalCase spelling of other AWS tools is
//! accepted too. Every field AWS may leave out is an `Option` (or an empty list), and unknown
//! fields are ignored.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

/// `aws ecr describe-repositories`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeRepositories {
    #[serde(default, alias = "Repositories")]
    pub repositories: Vec<Repository>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Repository {
    #[serde(alias = "RepositoryName")]
    pub repository_name: Option<String>,
    #[serde(alias = "RepositoryUri")]
    pub repository_uri: Option<String>,
    #[serde(alias = "RegistryId")]
    pub registry_id: Option<String>,
    /// `MUTABLE`, `IMMUTABLE`, `IMMUTABLE_WITH_EXCLUSION` or `MUTABLE_WITH_EXCLUSION`.
    #[serde(alias = "ImageTagMutability")]
    pub image_tag_mutability: Option<String>,
    #[serde(default, alias = "ImageTagMutabilityExclusionFilters")]
    pub image_tag_mutability_exclusion_filters: Vec<Filter>,
    #[serde(alias = "ImageScanningConfiguration")]
    pub image_scanning_configuration: Option<RepositoryScanning>,
    #[serde(alias = "EncryptionConfiguration")]
    pub encryption_configuration: Option<Encryption>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RepositoryScanning {
    #[serde(alias = "ScanOnPush")]
    pub scan_on_push: Option<bool>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Encryption {
    /// `AES256`, `KMS` or `KMS_DSSE`.
    #[serde(alias = "EncryptionType")]
    pub encryption_type: Option<String>,
    #[serde(alias = "KmsKey")]
    pub kms_key: Option<String>,
}

/// A repository filter of a scanning rule or a tag-mutability exclusion.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Filter {
    #[serde(alias = "Filter")]
    pub filter: Option<String>,
    /// `WILDCARD` (the only type AWS defines).
    #[serde(alias = "FilterType")]
    pub filter_type: Option<String>,
}

impl Filter {
    /// Whether the filter matches `name`: `*` matches any run of characters, everything else
    /// itself. A filter with no text matches nothing.
    pub fn matches(&self, name: &str) -> bool {
        self.filter
            .as_deref()
            .is_some_and(|pattern| wildcard_match(pattern, name))
    }
}

/// `aws ecr get-registry-scanning-configuration`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegistryScanningConfiguration {
    #[serde(alias = "RegistryId")]
    pub registry_id: Option<String>,
    #[serde(alias = "ScanningConfiguration")]
    pub scanning_configuration: Option<RegistryScanning>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegistryScanning {
    /// `BASIC` or `ENHANCED`.
    #[serde(alias = "ScanType")]
    pub scan_type: Option<String>,
    #[serde(default, alias = "Rules")]
    pub rules: Vec<ScanningRule>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScanningRule {
    /// `SCAN_ON_PUSH`, `CONTINUOUS_SCAN` or `MANUAL`.
    #[serde(alias = "ScanFrequency")]
    pub scan_frequency: Option<String>,
    #[serde(default, alias = "RepositoryFilters")]
    pub repository_filters: Vec<Filter>,
}

/// How often a repository's images are scanned automatically.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ScanFrequency {
    Never,
    OnPush,
    Continuous,
}

impl RegistryScanning {
    pub fn is_enhanced(&self) -> bool {
        self.scan_type.as_deref() == Some("ENHANCED")
    }

    /// How the registry scans `repository`, given the repository's own `scanOnPush`. Registry
    /// rules supersede the repository flag; with enhanced scanning a repository no rule matches
    /// is not scanned at all, with basic scanning the repository flag still applies.
    pub fn frequency_for(&self, repository: &str, repository_scan_on_push: bool) -> ScanFrequency {
        let from_rules = self
            .rules
            .iter()
            .filter(|rule| {
                rule.repository_filters
                    .iter()
                    .any(|filter| filter.matches(repository))
            })
            .map(|rule| match rule.scan_frequency.as_deref() {
                Some("CONTINUOUS_SCAN") if self.is_enhanced() => ScanFrequency::Continuous,
                Some("SCAN_ON_PUSH") | Some("CONTINUOUS_SCAN") => ScanFrequency::OnPush,
                _ => ScanFrequency::Never,
            })
            .max();
        match from_rules {
            Some(frequency) => frequency,
            None if !self.is_enhanced() && repository_scan_on_push => ScanFrequency::OnPush,
            None => ScanFrequency::Never,
        }
    }
}

/// `aws ecr describe-image-scan-findings`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageScanFindingsDocument {
    #[serde(alias = "RegistryId")]
    pub registry_id: Option<String>,
    #[serde(alias = "RepositoryName")]
    pub repository_name: Option<String>,
    #[serde(alias = "ImageId")]
    pub image_id: Option<ImageId>,
    #[serde(alias = "ImageScanStatus")]
    pub image_scan_status: Option<ImageScanStatus>,
    #[serde(alias = "ImageScanFindings")]
    pub image_scan_findings: Option<ImageScanFindings>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageId {
    #[serde(alias = "ImageDigest")]
    pub image_digest: Option<String>,
    #[serde(alias = "ImageTag")]
    pub image_tag: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageScanStatus {
    /// `COMPLETE`, `ACTIVE`, `IN_PROGRESS`, `FAILED`, `UNSUPPORTED_IMAGE`, ...
    #[serde(alias = "Status")]
    pub status: Option<String>,
    #[serde(alias = "Description")]
    pub description: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageScanFindings {
    #[serde(default, alias = "FindingSeverityCounts")]
    pub finding_severity_counts: BTreeMap<String, u64>,
    /// Basic scanning: one entry per CVE, `name` being the CVE id.
    #[serde(default, alias = "Findings")]
    pub findings: Vec<BasicFinding>,
    /// Enhanced scanning: Inspector's findings.
    #[serde(default, alias = "EnhancedFindings")]
    pub enhanced_findings: Vec<VulnerabilityFinding>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BasicFinding {
    #[serde(alias = "Name")]
    pub name: Option<String>,
    #[serde(alias = "Severity")]
    pub severity: Option<String>,
}

/// An Inspector finding, as `inspector2 list-findings` and ECR enhanced scanning report it.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VulnerabilityFinding {
    #[serde(alias = "Severity")]
    pub severity: Option<String>,
    /// `ACTIVE`, `SUPPRESSED` or `CLOSED`.
    #[serde(alias = "Status")]
    pub status: Option<String>,
    #[serde(alias = "Title")]
    pub title: Option<String>,
    #[serde(alias = "PackageVulnerabilityDetails")]
    pub package_vulnerability_details: Option<PackageVulnerabilityDetails>,
    #[serde(default, alias = "Resources")]
    pub resources: Vec<FindingResource>,
}

impl VulnerabilityFinding {
    /// The CVE (or other vulnerability) id, falling back to the title.
    pub fn vulnerability(&self) -> Option<&str> {
        self.package_vulnerability_details
            .as_ref()
            .and_then(|details| details.vulnerability_id.as_deref())
            .or(self.title.as_deref())
    }

    /// Not suppressed or closed.
    pub fn is_active(&self) -> bool {
        self.status
            .as_deref()
            .is_none_or(|status| status == "ACTIVE")
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PackageVulnerabilityDetails {
    #[serde(alias = "VulnerabilityId")]
    pub vulnerability_id: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FindingResource {
    /// `AWS_ECR_CONTAINER_IMAGE` for images.
    #[serde(rename = "type", alias = "Type")]
    pub resource_type: Option<String>,
    #[serde(alias = "Id")]
    pub id: Option<String>,
    #[serde(alias = "Details")]
    pub details: Option<ResourceDetails>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceDetails {
    #[serde(alias = "AwsEcrContainerImage")]
    pub aws_ecr_container_image: Option<EcrContainerImage>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EcrContainerImage {
    #[serde(alias = "RepositoryName")]
    pub repository_name: Option<String>,
    #[serde(alias = "ImageHash")]
    pub image_hash: Option<String>,
    #[serde(default, alias = "ImageTags")]
    pub image_tags: Vec<String>,
    /// The registry (account) id.
    #[serde(alias = "Registry")]
    pub registry: Option<String>,
}

/// `aws ecr get-lifecycle-policy`: `aws/ecr/lifecycle-policies/<repository>.json`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LifecyclePolicy {
    #[serde(alias = "RegistryId")]
    pub registry_id: Option<String>,
    #[serde(alias = "RepositoryName")]
    pub repository_name: Option<String>,
    /// The policy as a JSON string (`{"rules": [...]}`).
    #[serde(alias = "LifecyclePolicyText")]
    pub lifecycle_policy_text: Option<String>,
}

/// `aws ecr get-repository-policy`: `aws/ecr/repository-policies/<repository>.json`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RepositoryPolicy {
    #[serde(alias = "RegistryId")]
    pub registry_id: Option<String>,
    #[serde(alias = "RepositoryName")]
    pub repository_name: Option<String>,
    /// The IAM policy document as a JSON string.
    #[serde(alias = "PolicyText")]
    pub policy_text: Option<String>,
}

/// `aws ecr get-signing-configuration`: which pushed images ECR signs with AWS Signer.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SigningConfigurationDocument {
    #[serde(alias = "RegistryId")]
    pub registry_id: Option<String>,
    #[serde(alias = "SigningConfiguration")]
    pub signing_configuration: Option<SigningConfiguration>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SigningConfiguration {
    #[serde(default, alias = "Rules")]
    pub rules: Vec<SigningRule>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SigningRule {
    #[serde(alias = "SigningProfileArn")]
    pub signing_profile_arn: Option<String>,
    /// No filter means every repository.
    #[serde(default, alias = "RepositoryFilters")]
    pub repository_filters: Vec<Filter>,
}

/// Whether a failed call's error says the repository simply has no such policy.
pub fn policy_not_found(error: &str) -> bool {
    error.contains("LifecyclePolicyNotFoundException")
        || error.contains("RepositoryPolicyNotFoundException")
}

/// `aws inspector2 list-findings`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InspectorFindings {
    #[serde(default, alias = "Findings")]
    pub findings: Vec<VulnerabilityFinding>,
}

/// Decodes an AWS document, naming the JSON pointer of a mistyped field.
pub fn decode<T: for<'de> Deserialize<'de>>(value: &Value) -> Result<T, String> {
    crate::workload::decode(value).map_err(|error| {
        if error.pointer.is_empty() {
            error.message
        } else {
            format!("{}: {}", error.pointer, error.message)
        }
    })
}

/// An image reference taken apart: `[registry/]repository[:tag][@digest]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageReference<'a> {
    /// The registry host (with port); `docker.io` when the reference names none.
    pub registry: &'a str,
    pub repository: &'a str,
    pub tag: Option<&'a str>,
    pub digest: Option<&'a str>,
}

impl<'a> ImageReference<'a> {
    pub fn parse(image: &'a str) -> ImageReference<'a> {
        let (name, digest) = match image.split_once('@') {
            Some((name, digest)) => (name, Some(digest)),
            None => (image, None),
        };
        let (registry, path) = match name.split_once('/') {
            Some((first, rest))
                if first.contains('.') || first.contains(':') || first == "localhost" =>
            {
                (first, rest)
            }
            _ => ("docker.io", name),
        };
        let last_slash = path.rfind('/').map_or(0, |position| position + 1);
        let (repository, tag) = match path[last_slash..].split_once(':') {
            Some((_, tag)) => (&path[..path.len() - tag.len() - 1], Some(tag)),
            None => (path, None),
        };
        ImageReference {
            registry,
            repository,
            tag,
            digest,
        }
    }

    /// For a private ECR registry (`<account>.dkr.ecr.<region>.amazonaws.com[.cn]`), its
    /// account and region.
    pub fn ecr_registry(&self) -> Option<(&'a str, &'a str)> {
        let host = self.registry.split(':').next().unwrap_or(self.registry);
        let rest = host
            .strip_suffix(".amazonaws.com")
            .or_else(|| host.strip_suffix(".amazonaws.com.cn"))?;
        let (account, rest) = rest.split_once(".dkr.ecr")?;
        // `.dkr.ecr.<region>` or `.dkr.ecr-fips.<region>`.
        let region = rest.split_once('.')?.1;
        let is_account = account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
        (is_account && !region.is_empty() && !region.contains('.')).then_some((account, region))
    }
}

/// `*` matches any run of characters (also none); every other character matches itself.
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*');
    let Some(first) = parts.next() else {
        return text.is_empty();
    };
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(position) => rest = &rest[position + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_image_references() {
        let ecr = ImageReference::parse(
            "111122223333.dkr.ecr.us-east-1.amazonaws.com/payments/api:1.4@sha256:ab",
        );
        assert_eq!(ecr.repository, "payments/api");
        assert_eq!(ecr.tag, Some("1.4"));
        assert_eq!(ecr.digest, Some("sha256:ab"));
        assert_eq!(ecr.ecr_registry(), Some(("111122223333", "us-east-1")));
        let hub = ImageReference::parse("nginx");
        assert_eq!(
            (hub.registry, hub.repository, hub.tag),
            ("docker.io", "nginx", None)
        );
        let port = ImageReference::parse("registry.local:5000/team/app");
        assert_eq!(
            (port.registry, port.repository, port.tag),
            ("registry.local:5000", "team/app", None)
        );
        assert_eq!(port.ecr_registry(), None);
        assert_eq!(
            ImageReference::parse("public.ecr.aws/eks/aws-load-balancer-controller:v2")
                .ecr_registry(),
            None
        );
    }

    #[test]
    fn wildcards() {
        assert!(wildcard_match("*", "payments/api"));
        assert!(wildcard_match("payments/*", "payments/api"));
        assert!(!wildcard_match("payments/*", "checkout/api"));
        assert!(wildcard_match("*/api", "payments/api"));
        assert!(wildcard_match("a*b*c", "axxbyyc"));
        assert!(!wildcard_match("a*b*c", "axxbyy"));
        assert!(wildcard_match("exact", "exact"));
        assert!(!wildcard_match("exact", "exactly"));
    }

    #[test]
    fn registry_rules_supersede_the_repository_flag() {
        let enhanced: RegistryScanning = serde_json::from_value(serde_json::json!({
            "ScanType": "ENHANCED",
            "Rules": [{"ScanFrequency": "CONTINUOUS_SCAN",
                       "RepositoryFilters": [{"Filter": "payments/*", "FilterType": "WILDCARD"}]}]
        }))
        .unwrap();
        assert_eq!(
            enhanced.frequency_for("payments/api", false),
            ScanFrequency::Continuous
        );
        assert_eq!(
            enhanced.frequency_for("checkout/api", true),
            ScanFrequency::Never
        );
        let basic: RegistryScanning =
            serde_json::from_value(serde_json::json!({"scanType": "BASIC", "rules": []})).unwrap();
        assert_eq!(basic.frequency_for("x", true), ScanFrequency::OnPush);
        assert_eq!(basic.frequency_for("x", false), ScanFrequency::Never);
    }
}
