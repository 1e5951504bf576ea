//! The formats other systems import (ASFF for Security Hub, OpenReports and wg-policy
//! PolicyReports for Kubernetes) and `garrison report`, which re-renders a saved JSON result.
//! The demo snapshot is the input; no test depends on how many findings it has.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

/// Runs garrison with a fixed ASFF time and no AWS settings from the environment.
fn run(args: &[&str], epoch: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_garrison"))
        .args(args)
        .env("NO_COLOR", "1")
        .env("SOURCE_DATE_EPOCH", epoch)
        .env_remove("AWS_ACCOUNT_ID")
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION")
        .output()
        .expect("run garrison")
}

fn stdout_of(args: &[&str]) -> String {
    let output = run(args, "1700000000");
    assert!(
        output.status.code() == Some(0) || output.status.code() == Some(1),
        "garrison {args:?} failed: {}",
        common::stderr(&output)
    );
    common::stdout(&output)
}

/// The demo's JSON findings for the same listing flags.
fn json_findings(flags: &[&str]) -> Vec<Value> {
    let mut args = vec!["scan", "--demo", "--format", "json"];
    args.extend_from_slice(flags);
    let document: Value = serde_json::from_str(&stdout_of(&args)).unwrap();
    document["findings"].as_array().unwrap().clone()
}

const ALL: [&str; 2] = ["--include-passed", "--show-suppressed"];

// --- ASFF ---------------------------------------------------------------------------------

/// The required top-level ASFF attributes (the user guide's "Required top-level ASFF
/// attributes") with their JSON type and the length limits of the Security Hub API reference
/// (`AwsSecurityFinding`): (name, JSON type, maximum length of a string).
const ASFF_REQUIRED: [(&str, &str, Option<usize>); 12] = [
    ("SchemaVersion", "string", None),
    ("Id", "string", Some(512)),
    ("ProductArn", "string", None),
    ("GeneratorId", "string", Some(512)),
    ("AwsAccountId", "string", Some(12)),
    ("Types", "array", None),
    ("CreatedAt", "string", None),
    ("UpdatedAt", "string", None),
    ("Severity", "object", None),
    ("Title", "string", Some(256)),
    ("Description", "string", Some(1024)),
    ("Resources", "array", None),
];

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Every problem of one ASFF document, empty when it is valid.
fn asff_problems(document: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    for (name, kind, max) in ASFF_REQUIRED {
        let value = &document[name];
        if type_name(value) != kind {
            problems.push(format!("{name} is {} instead of {kind}", type_name(value)));
            continue;
        }
        if let Some(text) = value.as_str() {
            let length = text.chars().count();
            if length == 0 || max.is_some_and(|max| length > max) {
                problems.push(format!("{name} has {length} characters (limit {max:?})"));
            }
            if text.trim().is_empty() {
                problems.push(format!("{name} is blank"));
            }
        }
    }
    if document["SchemaVersion"] != "2018-10-08" {
        problems.push("SchemaVersion is not 2018-10-08".to_string());
    }
    let account = document["AwsAccountId"].as_str().unwrap_or_default();
    if account.len() != 12 || !account.bytes().all(|byte| byte.is_ascii_digit()) {
        problems.push(format!("AwsAccountId {account:?} is not 12 digits"));
    }
    let product = document["ProductArn"].as_str().unwrap_or_default();
    if !product.starts_with("arn:") || !product.contains(":securityhub:") {
        problems.push(format!("ProductArn {product:?} is not a Security Hub ARN"));
    }
    for field in ["CreatedAt", "UpdatedAt"] {
        let text = document[field].as_str().unwrap_or_default();
        if text.parse::<jiff::Timestamp>().is_err() || !text.ends_with('Z') {
            problems.push(format!("{field} {text:?} is not an RFC 3339 UTC time"));
        }
    }
    const NAMESPACES: [&str; 5] = [
        "Software and Configuration Checks",
        "TTPs",
        "Effects",
        "Unusual Behaviors",
        "Sensitive Data Identifications",
    ];
    let types = document["Types"].as_array().cloned().unwrap_or_default();
    if types.is_empty() || types.len() > 50 {
        problems.push(format!("Types has {} entries (1 to 50)", types.len()));
    }
    for kind in &types {
        let text = kind.as_str().unwrap_or_default();
        let parts: Vec<&str> = text.split('/').collect();
        if !(1..=3).contains(&parts.len()) || !NAMESPACES.contains(&parts[0]) {
            problems.push(format!(
                "Types entry {text:?} is not namespace/category/classifier"
            ));
        }
    }
    const LABELS: [&str; 5] = ["INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"];
    if !document["Severity"]["Label"]
        .as_str()
        .is_some_and(|label| LABELS.contains(&label))
    {
        problems.push(format!(
            "Severity.Label {} is not a label",
            document["Severity"]["Label"]
        ));
    }
    let resources = document["Resources"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if resources.is_empty() || resources.len() > 32 {
        problems.push(format!(
            "Resources has {} entries (1 to 32)",
            resources.len()
        ));
    }
    for resource in &resources {
        for field in ["Type", "Id"] {
            if resource[field]
                .as_str()
                .is_none_or(|text| text.trim().is_empty())
            {
                problems.push(format!("a resource has no {field}"));
            }
        }
        if let Some(other) = resource["Details"]["Other"].as_object() {
            for (key, value) in other {
                if key.chars().count() > 128
                    || value
                        .as_str()
                        .is_none_or(|text| text.chars().count() > 1024)
                {
                    problems.push(format!("Details.Other.{key} breaks the map limits"));
                }
            }
        }
    }
    const COMPLIANCE: [&str; 4] = ["PASSED", "WARNING", "FAILED", "NOT_AVAILABLE"];
    if !document["Compliance"]["Status"]
        .as_str()
        .is_some_and(|status| COMPLIANCE.contains(&status))
    {
        problems.push("Compliance.Status is not a compliance status".to_string());
    }
    if let Some(text) = document["Remediation"]["Recommendation"]["Text"].as_str()
        && text.chars().count() > 512
    {
        problems.push("Remediation.Recommendation.Text is over 512 characters".to_string());
    }
    problems
}

fn asff_batches(flags: &[&str], epoch: &str) -> Vec<Vec<Value>> {
    let mut args = vec!["scan", "--demo", "--format", "asff"];
    args.extend_from_slice(flags);
    let output = run(&args, epoch);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        common::stderr(&output)
    );
    common::stdout(&output)
        .lines()
        .map(|line| serde_json::from_str::<Vec<Value>>(line).unwrap())
        .collect()
}

