//! AWS Security Finding Format (ASFF, schema version 2018-10-08) for Security Hub CSPM's
//! `BatchImportFindings`.
//!
//! The output is JSON lines: each line is one JSON array of at most [`BATCH`] findings, the
//! most one `BatchImportFindings` call accepts, ready for
//! `aws securityhub batch-import-findings --findings file://LINE.json`. Ids are stable (a hash
//! of check, object and pointer), so importing the next scan updates the same findings instead
//! of adding new ones.

use std::collections::HashMap;

use garrison_core::{Finding, ObjectRef, Severity, Status};
use serde_json::{Map, Value, json};

use crate::Report;

/// The most findings one `BatchImportFindings` call takes.
pub const BATCH: usize = 100;

/// Length limits of the AWS Security Hub API (`AwsSecurityFinding`).
pub const TITLE_MAX: usize = 256;
pub const DESCRIPTION_MAX: usize = 1024;
pub const ID_MAX: usize = 512;
pub const RECOMMENDATION_MAX: usize = 512;

/// Where findings are imported: the account and region they belong to and the product ARN.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub account_id: String,
    pub region: String,
    pub partition: String,
    pub product_arn: String,
    /// The scanned cluster, part of every finding's identity: the same object in two clusters
    /// of one account makes two findings.
    pub cluster_arn: Option<String>,
    /// `CreatedAt` / `UpdatedAt`, RFC 3339 in UTC.
    pub timestamp: String,
}

/// What the user gave (flags first, then the environment); the rest comes from an ARN in the
/// findings (the snapshot's cluster ARN).
#[derive(Clone, Debug, Default)]
pub struct TargetInput {
    pub account_id: Option<String>,
    pub region: Option<String>,
    pub product_arn: Option<String>,
    /// The ARN of the scanned cluster (a snapshot's), preferred over ARNs in the findings.
    pub cluster_arn: Option<String>,
}

impl Target {
    /// Resolves the import target, or says what is missing.
    pub fn resolve(
        input: &TargetInput,
        findings: &[Finding],
        timestamp: String,
    ) -> Result<Target, String> {
        // `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`; an EKS cluster ARN is preferred.
        let arns: Vec<Vec<&str>> = findings
            .iter()
            .filter_map(|finding| finding.object.arn.as_deref())
            .map(|arn| arn.splitn(6, ':').collect::<Vec<_>>())
            .filter(|parts| parts.len() == 6 && parts[0] == "arn")
            .collect();
        let cluster: Option<Vec<&str>> = input
            .cluster_arn
            .as_deref()
            .map(|arn| arn.splitn(6, ':').collect::<Vec<_>>())
            .filter(|parts| parts.len() == 6 && parts[0] == "arn");
        let from_arn = cluster
            .as_ref()
            .or_else(|| arns.iter().find(|parts| parts[2] == "eks"))
            .or_else(|| arns.iter().find(|parts| !parts[3].is_empty()))
            .or_else(|| arns.first());
        let product_parts = input
            .product_arn
            .as_deref()
            .map(|arn| arn.splitn(6, ':').collect::<Vec<_>>())
            .filter(|parts| parts.len() == 6);
        let pick = |given: &Option<String>, index: usize| {
            given
                .clone()
                .filter(|value| !value.is_empty())
                .or_else(|| {
                    from_arn
                        .map(|parts| parts[index].to_string())
                        .filter(|value| !value.is_empty())
                })
                .or_else(|| {
                    product_parts
                        .as_ref()
                        .map(|parts| parts[index].to_string())
                        .filter(|value| !value.is_empty())
                })
        };
        let account_id = pick(&input.account_id, 4).ok_or(
            "ASFF needs the AWS account the findings belong to: give --aws-account-id or set \
             AWS_ACCOUNT_ID (the findings hold no ARN to take it from)",
        )?;
        if account_id.len() != 12 || !account_id.bytes().all(|byte| byte.is_ascii_digit()) {
            return Err(format!("AWS account id {account_id:?} is not 12 digits"));
        }
        let region = pick(&input.region, 3).ok_or(
            "ASFF needs the AWS region to import into: give --aws-region or set AWS_REGION \
             (the findings hold no regional ARN to take it from)",
        )?;
        let partition = product_parts
            .as_ref()
            .map(|parts| parts[1].to_string())
            .or_else(|| from_arn.map(|parts| parts[1].to_string()))
            .unwrap_or_else(|| "aws".to_string());
        let product_arn = input.product_arn.clone().unwrap_or_else(|| {
            format!(
                "arn:{partition}:securityhub:{region}:{account_id}:product/{account_id}/default"
            )
        });
        Ok(Target {
            account_id,
            region,
            partition,
            product_arn,
            cluster_arn: input.cluster_arn.clone(),
            timestamp,
        })
    }
}

