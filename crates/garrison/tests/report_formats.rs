#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The machine-readable report formats, checked on the built binary scanning a corpus of real
//! manifests: the JSON result against `schemas/garrison-scan.schema.json`, SARIF against the
//! official OASIS SARIF 2.1.0 schema (`tests/data/`) and GitHub code scanning's limits, JUnit
//! for well-formed XML that agrees with the JSON result, and `--output` against stdout.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use garrison_core::{Level, SeedControl, Severity, Status};
use serde_json::Value;

/// The corpus, relative to this crate's directory, which is the binary's working directory in
/// these tests: `shared/` lies beside the workspace checkout.
const CORPUS: &str = "../../../shared/corpus/real-manifests";

/// The flags every scan here uses, so that JSON lists every finding the other formats count.
const LIST_ALL: [&str; 2] = ["--show-suppressed", "--include-passed"];

/// GitHub code scanning's documented limits on an uploaded SARIF file.
const GITHUB_MAX_RUNS_PER_FILE: usize = 20;
const GITHUB_MAX_RESULTS_PER_RUN: usize = 25_000;
const GITHUB_MAX_RULES_PER_RUN: usize = 25_000;
const GITHUB_MAX_LOCATIONS_PER_RESULT: usize = 1_000;
const GITHUB_MAX_TAGS_PER_RULE: usize = 20;

fn crate_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn workspace_dir() -> PathBuf {
    crate_dir().join("../..")
}

/// The corpus path to pass to the binary; fails (never skips) when the corpus is missing.
fn corpus() -> &'static str {
    static CHECKED: OnceLock<()> = OnceLock::new();
    CHECKED.get_or_init(|| {
        let path = crate_dir().join(CORPUS);
        assert!(
            path.is_dir(),
            "the corpus of real manifests is missing: expected a directory at {} \
             (shared/corpus/real-manifests beside the workspace checkout); these tests need it",
            path.display()
        );
        let manifests = std::fs::read_dir(&path)
            .unwrap_or_else(|error| panic!("cannot list {}: {error}", path.display()))
            .filter_map(Result::ok)
            .filter(|entry| {
                entry
                    .path()
                    .extension()
                    .is_some_and(|ext| ext == "yaml" || ext == "yml" || ext == "json")
            })
            .count();
        assert!(
            manifests > 0,
            "the corpus at {} holds no manifests",
            path.display()
        );
    });
    CORPUS
}

/// Runs `garrison scan CORPUS --format FORMAT` with [`LIST_ALL`] and `extra` arguments.
fn scan(format: &str, extra: &[&str]) -> Output {
    let output = Command::new(env!("CARGO_BIN_EXE_garrison"))
        .current_dir(crate_dir())
        .arg("scan")
        .arg(corpus())
        .args(["--format", format])
        .args(LIST_ALL)
        .args(extra)
        .env("NO_COLOR", "1")
        .output()
        .expect("cannot run the garrison binary");
    // 0: nothing at or above --fail-on; 1: findings at or above it. Anything else (2: input
    // unusable, a usage error, a crash) means the scan itself did not work.
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "`garrison scan {} --format {format} {} {}` exited with {:?}; stderr:\n{}",
        CORPUS,
        LIST_ALL.join(" "),
        extra.join(" "),
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// The standard output of a scan in `format`, run once per test binary and shared.
fn report(format: &str) -> &'static Output {
    static JSON: OnceLock<Output> = OnceLock::new();
    static SARIF: OnceLock<Output> = OnceLock::new();
    static JUNIT: OnceLock<Output> = OnceLock::new();
    static TABLE: OnceLock<Output> = OnceLock::new();
    let cell = match format {
        "json" => &JSON,
        "sarif" => &SARIF,
        "junit" => &JUNIT,
        "table" => &TABLE,
        other => panic!("no such format {other}"),
    };
    cell.get_or_init(|| scan(format, &[]))
}

fn report_text(format: &str) -> &'static str {
    std::str::from_utf8(&report(format).stdout)
        .unwrap_or_else(|error| panic!("the {format} report is not UTF-8: {error}"))
}

fn report_json(format: &str) -> Value {
    serde_json::from_str(report_text(format))
        .unwrap_or_else(|error| panic!("the {format} report is not JSON: {error}"))
}

