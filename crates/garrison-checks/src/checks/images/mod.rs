//! Where images come from, whether a reference always means the same image, and what the ECR
//! registry knows about the images that run: repository settings and scan results.
//!
//! The ECR and Inspector documents of a snapshot are read once per scan into an [`EcrIndex`].
//! Checks that need them judge only workloads with private-ECR images (the others pass: there is
//! nothing to join), and report NOT_APPLICABLE when the input is not a cluster snapshot and
//! UNKNOWN, with the reason, when the snapshot lacks a document: never PASS.

pub mod image_repository_not_encrypted;
pub mod image_repository_not_rescanned;
pub mod image_repository_not_scanned;
pub mod image_repository_policy_public;
pub mod image_repository_tag_mutable;
pub mod image_repository_without_lifecycle_policy;
pub mod image_tag_mutable;
pub mod image_vulnerable;
pub mod inspector_ecr_disabled;
pub mod registry_not_allowed;
pub mod signature_verification_missing;

use std::collections::{BTreeSet, HashMap};

use garrison_core::ecr::{
    self, DescribeRepositories, ImageReference, ImageScanFindingsDocument, InspectorFindings,
    RegistryScanning, RegistryScanningConfiguration, Repository,
};
use garrison_core::{ContainerKind, Status, Workload};

use crate::engine::{Context, Outcome};

const REPOSITORIES: &str = "ecr/describe-repositories.json";
const REGISTRY_SCANNING: &str = "ecr/get-registry-scanning-configuration.json";
const SCAN_FINDINGS: &str = "ecr/image-scan-findings/";
const INSPECTOR: &str = "inspector2/list-findings.json";

/// Vulnerabilities of one image, as far as a scan says.
#[derive(Debug, Default)]
pub struct ImageVulnerabilities {
    /// `(severity, id)` of each CRITICAL or HIGH vulnerability, CRITICAL first.
    pub serious: BTreeSet<(u8, String)>,
    /// Counts of CRITICAL and HIGH when the document gives counts but not the findings.
    pub counted: (u64, u64),
    /// Which documents said so.
    pub sources: BTreeSet<&'static str>,
    /// Why the scan gave no answer (`FAILED`, `UNSUPPORTED_IMAGE`, ...).
    pub unusable: Option<String>,
}

/// The ECR and Inspector documents of a snapshot, read once per scan.
#[derive(Debug)]
pub struct EcrIndex {
    /// Repositories by (registry id, name), or why they are not known.
    repositories: Result<HashMap<(String, String), Repository>, String>,
    /// The registry's scanning configuration, or why it is not known.
    scanning: Result<RegistryScanning, String>,
    /// ECR scan results by (registry id, repository, digest or tag); the registry id is empty
    /// when the document names none.
    scans: HashMap<ImageKey, std::sync::Arc<ImageVulnerabilities>>,
    /// Scan-findings calls the manifest records as failed: the document's key (below `aws/`)
    /// and the error.
    failed_scans: HashMap<String, String>,
    /// Active Inspector findings by (registry id, repository, digest or tag), or why there are
    /// none.
    inspector: Result<HashMap<ImageKey, Box<ImageVulnerabilities>>, String>,
}

