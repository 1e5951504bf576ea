//! The image security checks against the ways ECR and Inspector data goes wrong: no snapshot at
//! all, a missing or failed document (UNKNOWN, never PASS), both casings of the AWS documents,
//! registry rules that supersede a repository's own flag, tag-immutability exclusions, failed
//! scans, suppressed findings, scan results found by the digest they name, other accounts'
//! registries and configured registries.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use garrison_checks::{find_check, run_checks};
use garrison_core::loader::load_snapshot_files;
use garrison_core::{Config, Finding, Inventory, LoadOptions, Status, load_paths};
use serde_json::{Value, json};

const ACCOUNT: &str = "111122223333";
const DIGEST: &str = "sha256:9c2e7a41d0b5f3e8a6c4b2d0e9f7a5c3b1d9e7f5a3c1b9d7e5f3a1c9b7d5e3f1";

fn workload(image: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: api, namespace: shop}}\nspec:\n  template:\n    spec:\n      containers:\n      - name: api\n        image: {image}\n"
    )
}

fn ecr_image(repository: &str, reference: &str) -> String {
    let separator = if reference.starts_with("sha256:") {
        '@'
    } else {
        ':'
    };
    format!("{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/{repository}{separator}{reference}")
}

fn repositories(repositories: Value) -> (String, Value) {
    (
        "aws/ecr/describe-repositories.json".to_string(),
        json!({ "repositories": repositories }),
    )
}

fn repository(name: &str, mutability: &str, scan_on_push: bool, encryption: &str) -> Value {
    json!({
        "repositoryName": name,
        "registryId": ACCOUNT,
        "repositoryUri": format!("{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/{name}"),
        "imageTagMutability": mutability,
        "imageTagMutabilityExclusionFilters": [{"filter": "dev-*", "filterType": "WILDCARD"}],
        "imageScanningConfiguration": {"scanOnPush": scan_on_push},
        "encryptionConfiguration": {"encryptionType": encryption}
    })
}

fn scanning(scan_type: &str, frequency: &str, filter: &str) -> (String, Value) {
    (
        "aws/ecr/get-registry-scanning-configuration.json".to_string(),
        json!({"registryId": ACCOUNT, "scanningConfiguration": {"scanType": scan_type, "rules": [
            {"scanFrequency": frequency, "repositoryFilters": [{"filter": filter, "filterType": "WILDCARD"}]}
        ]}}),
    )
}

/// Findings of check `id` over a snapshot of one workload running `image` and these documents.
fn scan(id: &str, image: &str, documents: Vec<(String, Value)>) -> Vec<Finding> {
    scan_with(id, image, documents, &Config::default())
}

fn scan_with(
    id: &str,
    image: &str,
    documents: Vec<(String, Value)>,
    config: &Config,
) -> Vec<Finding> {
    let mut files = vec![("k8s/deployments.yaml".to_string(), workload(image))];
    files.extend(
        documents
            .into_iter()
            .map(|(path, value)| (path, value.to_string())),
    );
    let loaded = load_snapshot_files("test-snapshot", files);
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    let check = find_check(id).unwrap();
    run_checks(&Inventory::new(loaded), config, &[check])
}

fn only(findings: &[Finding]) -> (Status, &str) {
    assert_eq!(findings.len(), 1, "{findings:#?}");
    (findings[0].status, findings[0].message.as_str())
}

#[test]
fn without_a_snapshot_the_registry_checks_do_not_apply() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("api.yaml");
    std::fs::write(&path, workload(&ecr_image("shop/api", "1.0.0"))).unwrap();
    let inventory = Inventory::new(load_paths(
        &[path.to_string_lossy().into_owned()],
        &LoadOptions::default(),
    ));
    for id in [
        "EKS-IMG-001",
        "EKS-IMG-002",
        "EKS-IMG-003",
        "EKS-IMG-004",
        "EKS-IMG-009",
    ] {
        let findings = run_checks(&inventory, &Config::default(), &[find_check(id).unwrap()]);
        assert_eq!(only(&findings).0, Status::NotApplicable, "{id}");
    }
    // The allow-list needs no AWS data.
    let findings = run_checks(
        &inventory,
        &Config::default(),
        &[find_check("EKS-IMG-011").unwrap()],
    );
    assert_eq!(only(&findings).0, Status::Pass);
}