fn load_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    serde_json::from_str(&text)
        .unwrap_or_else(|error| panic!("{} is not JSON: {error}", path.display()))
}

/// Validates `instance` against the schema at `schema_path` (its draft read from `$schema`,
/// formats checked), failing with every violation found (up to 25).
fn assert_valid(schema_path: &Path, instance: &Value, what: &str) {
    let schema = load_json(schema_path);
    if let Err(error) = jsonschema::meta::validate(&schema) {
        panic!(
            "{} is not a valid JSON Schema: {error} at {}",
            schema_path.display(),
            error.instance_path()
        );
    }
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap_or_else(|error| panic!("cannot compile {}: {error}", schema_path.display()));
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .take(25)
        .map(|error| format!("  at {}: {error}", error.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} does not validate against {}:\n{}",
        schema_path.display(),
        errors.join("\n")
    );
}

fn garrison_schema_path() -> PathBuf {
    workspace_dir().join("schemas/garrison-scan.schema.json")
}

fn str_of<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} is not a string in {value}"))
}

fn array_of<'a>(value: &'a Value, key: &str) -> &'a Vec<Value> {
    value[key]
        .as_array()
        .unwrap_or_else(|| panic!("{key} is not an array in {value}"))
}

fn count_of(value: &Value, key: &str) -> usize {
    value[key]
        .as_u64()
        .and_then(|count| usize::try_from(count).ok())
        .unwrap_or_else(|| panic!("{key} is not a count in {value}"))
}

fn is_unsuppressed_fail(finding: &Value) -> bool {
    finding["status"] == "FAIL" && finding["suppressed"].is_null()
}

// --- JSON ---------------------------------------------------------------------------------

#[test]
fn json_result_validates_against_the_published_schema() {
    let document = report_json("json");
    assert_valid(&garrison_schema_path(), &document, "the JSON result");

    assert_eq!(document["tool"]["name"], "garrison");
    assert_eq!(document["tool"]["version"], env!("CARGO_PKG_VERSION"));
    let findings = array_of(&document, "findings");
    assert!(
        !findings.is_empty(),
        "scanning {CORPUS} found nothing: the corpus or the checks are broken"
    );

    // With --show-suppressed and --include-passed every finding is listed, so the summary
    // must add up to exactly the listed findings.
    let summary = &document["summary"];
    let by_status = |status: &str| {
        findings
            .iter()
            .filter(|f| f["status"] == status && f["suppressed"].is_null())
            .count()
    };
    assert_eq!(count_of(summary, "fail"), by_status("FAIL"));
    assert_eq!(count_of(summary, "warn"), by_status("WARN"));
    assert_eq!(count_of(summary, "unknown"), by_status("UNKNOWN"));
    assert_eq!(count_of(summary, "pass"), by_status("PASS"));
    assert_eq!(
        count_of(summary, "not_applicable"),
        by_status("NOT_APPLICABLE")
    );
    assert_eq!(
        count_of(summary, "suppressed"),
        findings
            .iter()
            .filter(|f| !f["suppressed"].is_null())
            .count()
    );
    for severity in ["critical", "high", "medium", "low", "info"] {
        let expected = findings
            .iter()
            .filter(|f| {
                f["severity"] == severity
                    && f["suppressed"].is_null()
                    && (f["status"] == "FAIL" || f["status"] == "WARN")
            })
            .count();
        assert_eq!(count_of(summary, severity), expected, "summary.{severity}");
    }
}