/// The scan's [`EcrIndex`]; `None` when the input is not a cluster snapshot.
pub fn ecr_index<'a>(context: &Context<'a>) -> Option<&'a EcrIndex> {
    let snapshot = context.inventory.snapshot.as_ref()?;
    Some(context.shared.ecr.get_or_init(|| {
        let document = |key: &str| snapshot.aws(key).map_err(|missing| missing.reason(key));
        let repositories = document(REPOSITORIES).and_then(|value| {
            let decoded: DescribeRepositories = ecr::decode(value)
                .map_err(|error| format!("aws/{REPOSITORIES} cannot be read: {error}"))?;
            Ok(decoded
                .repositories
                .into_iter()
                .filter_map(|repository| {
                    let registry = repository.registry_id.clone().or_else(|| {
                        let uri = repository.repository_uri.as_deref()?;
                        Some(ImageReference::parse(uri).ecr_registry()?.0.to_string())
                    })?;
                    let name = repository.repository_name.clone()?;
                    Some(((registry, name), repository))
                })
                .collect())
        });
        let scanning = document(REGISTRY_SCANNING).and_then(|value| {
            let decoded: RegistryScanningConfiguration = ecr::decode(value)
                .map_err(|error| format!("aws/{REGISTRY_SCANNING} cannot be read: {error}"))?;
            Ok(decoded.scanning_configuration.unwrap_or_default())
        });
        let mut scans = HashMap::new();
        for (key, value) in snapshot.aws.range(SCAN_FINDINGS.to_string()..) {
            let Some(path) = key.strip_prefix(SCAN_FINDINGS) else {
                break;
            };
            let Some((repository, reference)) = path
                .strip_suffix(".json")
                .and_then(|path| path.rsplit_once('/'))
            else {
                continue;
            };
            // Indexed by the file name and by the digest and tag the document names, so that a
            // file named by tag serves an image referenced by digest (and file names need no `:`).
            let mut registry = String::new();
            let (vulnerabilities, named) = match ecr::decode::<ImageScanFindingsDocument>(value) {
                Ok(document) => {
                    registry = document.registry_id.clone().unwrap_or_default();
                    let named: Vec<String> = document
                        .image_id
                        .iter()
                        .flat_map(|id| id.image_digest.iter().chain(&id.image_tag))
                        .cloned()
                        .collect();
                    (scan_vulnerabilities(&document), named)
                }
                Err(error) => (
                    ImageVulnerabilities {
                        unusable: Some(format!("aws/{key} cannot be read: {error}")),
                        ..ImageVulnerabilities::default()
                    },
                    Vec::new(),
                ),
            };
            let vulnerabilities = std::sync::Arc::new(vulnerabilities);
            for reference in named.into_iter().chain(Some(reference.to_string())) {
                scans
                    .entry((registry.clone(), repository.to_string(), reference))
                    .or_insert_with(|| vulnerabilities.clone());
            }
        }
        let failed_scans: HashMap<String, String> = snapshot
            .failed_calls()
            .filter_map(|(file, error)| {
                let key = file.strip_prefix("aws/")?;
                key.starts_with(SCAN_FINDINGS)
                    .then(|| (key.to_string(), error.to_string()))
            })
            .collect();
        let inspector = document(INSPECTOR).and_then(|value| {
            let decoded: InspectorFindings = ecr::decode(value)
                .map_err(|error| format!("aws/{INSPECTOR} cannot be read: {error}"))?;
            Ok(inspector_vulnerabilities(&decoded))
        });
        EcrIndex {
            repositories,
            scanning,
            scans,
            failed_scans,
            inspector,
        }
    }))
}

fn severity_rank(severity: &str) -> Option<u8> {
    match severity {
        "CRITICAL" => Some(0),
        "HIGH" => Some(1),
        _ => None,
    }
}

fn scan_vulnerabilities(document: &ImageScanFindingsDocument) -> ImageVulnerabilities {
    let mut result = ImageVulnerabilities::default();
    result.sources.insert("ECR image scan");
    let status = document
        .image_scan_status
        .as_ref()
        .and_then(|status| status.status.as_deref());
    if let Some(status) = status.filter(|status| !matches!(*status, "COMPLETE" | "ACTIVE")) {
        let description = document
            .image_scan_status
            .as_ref()
            .and_then(|status| status.description.as_deref())
            .unwrap_or_default();
        result.unusable = Some(
            format!("the ECR scan status is {status} {description}")
                .trim_end()
                .to_string(),
        );
        return result;
    }
    let Some(findings) = &document.image_scan_findings else {
        return result;
    };
    for finding in &findings.findings {
        if let (Some(rank), Some(name)) = (
            finding.severity.as_deref().and_then(severity_rank),
            &finding.name,
        ) {
            result.serious.insert((rank, name.clone()));
        }
    }
    for finding in findings.enhanced_findings.iter().filter(|f| f.is_active()) {
        if let (Some(rank), Some(name)) = (
            finding.severity.as_deref().and_then(severity_rank),
            finding.vulnerability(),
        ) {
            result.serious.insert((rank, name.to_string()));
        }
    }
    if result.serious.is_empty() {
        let count = |severity: &str| {
            findings
                .finding_severity_counts
                .get(severity)
                .copied()
                .unwrap_or(0)
        };
        result.counted = (count("CRITICAL"), count("HIGH"));
    }
    result
}