/// Renders the findings a report lists as JSON lines of batches (see the module docs).
pub fn render(report: &Report<'_>, target: &Target) -> String {
    let findings: Vec<&Finding> = report.shown().collect();
    let ids = finding_ids(&findings, target.cluster_arn.as_deref());
    let documents: Vec<Value> = findings
        .iter()
        .zip(ids)
        .map(|(finding, id)| document(finding, id, target))
        .collect();
    let mut out = String::new();
    for batch in documents.chunks(BATCH) {
        out.push_str(&serde_json::to_string(batch).unwrap_or_default());
        out.push('\n');
    }
    out
}

/// The stable ids of findings: each names its check and hashes the check, the cluster, the
/// object and the pointer, so it stays within the API's length limit and does not change when
/// a message is reworded. Findings that share all four (one check reporting several containers
/// at one pod-level field) hash their message too, and exact repeats their position.
pub fn finding_ids(findings: &[&Finding], cluster_arn: Option<&str>) -> Vec<String> {
    let identities: Vec<String> = findings
        .iter()
        .map(|finding| {
            format!(
                "{}\u{0}{}\u{0}{}\u{0}{}",
                finding.check.id,
                cluster_arn.unwrap_or(""),
                finding.object.display_name(),
                finding.pointer.as_deref().unwrap_or("")
            )
        })
        .collect();
    let mut shared: HashMap<&str, usize> = HashMap::new();
    for identity in &identities {
        *shared.entry(identity).or_default() += 1;
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    findings
        .iter()
        .zip(&identities)
        .map(|(finding, identity)| {
            let mut identity = identity.clone();
            if shared.get(identity.as_str()).copied().unwrap_or(0) > 1 {
                identity.push('\u{0}');
                identity.push_str(&finding.message);
                let repeat = seen.entry(identity.clone()).or_default();
                if *repeat > 0 {
                    identity.push_str(&format!("\u{0}{repeat}"));
                }
                *repeat += 1;
            }
            format!(
                "garrison/{}/{:032x}",
                finding.check.id,
                fnv1a_128(identity.as_bytes())
            )
        })
        .collect()
}

/// FNV-1a, 128 bits: stable across versions and platforms, unlike the standard library's
/// hashers, and enough to keep distinct findings apart.
fn fnv1a_128(bytes: &[u8]) -> u128 {
    const OFFSET: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;
    bytes.iter().fold(OFFSET, |hash, byte| {
        (hash ^ u128::from(*byte)).wrapping_mul(PRIME)
    })
}

fn severity_label(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "CRITICAL",
        Severity::High => "HIGH",
        Severity::Medium => "MEDIUM",
        Severity::Low => "LOW",
        Severity::Info => "INFORMATIONAL",
    }
}

fn compliance_status(status: Status) -> &'static str {
    match status {
        Status::Fail => "FAILED",
        Status::Warn => "WARNING",
        Status::Pass => "PASSED",
        Status::Unknown | Status::NotApplicable => "NOT_AVAILABLE",
    }
}

/// `text` cut to at most `max` characters, ending in an ellipsis when cut.
fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max - 1).collect();
    cut.push('…');
    cut
}

/// The ASFF resource type of an ARN's service and resource, `Other` when ASFF has none.
fn resource_type(arn: &str) -> &'static str {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let (service, resource) = match parts.as_slice() {
        [_, _, service, _, _, resource] => (*service, *resource),
        _ => return "Other",
    };
    match (service, resource.split(['/', ':']).next().unwrap_or("")) {
        ("eks", "cluster") => "AwsEksCluster",
        ("iam", "role") => "AwsIamRole",
        ("iam", "user") => "AwsIamUser",
        ("iam", "policy") => "AwsIamPolicy",
        ("ec2", "security-group") => "AwsEc2SecurityGroup",
        ("ec2", "instance") => "AwsEc2Instance",
        ("ec2", "vpc") => "AwsEc2Vpc",
        ("ec2", "subnet") => "AwsEc2Subnet",
        ("kms", "key") => "AwsKmsKey",
        ("ecr", "repository") => "AwsEcrRepository",
        ("logs", "log-group") => "AwsLogsLogGroup",
        _ => "Other",
    }
}

fn resource(object: &ObjectRef, pointer: Option<&str>, target: &Target) -> Value {
    let mut details = Map::new();
    details.insert("kind".to_string(), json!(truncate(&object.kind, 1024)));
    details.insert("name".to_string(), json!(truncate(&object.name, 1024)));
    if let Some(namespace) = &object.namespace {
        details.insert("namespace".to_string(), json!(truncate(namespace, 1024)));
    }
    if let Some(pointer) = pointer {
        details.insert("pointer".to_string(), json!(truncate(pointer, 1024)));
    }
    if let Some(source) = &object.source {
        details.insert("source".to_string(), json!(truncate(source, 1024)));
    }
    let (kind, id) = match &object.arn {
        Some(arn) => (resource_type(arn), arn.to_string()),
        None => match &target.cluster_arn {
            Some(cluster) => ("Other", format!("{cluster}/{}", object.display_name())),
            None => ("Other", object.display_name()),
        },
    };
    json!({
        "Type": kind,
        "Id": id,
        "Partition": target.partition,
        "Region": target.region,
        "Details": {"Other": details},
    })
}