/// The schema is a public contract: every object closed, every property required and described.
#[test]
fn json_schema_documents_every_field() {
    fn walk(schema: &Value, path: &str, problems: &mut Vec<String>) {
        match schema {
            Value::Object(map) => {
                if let Some(Value::Object(properties)) = map.get("properties") {
                    if map.get("additionalProperties") != Some(&Value::Bool(false)) {
                        problems.push(format!("{path}: additionalProperties is not false"));
                    }
                    let required: BTreeSet<&str> = map
                        .get("required")
                        .and_then(Value::as_array)
                        .map(|names| names.iter().filter_map(Value::as_str).collect())
                        .unwrap_or_default();
                    let declared: BTreeSet<&str> = properties.keys().map(String::as_str).collect();
                    if required != declared {
                        problems.push(format!(
                            "{path}: required {required:?} differs from properties {declared:?}"
                        ));
                    }
                    for (name, property) in properties {
                        let described = property
                            .get("description")
                            .and_then(Value::as_str)
                            .is_some_and(|text| !text.trim().is_empty());
                        if !described {
                            problems.push(format!("{path}/properties/{name}: no description"));
                        }
                    }
                }
                for (key, value) in map {
                    walk(value, &format!("{path}/{key}"), problems);
                }
            }
            Value::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    walk(item, &format!("{path}/{index}"), problems);
                }
            }
            _ => {}
        }
    }
    let schema = load_json(&garrison_schema_path());
    assert_eq!(
        schema["$schema"], "https://json-schema.org/draft/2020-12/schema",
        "the scan schema is written in JSON Schema draft 2020-12"
    );
    let mut problems = Vec::new();
    walk(&schema, "#", &mut problems);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The schema's enums are exactly the serialized forms of garrison-core's enums.
#[test]
fn json_schema_enums_match_the_core_types() {
    let schema = load_json(&garrison_schema_path());
    let finding = &schema["$defs"]["finding"]["properties"];
    let enum_of = |field: &str| -> Vec<String> {
        finding[field]["enum"]
            .as_array()
            .unwrap_or_else(|| panic!("finding.{field} has no enum"))
            .iter()
            .map(|value| value.as_str().unwrap().to_string())
            .collect()
    };
    let serialized =
        |value: serde_json::Result<Value>| value.unwrap().as_str().unwrap().to_string();

    let severities: Vec<String> = Severity::ALL
        .iter()
        .map(|s| serialized(serde_json::to_value(s)))
        .collect();
    assert_eq!(enum_of("severity"), severities);
    let statuses: Vec<String> = Status::ALL
        .iter()
        .map(|s| serialized(serde_json::to_value(s)))
        .collect();
    assert_eq!(enum_of("status"), statuses);

    // Level and SeedControl have no list of variants: the exhaustive matches below stop
    // compiling when one is added, until it is listed here and in the schema.
    let levels = [Level::Cluster, Level::Infrastructure, Level::Application];
    for level in levels {
        match level {
            Level::Cluster | Level::Infrastructure | Level::Application => {}
        }
    }
    let levels: Vec<String> = levels
        .iter()
        .map(|l| serialized(serde_json::to_value(l)))
        .collect();
    assert_eq!(enum_of("level"), levels);

    let controls = [
        SeedControl::ClusterAccessManagement,
        SeedControl::WorkloadIdentity,
        SeedControl::AuditLoggingAndMonitoring,
        SeedControl::Encryption,
        SeedControl::PrivateEndpointAndPrivatelink,
        SeedControl::ManagedComponents,
        SeedControl::SecurityHub,
        SeedControl::AutoMode,
        SeedControl::NetworkPolicies,
        SeedControl::SecurityGroupsForPods,
        SeedControl::Guardduty,
        SeedControl::SsmInsteadOfSsh,
        SeedControl::ContainerOptimizedOs,
        SeedControl::CisBenchmark,
        SeedControl::PodSecurity,
        SeedControl::ImageSecurity,
        SeedControl::CedarAuthorization,
    ];
    for control in controls {
        match control {
            SeedControl::ClusterAccessManagement
            | SeedControl::WorkloadIdentity
            | SeedControl::AuditLoggingAndMonitoring
            | SeedControl::Encryption
            | SeedControl::PrivateEndpointAndPrivatelink
            | SeedControl::ManagedComponents
            | SeedControl::SecurityHub
            | SeedControl::AutoMode
            | SeedControl::NetworkPolicies
            | SeedControl::SecurityGroupsForPods
            | SeedControl::Guardduty
            | SeedControl::SsmInsteadOfSsh
            | SeedControl::ContainerOptimizedOs
            | SeedControl::CisBenchmark
            | SeedControl::PodSecurity
            | SeedControl::ImageSecurity
            | SeedControl::CedarAuthorization => {}
        }
    }
    let controls: Vec<String> = controls
        .iter()
        .map(|c| serialized(serde_json::to_value(c)))
        .collect();
    assert_eq!(enum_of("control"), controls);
}