fn inspector_vulnerabilities(
    document: &InspectorFindings,
) -> HashMap<ImageKey, Box<ImageVulnerabilities>> {
    let mut by_image: HashMap<ImageKey, Box<ImageVulnerabilities>> = HashMap::new();
    for finding in document.findings.iter().filter(|f| f.is_active()) {
        let Some(rank) = finding.severity.as_deref().and_then(severity_rank) else {
            continue;
        };
        let Some(vulnerability) = finding.vulnerability() else {
            continue;
        };
        for resource in &finding.resources {
            let Some(image) = resource
                .details
                .as_ref()
                .and_then(|details| details.aws_ecr_container_image.as_ref())
            else {
                continue;
            };
            let Some(repository) = &image.repository_name else {
                continue;
            };
            let references = image.image_hash.iter().chain(&image.image_tags);
            for reference in references {
                let registry = image.registry.clone().unwrap_or_default();
                let entry = by_image
                    .entry((registry, repository.clone(), reference.clone()))
                    .or_default();
                entry.sources.insert("Inspector");
                entry.serious.insert((rank, vulnerability.to_string()));
            }
        }
    }
    by_image
}

/// An image of a workload in a private ECR registry.
#[derive(Debug)]
pub struct EcrImage<'a> {
    pub image: &'a str,
    pub reference: ImageReference<'a>,
    pub account: &'a str,
    /// Pointer to the first container's `image` field.
    pub pointer: String,
    /// `container "api"`, or `containers "api", "sidecar"` when several run it.
    pub containers: Vec<&'a str>,
}

impl EcrImage<'_> {
    pub fn describe(&self) -> String {
        let names: Vec<String> = self.containers.iter().map(|n| format!("\"{n}\"")).collect();
        let noun = if names.len() == 1 {
            "container"
        } else {
            "containers"
        };
        format!("{noun} {} image {}", names.join(", "), self.image)
    }
}

/// Every container's image with the pointer of its `image` field, without building pointers.
pub(crate) fn container_images(
    workload: &Workload,
) -> impl Iterator<Item = (ContainerKind, usize, &str, &str)> {
    let spec = &workload.spec;
    let init = spec
        .init_containers
        .iter()
        .flatten()
        .enumerate()
        .map(|(i, c)| (ContainerKind::Init, i, c.name.as_str(), c.image.as_deref()));
    let regular = spec.containers.iter().enumerate().map(|(i, c)| {
        (
            ContainerKind::Regular,
            i,
            c.name.as_str(),
            c.image.as_deref(),
        )
    });
    let ephemeral = spec
        .ephemeral_containers
        .iter()
        .flatten()
        .enumerate()
        .map(|(i, c)| {
            (
                ContainerKind::Ephemeral,
                i,
                c.name.as_str(),
                c.image.as_deref(),
            )
        });
    init.chain(regular)
        .chain(ephemeral)
        .filter_map(|(kind, index, name, image)| Some((kind, index, name, image?)))
}

pub(crate) fn image_pointer(workload: &Workload, kind: ContainerKind, index: usize) -> String {
    format!("{}/{}/{index}/image", workload.spec_pointer, kind.field())
}