#[test]
fn a_missing_document_is_unknown_and_names_it() {
    let findings = scan(
        "EKS-IMG-004",
        &ecr_image("shop/api", "1.0.0"),
        vec![scanning("ENHANCED", "CONTINUOUS_SCAN", "*")],
    );
    let (status, message) = only(&findings);
    assert_eq!(status, Status::Unknown);
    assert!(
        message.contains("aws/ecr/describe-repositories.json was not collected"),
        "{message}"
    );
    let findings = scan(
        "EKS-IMG-002",
        &ecr_image("shop/api", "1.0.0"),
        vec![repositories(json!([repository(
            "shop/api",
            "IMMUTABLE",
            true,
            "KMS"
        )]))],
    );
    let (status, message) = only(&findings);
    assert_eq!(status, Status::Unknown);
    assert!(
        message.contains("get-registry-scanning-configuration.json"),
        "{message}"
    );
}

#[test]
fn a_failed_call_is_unknown_with_its_error() {
    let manifest = (
        "manifest.json".to_string(),
        json!({"failed": [{"call": "ecr:DescribeRepositories", "file": "aws/ecr/describe-repositories.json",
                           "error": "AccessDeniedException: not authorized to perform ecr:DescribeRepositories"}]}),
    );
    let findings = scan(
        "EKS-IMG-009",
        &ecr_image("shop/api", "1.0.0"),
        vec![manifest],
    );
    let (status, message) = only(&findings);
    assert_eq!(status, Status::Unknown);
    assert!(message.contains("AccessDeniedException"), "{message}");
}

#[test]
fn both_casings_of_the_documents_give_the_same_verdicts() {
    let camel = vec![
        repositories(json!([repository("shop/api", "MUTABLE", false, "AES256")])),
        scanning("BASIC", "SCAN_ON_PUSH", "shop/*"),
    ];
    let pascal = vec![
        (
            "aws/ecr/describe-repositories.json".to_string(),
            json!({"Repositories": [{
                "RepositoryName": "shop/api", "RegistryId": ACCOUNT, "ImageTagMutability": "MUTABLE",
                "ImageScanningConfiguration": {"ScanOnPush": false},
                "EncryptionConfiguration": {"EncryptionType": "AES256"}
            }]}),
        ),
        (
            "aws/ecr/get-registry-scanning-configuration.json".to_string(),
            json!({"RegistryId": ACCOUNT, "ScanningConfiguration": {"ScanType": "BASIC", "Rules": [
                {"ScanFrequency": "SCAN_ON_PUSH", "RepositoryFilters": [{"Filter": "shop/*", "FilterType": "WILDCARD"}]}
            ]}}),
        ),
    ];
    let image = ecr_image("shop/api", "1.0.0");
    for id in ["EKS-IMG-001", "EKS-IMG-002", "EKS-IMG-004", "EKS-IMG-009"] {
        let verdict = |documents: Vec<(String, Value)>| {
            let findings = scan(id, &image, documents);
            let (status, message) = only(&findings);
            (status, message.to_string())
        };
        let (camel_verdict, pascal_verdict) = (verdict(camel.clone()), verdict(pascal.clone()));
        assert_eq!(camel_verdict, pascal_verdict, "{id}");
        assert_ne!(
            camel_verdict.0,
            Status::Unknown,
            "{id}: {}",
            camel_verdict.1
        );
    }
}