#[test]
fn asff_documents_have_every_required_field_within_its_limits() {
    let batches = asff_batches(&ALL, "1700000000");
    assert!(!batches.is_empty());
    for (index, batch) in batches.iter().enumerate() {
        assert!(
            !batch.is_empty() && batch.len() <= 100,
            "batch {index} has {}",
            batch.len()
        );
        if index + 1 < batches.len() {
            assert_eq!(batch.len(), 100, "only the last batch may be short");
        }
    }
    let documents: Vec<&Value> = batches.iter().flatten().collect();
    for document in &documents {
        let problems = asff_problems(document);
        assert!(problems.is_empty(), "{}: {problems:?}", document["Id"]);
        // ≤ 240 KB per finding.
        assert!(serde_json::to_vec(document).unwrap().len() <= 240 * 1024);
    }
    let ids: BTreeSet<&str> = documents
        .iter()
        .map(|d| d["Id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), documents.len(), "finding ids must be unique");

    // One document per listed finding, in order, with the finding's status, severity and
    // Security Hub control.
    let findings = json_findings(&ALL);
    assert_eq!(documents.len(), findings.len());
    let mut seen_control = false;
    let mut seen_suppressed = false;
    for (document, finding) in documents.iter().zip(&findings) {
        assert_eq!(
            document["GeneratorId"],
            format!("garrison/{}", finding["check"].as_str().unwrap())
        );
        let status = match finding["status"].as_str().unwrap() {
            "FAIL" => "FAILED",
            "WARN" => "WARNING",
            "PASS" => "PASSED",
            _ => "NOT_AVAILABLE",
        };
        assert_eq!(document["Compliance"]["Status"], status);
        assert_eq!(
            document["Severity"]["Label"].as_str().unwrap(),
            match finding["severity"].as_str().unwrap() {
                "info" => "INFORMATIONAL".to_string(),
                other => other.to_uppercase(),
            }
        );
        match finding["security_hub"].as_str() {
            Some(control) => {
                seen_control = true;
                assert_eq!(document["Compliance"]["SecurityControlId"], control);
            }
            None => assert!(document["Compliance"].get("SecurityControlId").is_none()),
        }
        let suppressed = !finding["suppressed"].is_null();
        seen_suppressed |= suppressed;
        assert_eq!(
            document["Workflow"]["Status"] == "SUPPRESSED",
            suppressed,
            "{}",
            document["Id"]
        );
        // The account, region and product come from the snapshot's cluster ARN.
        assert_eq!(document["AwsAccountId"], "111122223333");
        assert_eq!(document["Region"], "us-east-1");
        assert_eq!(
            document["ProductArn"],
            "arn:aws:securityhub:us-east-1:111122223333:product/111122223333/default"
        );
    }
    assert!(seen_suppressed, "the demo has suppressed findings to map");
    // The demo may not yet have a check with a Security Hub control; when it does, it is mapped.
    let _ = seen_control;
}

#[test]
fn asff_lists_only_problems_unless_asked() {
    let documents: Vec<Value> = asff_batches(&[], "1700000000")
        .into_iter()
        .flatten()
        .collect();
    assert_eq!(documents.len(), json_findings(&[]).len());
    assert!(
        documents
            .iter()
            .all(|document| document["Compliance"]["Status"] != "PASSED"
                && document.get("Workflow").is_none())
    );
}

#[test]
fn asff_ids_stay_the_same_across_scans() {
    let first: Vec<Value> = asff_batches(&ALL, "1700000000")
        .into_iter()
        .flatten()
        .collect();
    let second: Vec<Value> = asff_batches(&ALL, "1800000000")
        .into_iter()
        .flatten()
        .collect();
    let ids = |documents: &[Value]| -> Vec<String> {
        documents
            .iter()
            .map(|d| d["Id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(&first), ids(&second));
    assert_ne!(first[0]["UpdatedAt"], second[0]["UpdatedAt"]);
    assert_eq!(second[0]["UpdatedAt"], "2027-01-15T08:00:00.000Z");
}

#[test]
fn asff_flags_override_the_cluster_arn_and_are_required_without_one() {
    let output = run(
        &[
            "scan",
            "--demo",
            "--format",
            "asff",
            "--aws-account-id",
            "999988887777",
            "--aws-region",
            "eu-west-1",
        ],
        "1700000000",
    );
    let line = common::stdout(&output);
    let batch: Vec<Value> = serde_json::from_str(line.lines().next().unwrap()).unwrap();
    assert_eq!(batch[0]["AwsAccountId"], "999988887777");
    assert_eq!(
        batch[0]["ProductArn"],
        "arn:aws:securityhub:eu-west-1:999988887777:product/999988887777/default"
    );

    let directory = tempfile::tempdir().unwrap();
    let manifest = directory.path().join("pod.yaml");
    std::fs::write(
        &manifest,
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: default\nspec:\n  containers:\n  - name: c\n    image: nginx\n    securityContext:\n      privileged: true\n",
    )
    .unwrap();
    let output = run(
        &["scan", "--format", "asff", manifest.to_str().unwrap()],
        "1700000000",
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        common::stderr(&output).contains("--aws-account-id"),
        "{}",
        common::stderr(&output)
    );
}

// --- OpenReports and PolicyReport --------------------------------------------------------

/// A CRD's OpenAPI v3 schema as JSON Schema: `x-kubernetes-*` and `format` dropped, and every
/// object that lists `properties` closed (the API server would prune a field it does not know).
fn to_json_schema(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|key, _| !key.starts_with("x-kubernetes-") && key != "format");
            if map.contains_key("properties") && !map.contains_key("additionalProperties") {
                map.insert("additionalProperties".to_string(), Value::Bool(false));
            }
            for (key, child) in map.iter_mut() {
                if key == "properties" {
                    if let Value::Object(properties) = child {
                        properties.values_mut().for_each(to_json_schema);
                    }
                } else {
                    to_json_schema(child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(to_json_schema),
        _ => {}
    }
}

fn crd_validator(file: &str) -> jsonschema::Validator {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../garrison-report/tests/data")
        .join(file);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("missing vendored CRD schema {}: {error}", path.display()));
    let mut schema: Value = serde_json::from_str(&text).unwrap();
    to_json_schema(&mut schema);
    jsonschema::meta::validate(&schema).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

fn check_reports(format: &str, schema: &str, kinds: (&str, &str), api_version: &str) {
    let validator = crd_validator(schema);
    let mut args = vec!["scan", "--demo", "--format", format];
    args.extend_from_slice(&ALL);
    let list: Value = serde_json::from_str(&stdout_of(&args)).unwrap();
    assert_eq!(list["apiVersion"], "v1");
    assert_eq!(list["kind"], "List");
    let items = list["items"].as_array().unwrap();
    let mut results_by_namespace: BTreeMap<Option<String>, usize> = BTreeMap::new();
    let mut names = BTreeSet::new();
    for item in items {
        let errors: Vec<String> = validator
            .iter_errors(item)
            .map(|error| format!("{error} at {}", error.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{} {}: {errors:?}",
            item["kind"],
            item["metadata"]["name"]
        );
        assert_eq!(item["apiVersion"], api_version);
        let namespace = item["metadata"]["namespace"].as_str().map(str::to_string);
        assert_eq!(
            item["kind"],
            if namespace.is_some() {
                kinds.0
            } else {
                kinds.1
            }
        );
        assert!(names.insert((namespace.clone(), item["metadata"]["name"].to_string())));
        let results = item["results"].as_array().unwrap();
        assert!(!results.is_empty());
        let mut counted: BTreeMap<&str, u64> = BTreeMap::new();
        for result in results {
            *counted
                .entry(result["result"].as_str().unwrap())
                .or_default() += 1;
            assert_eq!(result["source"], "garrison");
            for resource in result["resources"].as_array().unwrap() {
                assert_eq!(
                    resource["namespace"].as_str().map(str::to_string),
                    namespace
                );
            }
        }
        for key in ["pass", "fail", "warn", "error", "skip"] {
            assert_eq!(
                item["summary"][key].as_u64().unwrap(),
                counted.get(key).copied().unwrap_or(0),
                "summary.{key} of {}",
                item["metadata"]["name"]
            );
        }
        *results_by_namespace.entry(namespace).or_default() += results.len();
    }
    // Every listed finding is one result, in its namespace's report.
    let mut expected: BTreeMap<Option<String>, usize> = BTreeMap::new();
    for finding in json_findings(&ALL) {
        let namespace = finding["object"]["namespace"].as_str().map(str::to_string);
        *expected.entry(namespace).or_default() += 1;
    }
    assert_eq!(results_by_namespace, expected);
    assert!(expected.contains_key(&None) && expected.len() > 2);
}

#[test]
fn openreports_validate_against_the_crd_schema() {
    check_reports(
        "openreports",
        "openreports.io_v1alpha1.openapi.json",
        ("Report", "ClusterReport"),
        "openreports.io/v1alpha1",
    );
}

#[test]
fn policyreports_validate_against_the_crd_schema() {
    check_reports(
        "policyreport",
        "wgpolicyk8s.io_v1alpha2.openapi.json",
        ("PolicyReport", "ClusterPolicyReport"),
        "wgpolicyk8s.io/v1alpha2",
    );
}

#[test]
fn the_crd_schema_rejects_what_the_api_server_would_not_keep() {
    // The validation is not vacuous: an unknown field and an unknown result are errors.
    let validator = crd_validator("openreports.io_v1alpha1.openapi.json");
    let bad = serde_json::json!({
        "apiVersion": "openreports.io/v1alpha1", "kind": "Report", "metadata": {},
        "results": [{"policy": "p", "result": "broken", "extra": 1}],
    });
    assert_eq!(validator.iter_errors(&bad).count(), 2);
}

// --- garrison report ----------------------------------------------------------------------

#[test]
fn report_re_renders_a_saved_result_exactly_as_scan_renders_it() {
    let directory = tempfile::tempdir().unwrap();
    for flags in [&[][..], &ALL[..]] {
        let mut args = vec!["scan", "--demo", "--format", "json"];
        args.extend_from_slice(flags);
        let saved = directory.path().join("findings.json");
        std::fs::write(&saved, stdout_of(&args)).unwrap();
        for format in [
            "table",
            "json",
            "sarif",
            "junit",
            "asff",
            "openreports",
            "policyreport",
            "html",
        ] {
            if format == "junit" && flags.is_empty() {
                // JUnit lists passes and suppressed results, which this saved result omits;
                // `report_says_when_junit_lacks_results_the_saved_file_omits` covers it.
                continue;
            }
            let mut args = vec!["scan", "--demo", "--format", format];
            args.extend_from_slice(flags);
            let direct = stdout_of(&args);
            let output = run(
                &["report", saved.to_str().unwrap(), "--format", format],
                "1700000000",
            );
            assert_eq!(output.status.code(), Some(0), "{}", common::stderr(&output));
            let rendered = common::stdout(&output);
            assert!(!rendered.is_empty());
            assert!(
                rendered == direct,
                "garrison report --format {format} {flags:?} differs from scan:\n{}",
                first_difference(&direct, &rendered)
            );
        }
    }
}

fn first_difference(expected: &str, actual: &str) -> String {
    for (number, (left, right)) in expected.lines().zip(actual.lines()).enumerate() {
        if left != right {
            return format!("line {}:\n  scan:   {left}\n  report: {right}", number + 1);
        }
    }
    format!(
        "lengths differ: {} and {} lines",
        expected.lines().count(),
        actual.lines().count()
    )
}

#[test]
fn report_says_when_junit_lacks_results_the_saved_file_omits() {
    let directory = tempfile::tempdir().unwrap();
    let saved = directory.path().join("findings.json");
    std::fs::write(&saved, stdout_of(&["scan", "--demo", "--format", "json"])).unwrap();
    let output = run(
        &["report", saved.to_str().unwrap(), "--format", "junit"],
        "1700000000",
    );
    assert_eq!(output.status.code(), Some(0));
    assert!(
        common::stderr(&output).contains("--include-passed --show-suppressed"),
        "{}",
        common::stderr(&output)
    );
    let full = directory.path().join("full.json");
    let mut args = vec!["scan", "--demo", "--format", "json"];
    args.extend_from_slice(&ALL);
    std::fs::write(&full, stdout_of(&args)).unwrap();
    let output = run(
        &["report", full.to_str().unwrap(), "--format", "junit"],
        "1700000000",
    );
    assert_eq!(common::stderr(&output), "");
}

#[test]
fn report_writes_to_a_file_and_names_what_is_wrong_with_its_input() {
    let directory = tempfile::tempdir().unwrap();
    let saved = directory.path().join("findings.json");
    std::fs::write(&saved, stdout_of(&["scan", "--demo", "--format", "json"])).unwrap();
    let out = directory.path().join("reports.json");
    let output = run(
        &[
            "report",
            saved.to_str().unwrap(),
            "--format",
            "openreports",
            "-o",
            out.to_str().unwrap(),
        ],
        "1700000000",
    );
    assert_eq!(output.status.code(), Some(0), "{}", common::stderr(&output));
    let list: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(list["kind"], "List");

    let mut document: Value =
        serde_json::from_str(&std::fs::read_to_string(&saved).unwrap()).unwrap();
    document["findings"][0]["check"] = Value::from("NO-SUCH-CHECK");
    std::fs::write(&saved, document.to_string()).unwrap();
    let output = run(&["report", saved.to_str().unwrap()], "1700000000");
    assert_eq!(output.status.code(), Some(2));
    let error = common::stderr(&output);
    assert!(
        error.contains("findings[0]") && error.contains("NO-SUCH-CHECK"),
        "{error}"
    );
}