/// The distinct private-ECR images of a workload.
pub fn ecr_images(workload: &Workload) -> Vec<EcrImage<'_>> {
    let mut images: Vec<EcrImage<'_>> = Vec::new();
    for (kind, index, name, image) in container_images(workload) {
        if let Some(existing) = images.iter_mut().find(|known| known.image == image) {
            existing.containers.push(name);
            continue;
        }
        let reference = ImageReference::parse(image);
        let Some((account, _)) = reference.ecr_registry() else {
            continue;
        };
        images.push(EcrImage {
            image,
            reference,
            account,
            pointer: image_pointer(workload, kind, index),
            containers: vec![name],
        });
    }
    images
}

/// What a repository check says about one repository.
pub(crate) type RepositoryVerdict = (Status, String);

/// Runs `judge` once per distinct ECR repository the workload's images come from. No outcome
/// (PASS) without ECR images; NOT_APPLICABLE without a snapshot; UNKNOWN when the repository is
/// not in the snapshot.
pub(crate) fn per_repository(
    context: &Context<'_>,
    workload: &Workload,
    judge: impl Fn(&EcrIndex, &Repository, &[&EcrImage<'_>]) -> RepositoryVerdict,
) -> Vec<Outcome> {
    // A workload without private-ECR images has nothing for these checks to judge: it passes,
    // as a workload without hostPath volumes passes the hostPath checks.
    let images = ecr_images(workload);
    if images.is_empty() {
        return Vec::new();
    }
    let Some(index) = ecr_index(context) else {
        return not_a_snapshot();
    };
    let mut outcomes = Vec::new();
    let mut done: Vec<(&str, &str)> = Vec::new();
    for image in &images {
        let key = (image.account, image.reference.repository);
        if done.contains(&key) {
            continue;
        }
        done.push(key);
        let same: Vec<&EcrImage<'_>> = images
            .iter()
            .filter(|other| (other.account, other.reference.repository) == key)
            .collect();
        let (status, message) = match &index.repositories {
            Err(reason) => (Status::Unknown, reason.clone()),
            Ok(repositories) => match repositories.get(&(key.0.to_string(), key.1.to_string())) {
                Some(repository) => judge(index, repository, &same),
                None => (
                    Status::Unknown,
                    format!(
                        "repository {} of account {} is not in aws/{REPOSITORIES}",
                        key.1, key.0
                    ),
                ),
            },
        };
        outcomes.push(Outcome::with_status(
            status,
            Some(image.pointer.clone()),
            message,
        ));
    }
    outcomes
}

/// A per-repository document below `aws/ecr/<directory>/` (`lifecycle-policies`,
/// `repository-policies`) of the repository: `Ok(None)` when the call answered that the
/// repository has no such policy, `Err` with the reason when the document is not available.
pub(crate) fn repository_policy<T: serde::de::DeserializeOwned>(
    context: &Context<'_>,
    directory: &str,
    repository: &Repository,
) -> Result<Option<T>, String> {
    let name = repository.repository_name.as_deref().unwrap_or_default();
    let key = format!("ecr/{directory}/{name}.json");
    let Some(snapshot) = context.inventory.snapshot.as_ref() else {
        return Err("the input is not a cluster snapshot".to_string());
    };
    match snapshot.document::<T>(&key) {
        Ok(document) => Ok(Some(document)),
        Err(garrison_core::snapshot::Missing::Failed(error)) if ecr::policy_not_found(&error) => {
            Ok(None)
        }
        Err(missing) => Err(missing.reason(&key)),
    }
}

pub(crate) fn not_a_snapshot() -> Vec<Outcome> {
    vec![Outcome::with_status(
        Status::NotApplicable,
        None,
        "the input is not a cluster snapshot: no ECR data",
    )]
}

impl EcrIndex {
    pub fn registry_is_enhanced(&self) -> bool {
        self.scanning
            .as_ref()
            .is_ok_and(|scanning| scanning.is_enhanced())
    }

    /// How the registry scans `repository`, or why that is not known.
    pub fn scan_frequency(&self, repository: &Repository) -> Result<ecr::ScanFrequency, String> {
        let scanning = self.scanning.as_ref().map_err(Clone::clone)?;
        let scan_on_push = repository
            .image_scanning_configuration
            .as_ref()
            .and_then(|configuration| configuration.scan_on_push)
            .unwrap_or(false);
        Ok(scanning.frequency_for(
            repository.repository_name.as_deref().unwrap_or_default(),
            scan_on_push,
        ))
    }

    /// The CRITICAL and HIGH vulnerabilities of an image from the ECR scan result and Inspector,
    /// looked up by digest, then by tag (`latest` when none); `Err` with what is missing when no
    /// document covers the image.
    pub fn vulnerabilities(&self, image: &EcrImage<'_>) -> Result<ImageVulnerabilities, String> {
        let repository = image.reference.repository;
        let references: Vec<&str> = image
            .reference
            .digest
            .into_iter()
            .chain(Some(image.reference.tag.unwrap_or("latest")))
            .collect();
        let scan = lookup(&self.scans, image.account, repository, &references);
        let inspector = self
            .inspector
            .as_ref()
            .ok()
            .and_then(|map| lookup(map, image.account, repository, &references));
        if scan.is_none() && inspector.is_none() {
            let expected = references
                .iter()
                .map(|reference| format!("aws/{SCAN_FINDINGS}{repository}/{reference}.json"))
                .collect::<Vec<_>>()
                .join(" or ");
            // Inspector lists findings only: an image it covers with no finding is clean.
            if self.inspector.is_ok() {
                let covered = self
                    .repositories
                    .as_ref()
                    .ok()
                    .and_then(|repositories| {
                        repositories.get(&(image.account.to_string(), repository.to_string()))
                    })
                    .and_then(|repository| self.scan_frequency(repository).ok())
                    .zip(self.scanning.as_ref().ok())
                    .is_some_and(|(frequency, scanning)| {
                        scanning.is_enhanced() && frequency != ecr::ScanFrequency::Never
                    });
                if covered {
                    let mut clean = ImageVulnerabilities::default();
                    clean.sources.insert("Inspector");
                    return Ok(clean);
                }
            }
            let inspector = match &self.inspector {
                Ok(_) => "Inspector has no finding and does not scan the repository".to_string(),
                Err(reason) => reason.clone(),
            };
            // A scan-findings call that failed is named with its error, not as missing.
            let failed: Vec<String> = references
                .iter()
                .filter_map(|reference| {
                    let key = format!("{SCAN_FINDINGS}{repository}/{reference}.json");
                    let error = self.failed_scans.get(&key)?;
                    Some(garrison_core::snapshot::Missing::Failed(error.clone()).reason(&key))
                })
                .collect();
            if !failed.is_empty() {
                return Err(format!(
                    "no scan result: {}; {inspector}",
                    failed.join("; ")
                ));
            }
            return Err(format!(
                "no scan result: {expected} not in the snapshot; {inspector}"
            ));
        }
        let mut merged = ImageVulnerabilities::default();
        for found in scan.into_iter().chain(inspector) {
            merged.serious.extend(found.serious.iter().cloned());
            merged.sources.extend(found.sources.iter().copied());
            merged.counted.0 = merged.counted.0.max(found.counted.0);
            merged.counted.1 = merged.counted.1.max(found.counted.1);
            if merged.unusable.is_none() {
                merged.unusable.clone_from(&found.unusable);
            }
        }
        if inspector.is_some() || !merged.serious.is_empty() {
            merged.unusable = None;
        }
        Ok(merged)
    }
}

/// (registry id, repository, digest or tag).
type ImageKey = (String, String, String);

/// The result for an image of `account`'s `repository`, by the first of `references` found, in
/// the account's registry or in a document that names no registry.
fn lookup<'a, T: std::ops::Deref<Target = ImageVulnerabilities>>(
    map: &'a HashMap<ImageKey, T>,
    account: &str,
    repository: &str,
    references: &[&str],
) -> Option<&'a ImageVulnerabilities> {
    references
        .iter()
        .find_map(|reference| {
            [account, ""].into_iter().find_map(|registry| {
                map.get(&(
                    registry.to_string(),
                    repository.to_string(),
                    reference.to_string(),
                ))
            })
        })
        .map(|found| &**found)
}