#[test]
fn enhanced_scanning_ignores_the_repository_flag() {
    let documents = vec![
        repositories(json!([repository("shop/api", "IMMUTABLE", true, "KMS")])),
        scanning("ENHANCED", "CONTINUOUS_SCAN", "payments/*"),
    ];
    let findings = scan("EKS-IMG-002", &ecr_image("shop/api", "1.0.0"), documents);
    let (status, message) = only(&findings);
    assert_eq!(status, Status::Fail);
    assert!(
        message.contains("ignores the repository's scanOnPush"),
        "{message}"
    );
    // Not scanned at all is EKS-IMG-002's finding, not EKS-IMG-001's.
    let documents = vec![
        repositories(json!([repository("shop/api", "IMMUTABLE", true, "KMS")])),
        scanning("ENHANCED", "CONTINUOUS_SCAN", "payments/*"),
    ];
    let findings = scan("EKS-IMG-001", &ecr_image("shop/api", "1.0.0"), documents);
    assert_eq!(only(&findings).0, Status::NotApplicable);
}

#[test]
fn tag_immutability_exclusions_are_judged_against_the_tag_in_use() {
    let documents = || {
        vec![repositories(json!([repository(
            "shop/api",
            "IMMUTABLE_WITH_EXCLUSION",
            true,
            "KMS"
        )]))]
    };
    let findings = scan("EKS-IMG-004", &ecr_image("shop/api", "dev-42"), documents());
    let (status, message) = only(&findings);
    assert_eq!(status, Status::Warn);
    assert!(message.contains("dev-42"), "{message}");
    let findings = scan("EKS-IMG-004", &ecr_image("shop/api", "1.4.0"), documents());
    assert_eq!(only(&findings).0, Status::Pass);
}

#[test]
fn another_accounts_repository_is_unknown() {
    let documents = vec![repositories(json!([repository(
        "shop/api",
        "IMMUTABLE",
        true,
        "KMS"
    )]))];
    let image = "444455556666.dkr.ecr.eu-west-1.amazonaws.com/shop/api:1.0.0";
    let findings = scan("EKS-IMG-004", image, documents);
    let (status, message) = only(&findings);
    assert_eq!(status, Status::Unknown);
    assert!(message.contains("account 444455556666"), "{message}");
}

fn scan_document(status: &str, findings: Value) -> Value {
    json!({
        "repositoryName": "shop/api",
        "imageId": {"imageDigest": DIGEST, "imageTag": "1.0.0"},
        "imageScanStatus": {"status": status},
        "imageScanFindings": {"findings": findings}
    })
}

#[test]
fn scan_results_are_found_by_the_digest_they_name_and_failed_scans_are_unknown() {
    let base = || {
        vec![
            repositories(json!([repository("shop/api", "IMMUTABLE", true, "KMS")])),
            scanning("BASIC", "SCAN_ON_PUSH", "*"),
        ]
    };
    // The file is named by tag; the workload references the digest the document names.
    let mut documents = base();
    documents.push((
        "aws/ecr/image-scan-findings/shop/api/1.0.0.json".to_string(),
        scan_document(
            "COMPLETE",
            json!([
                {"name": "CVE-2024-3094", "severity": "CRITICAL"},
                {"name": "CVE-2024-2511", "severity": "MEDIUM"}
            ]),
        ),
    ));
    let findings = scan("EKS-IMG-003", &ecr_image("shop/api", DIGEST), documents);
    let (status, message) = only(&findings);
    assert_eq!(status, Status::Fail);
    assert!(message.contains("CVE-2024-3094"), "{message}");
    assert!(!message.contains("CVE-2024-2511"), "{message}");

    let mut documents = base();
    documents.push((
        "aws/ecr/image-scan-findings/shop/api/1.0.0.json".to_string(),
        scan_document("FAILED", json!([])),
    ));
    let findings = scan("EKS-IMG-003", &ecr_image("shop/api", "1.0.0"), documents);
    let (status, message) = only(&findings);
    assert_eq!(status, Status::Unknown);
    assert!(message.contains("FAILED"), "{message}");

    // No scan result at all, and basic scanning: nothing says the image is clean.
    let findings = scan("EKS-IMG-003", &ecr_image("shop/api", "2.0.0"), base());
    let (status, message) = only(&findings);
    assert_eq!(status, Status::Unknown);
    assert!(
        message.contains("aws/ecr/image-scan-findings/shop/api/2.0.0.json"),
        "{message}"
    );
}