fn document(finding: &Finding, id: String, target: &Target) -> Value {
    let meta = finding.check;
    let mut types =
        vec!["Software and Configuration Checks/AWS Security Best Practices".to_string()];
    if meta.cis.is_some() {
        types.push(
            "Software and Configuration Checks/Industry and Regulatory Standards/CIS Amazon EKS Benchmark"
                .to_string(),
        );
    }
    let mut compliance = Map::new();
    compliance.insert(
        "Status".to_string(),
        json!(compliance_status(finding.status)),
    );
    if let Some(control) = meta.security_hub {
        compliance.insert("SecurityControlId".to_string(), json!(control));
    }
    let mut product_fields = Map::new();
    product_fields.insert("garrison/check".to_string(), json!(meta.id));
    product_fields.insert("garrison/name".to_string(), json!(meta.name));
    product_fields.insert(
        "garrison/status".to_string(),
        json!(finding.status.as_str()),
    );
    product_fields.insert("garrison/level".to_string(), json!(meta.level.as_str()));
    if let Some(cis) = meta.cis {
        product_fields.insert("garrison/cis".to_string(), json!(cis));
    }
    if let Some(reason) = &finding.suppressed {
        product_fields.insert(
            "garrison/suppressed".to_string(),
            json!(truncate(reason, 1024)),
        );
    }
    let description = format!("{}: {}", finding.object.display_name(), finding.message);
    let mut document = json!({
        "SchemaVersion": "2018-10-08",
        "Id": id,
        "ProductArn": target.product_arn,
        "ProductName": "garrison",
        "CompanyName": "garrison",
        "Region": target.region,
        "GeneratorId": format!("garrison/{}", meta.id),
        "AwsAccountId": target.account_id,
        "Types": types,
        "CreatedAt": target.timestamp,
        "UpdatedAt": target.timestamp,
        "Severity": {"Label": severity_label(meta.severity)},
        "Title": truncate(meta.title, TITLE_MAX),
        "Description": truncate(&description, DESCRIPTION_MAX),
        "Remediation": {"Recommendation": {
            "Text": truncate(meta.remediation, RECOMMENDATION_MAX),
            "Url": format!("https://github.com/garrison-dev/garrison/blob/main/docs/checks/{}.md", meta.id),
        }},
        "ProductFields": product_fields,
        "Resources": [resource(&finding.object, finding.pointer.as_deref(), target)],
        "Compliance": compliance,
        "RecordState": "ACTIVE",
    });
    if finding.suppressed.is_some()
        && let Some(object) = document.as_object_mut()
    {
        object.insert("Workflow".to_string(), json!({"Status": "SUPPRESSED"}));
    }
    document
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn truncation_keeps_the_limit_in_characters() {
        let long = "é".repeat(2000);
        let cut = truncate(&long, DESCRIPTION_MAX);
        assert_eq!(cut.chars().count(), DESCRIPTION_MAX);
        assert!(cut.ends_with('…'));
        assert_eq!(truncate("short", 10), "short");
    }

    #[test]
    fn fnv_matches_the_published_test_vector() {
        // FNV-1a 128 of the empty string is the offset basis; of "a" the published value.
        assert_eq!(fnv1a_128(b""), 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d);
        assert_eq!(fnv1a_128(b"a"), 0xd228_cb69_6f1a_8caf_7891_2b70_4e4a_8964);
    }

    #[test]
    fn resource_types_come_from_the_arn() {
        assert_eq!(
            resource_type("arn:aws:eks:eu-west-1:111122223333:cluster/demo"),
            "AwsEksCluster"
        );
        assert_eq!(
            resource_type("arn:aws:iam::111122223333:role/node"),
            "AwsIamRole"
        );
        assert_eq!(resource_type("not an arn"), "Other");
    }

    #[test]
    fn the_target_comes_from_flags_then_the_cluster_arn() {
        let none = Target::resolve(&TargetInput::default(), &[], "t".to_string());
        assert!(none.unwrap_err().contains("--aws-account-id"));
        let given = TargetInput {
            account_id: Some("111122223333".to_string()),
            region: Some("eu-west-1".to_string()),
            product_arn: None,
            cluster_arn: None,
        };
        let target = Target::resolve(&given, &[], "t".to_string()).unwrap();
        assert_eq!(
            target.product_arn,
            "arn:aws:securityhub:eu-west-1:111122223333:product/111122223333/default"
        );
        let bad = TargetInput {
            account_id: Some("12".to_string()),
            ..given
        };
        assert!(Target::resolve(&bad, &[], "t".to_string()).is_err());
        let cluster = TargetInput {
            cluster_arn: Some("arn:aws-cn:eks:cn-north-1:444455556666:cluster/x".to_string()),
            ..TargetInput::default()
        };
        let target = Target::resolve(&cluster, &[], "t".to_string()).unwrap();
        assert_eq!(
            (
                target.account_id.as_str(),
                target.region.as_str(),
                target.partition.as_str()
            ),
            ("444455556666", "cn-north-1", "aws-cn")
        );
    }
}