// --- SARIF --------------------------------------------------------------------------------

#[test]
fn sarif_validates_against_the_oasis_schema_and_fits_github() {
    let log = report_json("sarif");
    assert_valid(
        &crate_dir().join("tests/data/sarif-schema-2.1.0.json"),
        &log,
        "the SARIF log",
    );
    assert_eq!(log["version"], "2.1.0");

    let runs = array_of(&log, "runs");
    assert!(!runs.is_empty(), "the SARIF log has no run");
    assert!(
        runs.len() <= GITHUB_MAX_RUNS_PER_FILE,
        "{} runs: GitHub accepts at most {GITHUB_MAX_RUNS_PER_FILE} per file",
        runs.len()
    );
    let mut total_results = 0;
    for run in runs {
        let driver = &run["tool"]["driver"];
        assert_eq!(driver["name"], "garrison");
        let rules = array_of(driver, "rules");
        assert!(
            rules.len() <= GITHUB_MAX_RULES_PER_RUN,
            "{} rules: GitHub accepts at most {GITHUB_MAX_RULES_PER_RUN} per run",
            rules.len()
        );
        let mut rule_ids = Vec::new();
        for rule in rules {
            let id = str_of(rule, "id");
            rule_ids.push(id);
            let tags = rule["properties"]["tags"].as_array().map_or(0, Vec::len);
            assert!(
                tags <= GITHUB_MAX_TAGS_PER_RULE,
                "rule {id} has {tags} tags: GitHub reads at most {GITHUB_MAX_TAGS_PER_RULE}"
            );
            if let Some(severity) = rule["properties"].get("security-severity") {
                let score: f64 = severity
                    .as_str()
                    .and_then(|text| text.parse().ok())
                    .unwrap_or_else(|| {
                        panic!(
                            "rule {id}: security-severity {severity} is not a number in a string"
                        )
                    });
                assert!(
                    (0.0..=10.0).contains(&score),
                    "rule {id}: security-severity {score} is outside 0-10"
                );
            }
        }
        let unique: BTreeSet<&str> = rule_ids.iter().copied().collect();
        assert_eq!(
            unique.len(),
            rule_ids.len(),
            "duplicate rule ids: {rule_ids:?}"
        );

        let results = array_of(run, "results");
        total_results += results.len();
        assert!(
            results.len() <= GITHUB_MAX_RESULTS_PER_RUN,
            "{} results: GitHub accepts at most {GITHUB_MAX_RESULTS_PER_RUN} per run",
            results.len()
        );
        for (index, result) in results.iter().enumerate() {
            let rule_id = str_of(result, "ruleId");
            let position = rule_ids.iter().position(|id| *id == rule_id);
            assert!(
                position.is_some(),
                "result {index}: ruleId {rule_id} is not among the driver's rules"
            );
            if let Some(rule_index) = result.get("ruleIndex") {
                assert_eq!(
                    rule_index.as_u64().and_then(|i| usize::try_from(i).ok()),
                    position,
                    "result {index}: ruleIndex does not point at rule {rule_id}"
                );
            }
            let locations = array_of(result, "locations");
            assert!(
                !locations.is_empty() && locations.len() <= GITHUB_MAX_LOCATIONS_PER_RESULT,
                "result {index} ({rule_id}) has {} locations: GitHub needs 1 to {GITHUB_MAX_LOCATIONS_PER_RESULT}",
                locations.len()
            );
            let physical = &locations[0]["physicalLocation"];
            let uri = physical["artifactLocation"]["uri"].as_str().unwrap_or("");
            assert!(
                !uri.is_empty(),
                "result {index} ({rule_id}) has no physicalLocation.artifactLocation.uri: {result}"
            );
            let start_line = physical["region"]["startLine"].as_u64().unwrap_or(0);
            assert!(
                start_line >= 1,
                "result {index} ({rule_id}) has no region.startLine >= 1: {result}"
            );
            let fingerprints = result["partialFingerprints"].as_object();
            assert!(
                fingerprints.is_some_and(|map| !map.is_empty()),
                "result {index} ({rule_id}) has no partialFingerprints"
            );
        }
    }
    assert!(
        total_results > 0,
        "the SARIF log has no result although the corpus has failures"
    );
}