#[test]
fn a_failed_scan_findings_call_is_named_with_its_error() {
    let manifest = (
        "manifest.json".to_string(),
        json!({"failed": [{"call": "ecr:DescribeImageScanFindings",
                           "file": "aws/ecr/image-scan-findings/shop/api/1.0.0.json",
                           "error": "ScanNotFoundException: Image scan does not exist for the image"}]}),
    );
    let findings = scan(
        "EKS-IMG-003",
        &ecr_image("shop/api", "1.0.0"),
        vec![
            repositories(json!([repository("shop/api", "IMMUTABLE", true, "KMS")])),
            scanning("BASIC", "SCAN_ON_PUSH", "*"),
            manifest,
        ],
    );
    let (status, message) = only(&findings);
    assert_eq!(status, Status::Unknown);
    assert!(
        message.contains(
            "aws/ecr/image-scan-findings/shop/api/1.0.0.json could not be collected: ScanNotFoundException"
        ),
        "{message}"
    );
    assert!(!message.contains("not in the snapshot"), "{message}");
}

#[test]
fn suppressed_inspector_findings_do_not_count_and_covered_images_without_findings_pass() {
    let inspector = |status: &str| {
        (
            "aws/inspector2/list-findings.json".to_string(),
            json!({"findings": [{
                "severity": "HIGH", "status": status, "title": "CVE-2023-44487 - nghttp2",
                "packageVulnerabilityDetails": {"vulnerabilityId": "CVE-2023-44487"},
                "resources": [{"type": "AWS_ECR_CONTAINER_IMAGE", "details": {"awsEcrContainerImage": {
                    "registry": ACCOUNT, "repositoryName": "shop/api", "imageHash": DIGEST, "imageTags": ["1.0.0"]
                }}}]
            }]}),
        )
    };
    let documents = |status: &str| {
        vec![
            repositories(json!([repository("shop/api", "IMMUTABLE", true, "KMS")])),
            scanning("ENHANCED", "CONTINUOUS_SCAN", "*"),
            inspector(status),
        ]
    };
    let findings = scan(
        "EKS-IMG-003",
        &ecr_image("shop/api", "1.0.0"),
        documents("ACTIVE"),
    );
    let (status, message) = only(&findings);
    assert_eq!(status, Status::Fail);
    assert!(message.contains("CVE-2023-44487"), "{message}");
    let findings = scan(
        "EKS-IMG-003",
        &ecr_image("shop/api", "1.0.0"),
        documents("SUPPRESSED"),
    );
    assert_eq!(only(&findings).0, Status::Pass);
    // A finding about another account's repository of the same name is not this image's.
    let mut other_account = documents("ACTIVE");
    let (_, inspector) = other_account.last_mut().unwrap();
    inspector["findings"][0]["resources"][0]["details"]["awsEcrContainerImage"]["registry"] =
        json!("444455556666");
    let findings = scan(
        "EKS-IMG-003",
        &ecr_image("shop/api", "1.0.0"),
        other_account,
    );
    assert_eq!(only(&findings).0, Status::Pass);
}

#[test]
fn configured_registries_are_allowed() {
    let config = Config::parse(
        "garrison.toml",
        "[images]\nallowed-registries = [\"docker.io/bitnami/*\"]\n",
    )
    .unwrap();
    let findings = scan_with(
        "EKS-IMG-011",
        "docker.io/bitnami/redis:7.4",
        Vec::new(),
        &config,
    );
    assert_eq!(only(&findings).0, Status::Pass);
    let findings = scan_with("EKS-IMG-011", "redis:7.4", Vec::new(), &config);
    let (status, message) = only(&findings);
    assert_eq!(status, Status::Fail);
    assert!(message.contains("docker.io"), "{message}");
}
