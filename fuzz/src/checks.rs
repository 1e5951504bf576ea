//! Targets over garrison-checks: the manifest loader and every check, Pod Security Standards, and
//! the AWS half of a cluster snapshot. Replayed by
//! `crates/garrison-checks/tests/fuzz_regressions.rs`, which includes this file.

use garrison_checks::pss::{PssLevel, PssPolicy, PssVersion, evaluate_object};
use garrison_checks::{CHECKS, Check, run_checks};
use garrison_core::{Config, Inventory};

/// `pss_pod`: the input as a YAML file → every object with a pod spec judged at baseline and
/// restricted, at `latest` and at `v1.0`..`v1.40` picked by the first input byte (versions past
/// the newest policy version must clamp), and the API server's message for each verdict.
pub fn pss_pod(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let minor = u32::from(data.first().copied().unwrap_or(0)) % 41;
    let versions = [PssVersion::LATEST, PssVersion::v1(minor)];
    let loaded = garrison_core::loader::load_text("fuzz.yaml", text);
    for object in &loaded.objects {
        for level in [PssLevel::Baseline, PssLevel::Restricted] {
            for version in versions {
                // `None`: no pod spec; `Err`: a mistyped field. Both are fine; a panic is not.
                let Some(Ok(verdict)) = evaluate_object(level, version, object) else {
                    continue;
                };
                let message = verdict.message(PssPolicy { level, version });
                assert_eq!(
                    message.is_none(),
                    verdict.allowed(),
                    "a message exactly when forbidden"
                );
                std::hint::black_box(message);
            }
        }
    }
}

/// `manifest_loader`: the input as a YAML file and, separately, as a JSON file → loader →
/// inventory → every check in the catalogue. `run_checks` resolves each finding's line through
/// `Origin::line_of`, so both the YAML line tables and the JSON text scan run too.
pub fn manifest_loader(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let checks: Vec<&Check> = CHECKS.iter().collect();
    let config = Config::default();
    for name in ["fuzz.yaml", "fuzz.json"] {
        let loaded = garrison_core::loader::load_text(name, text);
        for diagnostic in &loaded.diagnostics {
            std::hint::black_box(diagnostic.to_string());
        }
        let inventory = Inventory::new(loaded);
        let findings = run_checks(&inventory, &config, &checks);
        std::hint::black_box(findings);
    }
}

/// The header line that starts a file of an `aws_snapshot` input: `==> <path>` then the file's
/// text up to the next header, the path relative to a snapshot's root (`aws/eks/describe-cluster.json`,
/// `manifest.json`, `k8s/nodes.json`, `kube-bench/<node>.json`, `k8s/nodes/<node>.configz.json`).
pub const SNAPSHOT_FILE_HEADER: &str = "==> ";

/// Where text before the first header goes: picked by the input's first byte.
const HEADERLESS_PATHS: &[&str] = &[
    "aws/eks/describe-cluster.json",
    "aws/eks/nodegroups/ng.json",
    "aws/eks/addons/vpc-cni.json",
    "aws/eks/access-entries/admin.json",
    "aws/eks/list-pod-identity-associations.json",
    "aws/ec2/describe-security-groups.json",
    "aws/ec2/describe-instances.json",
    "aws/ec2/describe-launch-template-versions/lt-1-1.json",
    "aws/iam/roles/node.role.json",
    "aws/iam/roles/node.attached.json",
    "aws/guardduty/get-detector.json",
    "aws/guardduty/get-findings.json",
    "aws/ecr/describe-repositories.json",
    "aws/ecr/get-registry-scanning-configuration.json",
    "aws/ecr/image-scan-findings/app/latest.json",
    "aws/inspector2/list-findings.json",
    "aws/securityhub/describe-hub.json",
    "aws/kms/key.describe.json",
    "manifest.json",
    "kube-bench/node-1.json",
    "k8s/nodes/node-1.configz.json",
];

/// Splits an `aws_snapshot` input into `(path, text)` files.
pub fn snapshot_files(text: &str) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = Vec::new();
    let mut current: Option<(String, String)> = None;
    let first = text.bytes().next().unwrap_or(0) as usize;
    for line in text.split_inclusive('\n') {
        if let Some(path) = line.strip_prefix(SNAPSHOT_FILE_HEADER) {
            files.extend(current.take());
            current = Some((path.trim().to_string(), String::new()));
            continue;
        }
        match &mut current {
            Some((_, body)) => body.push_str(line),
            None => {
                let path = HEADERLESS_PATHS[first % HEADERLESS_PATHS.len()];
                current = Some((path.to_string(), line.to_string()));
            }
        }
    }
    files.extend(current);
    files
}

/// `aws_snapshot`: the input as the files of a cluster snapshot (see [`snapshot_files`]) → the
/// snapshot loader → every check (the posture checks decode the typed AWS model: EKS, EC2, IAM,
/// ECR, Inspector, GuardDuty, Security Hub, KMS, kubelet configz, kube-bench) → and the typed
/// model's own parsers (IAM policy documents, vpc-cni configuration values, image references)
/// over every string of every document.
pub fn aws_snapshot(data: &[u8]) {
    use garrison_core::aws::eks::{CniConfiguration, parse_version};
    use garrison_core::aws::iam::PolicyDocument;
    use garrison_core::ecr::{ImageReference, wildcard_match};

    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let files = snapshot_files(text);
    let loaded = garrison_core::loader::load_snapshot_files("fuzz", files);
    for diagnostic in &loaded.diagnostics {
        std::hint::black_box(diagnostic.to_string());
    }
    let inventory = Inventory::new(loaded);
    if let Some(snapshot) = &inventory.snapshot {
        for (key, value) in &snapshot.aws {
            std::hint::black_box(snapshot.aws(key).is_ok());
            if let Ok(document) = PolicyDocument::parse(value) {
                for statement in &document.statements {
                    std::hint::black_box((
                        statement.is_admin(),
                        statement.condition(&["StringLike"], "aws:SourceArn"),
                    ));
                }
            }
            let mut strings = Vec::new();
            collect_strings(value, &mut strings, 64);
            for text in strings {
                std::hint::black_box(CniConfiguration::parse(Some(text)).is_ok());
                let image = ImageReference::parse(text);
                std::hint::black_box((image.ecr_registry(), parse_version(text)));
                std::hint::black_box(wildcard_match(text, key));
                std::hint::black_box(garrison_core::aws::arn_account(text));
                std::hint::black_box(garrison_core::aws::arn_name(text));
            }
        }
        std::hint::black_box(snapshot.cluster_arn());
        std::hint::black_box(snapshot.collected_under("eks/"));
    }
    let checks: Vec<&Check> = CHECKS.iter().collect();
    let findings = run_checks(&inventory, &Config::default(), &checks);
    std::hint::black_box(findings);
}

/// Up to `limit` strings of `value`, depth first.
fn collect_strings<'a>(value: &'a serde_json::Value, out: &mut Vec<&'a str>, limit: usize) {
    if out.len() >= limit {
        return;
    }
    match value {
        serde_json::Value::String(text) => out.push(text),
        serde_json::Value::Array(items) => {
            for item in items {
                collect_strings(item, out, limit);
            }
        }
        serde_json::Value::Object(map) => {
            for item in map.values() {
                collect_strings(item, out, limit);
            }
        }
        _ => {}
    }
}