// --- JUnit --------------------------------------------------------------------------------

#[test]
fn junit_is_well_formed_and_agrees_with_the_json_result() {
    let xml = report_text("junit");
    let document = roxmltree::Document::parse(xml)
        .unwrap_or_else(|error| panic!("the JUnit report is not well-formed XML: {error}"));
    let root = document.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");

    let json = report_json("json");
    let findings = array_of(&json, "findings");
    let mut json_fails: BTreeMap<&str, usize> = BTreeMap::new();
    for finding in findings {
        let check = str_of(finding, "check");
        let fails = json_fails.entry(check).or_default();
        if is_unsuppressed_fail(finding) {
            *fails += 1;
        }
    }
    let json_fail_total: usize = json_fails.values().sum();
    assert_eq!(json_fail_total, count_of(&json["summary"], "fail"));

    let attribute = |node: roxmltree::Node<'_, '_>, name: &str| -> usize {
        node.attribute(name)
            .and_then(|value| value.parse().ok())
            .unwrap_or_else(|| panic!("<{}> has no numeric {name}", node.tag_name().name()))
    };

    let mut junit_fails: BTreeMap<&str, usize> = BTreeMap::new();
    let mut cases = 0;
    for suite in root.children().filter(roxmltree::Node::is_element) {
        assert_eq!(suite.tag_name().name(), "testsuite");
        let name = suite.attribute("name").unwrap_or("");
        let check = name.split(' ').next().unwrap_or("");
        let failures = suite
            .descendants()
            .filter(|node| node.has_tag_name("failure"))
            .count();
        assert_eq!(
            attribute(suite, "failures"),
            failures,
            "testsuite {name:?}: the failures attribute disagrees with its <failure> elements"
        );
        let suite_cases = suite
            .children()
            .filter(|node| node.has_tag_name("testcase"))
            .count();
        assert_eq!(
            attribute(suite, "tests"),
            suite_cases,
            "testsuite {name:?}: tests"
        );
        cases += suite_cases;
        assert!(
            junit_fails.insert(check, failures).is_none(),
            "more than one testsuite for check {check}"
        );
    }
    // One testsuite per check, the same checks as the JSON result, the same failures each.
    assert_eq!(
        junit_fails, json_fails,
        "JUnit failures per check (left) differ from unsuppressed FAIL findings in JSON (right)"
    );
    assert_eq!(attribute(root, "failures"), json_fail_total);
    assert_eq!(attribute(root, "tests"), cases);
    assert_eq!(cases, findings.len(), "one test case per finding");
}

// --- --output -----------------------------------------------------------------------------

#[test]
fn output_file_holds_the_same_bytes_as_stdout() {
    let dir = tempfile::tempdir().expect("cannot create a temporary directory");
    for format in ["json", "sarif", "junit", "table"] {
        let path = dir.path().join(format!("report.{format}"));
        let path_text = path.to_str().expect("the temporary path is not UTF-8");
        let written = scan(format, &["--output", path_text]);
        assert!(
            written.stdout.is_empty(),
            "with --output, {format} still wrote {} bytes to stdout",
            written.stdout.len()
        );
        let file = std::fs::read(&path)
            .unwrap_or_else(|error| panic!("--output did not write {}: {error}", path.display()));
        let stdout = report(format);
        if file != stdout.stdout {
            let file_text = String::from_utf8_lossy(&file);
            let stdout_text = String::from_utf8_lossy(&stdout.stdout);
            let first_difference = file_text
                .lines()
                .zip(stdout_text.lines())
                .enumerate()
                .find(|(_, (a, b))| a != b)
                .map_or_else(
                    || "one is a prefix of the other".to_string(),
                    |(line, (a, b))| {
                        format!("first at line {}:\n  file:   {a}\n  stdout: {b}", line + 1)
                    },
                );
            panic!(
                "--output wrote {} bytes of {format}, stdout had {} bytes, and they differ \
                 ({first_difference}); if the same lines appear in another order, the scan's \
                 output is not deterministic",
                file.len(),
                stdout.stdout.len()
            );
        }
        assert_eq!(
            written.status.code(),
            stdout.status.code(),
            "{format}: --output changed the exit code"
        );
    }
}
