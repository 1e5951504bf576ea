//! Falco's own k8saudit test matrix: each trace file, with the rule overrides the case loads,
//! must give the detections Falco expects, per rule, and no detection where Falco has none.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use garrison_audit::engine::{Config, Engine, Family, Origin};
use garrison_audit::event::{AuditEvent, CloudTrailRecord};
use garrison_audit::reader::{Sink, read_inputs};
use garrison_audit::{DETECTORS, Detector};
use garrison_core::{Diagnostic, Severity};
use serde_json::Value;

fn data_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/conformance/falco-k8saudit");
    assert!(
        dir.join("trace_files").is_dir(),
        "Falco conformance data missing: {} (the shared/ checkout next to the repository)",
        dir.display()
    );
    dir
}

struct Collect<'c> {
    engine: Engine<'c>,
    problems: Vec<Diagnostic>,
}

impl Sink for Collect<'_> {
    fn audit(&mut self, event: &AuditEvent<'_>, origin: &Origin) {
        self.engine.audit(event, origin);
    }
    fn cloudtrail(&mut self, record: &CloudTrailRecord<'_>, origin: &Origin) {
        self.engine.cloudtrail(record, origin);
    }
    fn problem(&mut self, diagnostic: Diagnostic) {
        self.problems.push(diagnostic);
    }
}

/// Runs every detector over one trace file: Falco-rule findings counted by rule, and problems.
fn run(trace: &str, config: &Config) -> (BTreeMap<String, usize>, Vec<Diagnostic>, Vec<String>) {
    let path = data_dir().join("trace_files").join(trace);
    assert!(path.is_file(), "missing trace file {}", path.display());
    let detectors: Vec<&'static Detector> = DETECTORS.to_vec();
    let mut sink = Collect {
        engine: Engine::new(detectors, config),
        problems: Vec::new(),
    };
    read_inputs(&[path.display().to_string()], false, &mut sink);
    let mut counts = BTreeMap::new();
    let mut severities = Vec::new();
    for finding in &sink.engine.findings {
        let detector = DETECTORS
            .iter()
            .find(|d| std::ptr::eq(d.meta, finding.check))
            .unwrap();
        if detector.family == Family::Falco {
            *counts.entry(finding.check.title.to_string()).or_insert(0) += 1;
            severities.push(format!(
                "{}={}",
                finding.check.title, finding.check.severity
            ));
        }
    }
    (counts, sink.problems, severities)
}

/// The configuration a case's override rule files amount to; `None` for a case that needs a
/// user-written rule rather than one of Falco's.
fn config_for(overrides: &[String]) -> Option<Config> {
    let mut config = Config::default();
    for name in overrides {
        let key: String = name
            .trim_end_matches(".yaml")
            .trim_start_matches("K8SAudit")
            .trim_start_matches("EngineV4")
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        match key.as_str() {
            "allownamespacefoo" => config.allowed_namespaces.push("foo".into()),
            "allowusersomeuser" => config.allowed_users.push("some-user".into()),
            "disallowkactivity" => config.activity_events = false,
            "trustnginxcontainer" => {
                config.privileged_images.push("nginx".into());
                config.sensitive_mount_images.push("nginx".into());
                config.host_network_images.push("nginx".into());
            }
            "allownginxcontainer" => config.allowed_images = Some(vec!["nginx".into()]),
            "allowonlyapachecontainer" => config.allowed_images = Some(vec!["apache".into()]),
            // The engine-v4 copy of the rules file: the same rules.
            "k8sauditrules" => {}
            "singlerulewithjsonpointer" => return None,
            other => panic!("override {name} ({other}) has no configuration equivalent"),
        }
    }
    Some(config)
}

/// 2022 rule names of the legacy matrix → the current names.
fn current_name(rule: &str) -> &str {
    match rule {
        "K8s Role/Clusterrole Created" => "K8s ClusterRole Created",
        "K8s Role/Clusterrole Deleted" => "K8s ClusterRole Deleted",
        "K8s Role/Clusterrolebinding Created" => "K8s ClusterRoleBinding Created",
        "K8s Role/Clusterrolebinding Deleted" => "K8s ClusterRoleBinding Deleted",
        other => other,
    }
}

fn severity_of(priority: &str) -> Severity {
    match priority {
        "ERROR" => Severity::High,
        "WARNING" => Severity::Medium,
        "NOTICE" => Severity::Low,
        "INFO" | "DEBUG" => Severity::Info,
        other => panic!("unknown Falco priority {other}"),
    }
}

#[test]
fn legacy_matrix_gives_falcos_detections() {
    let manifest: Vec<Value> = serde_json::from_str(
        &std::fs::read_to_string(data_dir().join("expected/manifest.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(manifest.len(), 66);
    let mut checked = 0;
    let mut skipped = Vec::new();
    let mut failures = Vec::new();
    for case in &manifest {
        let test = case["test"].as_str().unwrap();
        let trace = case["trace"].as_str().unwrap();
        let overrides: Vec<String> = case["extra_rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
        let Some(config) = config_for(&overrides) else {
            skipped.push(test.to_string());
            continue;
        };
        let (counts, _, severities) = run(trace, &config);
        let expected: BTreeMap<String, usize> = case["detect_counts"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(rule, n)| (current_name(rule).to_string(), n.as_u64().unwrap() as usize))
            .collect();
        for (rule, n) in &expected {
            let got = counts.get(rule).copied().unwrap_or(0);
            if got != *n {
                failures.push(format!(
                    "{test}: {rule}: expected {n}, got {got} ({counts:?})"
                ));
            }
        }
        if case["detect"] == Value::Bool(false) && !counts.is_empty() {
            failures.push(format!("{test}: expected no detection, got {counts:?}"));
        }
        if let Some(level) = case["detect_level"]
            .as_str()
            .filter(|_| case["detect"] == true)
        {
            let severity = severity_of(level);
            for rule in expected.keys() {
                let wanted = format!("{rule}={severity}");
                if !severities.contains(&wanted) {
                    failures.push(format!("{test}: {rule} should have severity {severity} ({level}); got {severities:?}"));
                }
            }
        }
        checked += 1;
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // The one case garrison does not mirror loads a rule the test itself writes (a JSON-pointer
    // rule), not one of Falco's 48; user-written rules are out of scope.
    assert_eq!(skipped, ["json_pointer_correct_parse"]);
    assert_eq!(checked, 65);
}

#[test]
fn current_matrix_gives_falcos_detections() {
    let manifest: Vec<Value> = serde_json::from_str(
        &std::fs::read_to_string(data_dir().join("expected/testing_manifest.json")).unwrap(),
    )
    .unwrap();
    // Capture names are the trace files' names in CamelCase.
    let normal = |text: &str| -> String {
        text.trim_start_matches("K8SAudit")
            .trim_end_matches(".json")
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase()
    };
    let traces: Vec<String> = std::fs::read_dir(data_dir().join("trace_files"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".json"))
        .collect();
    let mut failures = Vec::new();
    let mut checked = 0;
    for case in &manifest {
        let test = case["test"].as_str().unwrap();
        let capture = case["captures"][0].as_str().unwrap();
        let trace = traces
            .iter()
            .find(|name| normal(name) == normal(capture))
            .unwrap_or_else(|| panic!("{test}: no trace file for capture {capture}"));
        let overrides: Vec<String> = case["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .filter(|name| !matches!(name.as_str(), "LegacyFalcoRules_v1_0_1" | "K8SAuditRules"))
            .collect();
        let Some(config) = config_for(&overrides) else {
            assert_eq!(test, "TestK8SAudit_Legacy_JsonPointerCorrectParse");
            continue;
        };
        let (counts, _, _) = run(trace, &config);
        for (rule, n) in case["rule_counts"].as_object().unwrap() {
            let n = n.as_u64().unwrap() as usize;
            let got = counts.get(rule).copied().unwrap_or(0);
            if got != n {
                failures.push(format!("{test}: {rule}: expected {n}, got {got}"));
            }
        }
        if case["expect_no_detections"] == true && !counts.is_empty() {
            failures.push(format!("{test}: expected no detection, got {counts:?}"));
        }
        checked += 1;
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(checked, 65);
}

#[test]
fn malformed_trace_is_reported_and_detects_nothing() {
    let (counts, problems, _) = run("fal_01_003.json", &Config::default());
    assert!(counts.is_empty(), "{counts:?}");
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].file.ends_with("fal_01_003.json"));
    assert_eq!(problems[0].line, Some(1));
    assert!(
        problems[0].message.contains("not an audit event"),
        "{}",
        problems[0].message
    );
}

#[test]
fn every_falco_rule_is_mirrored() {
    let rules = std::fs::read_to_string(data_dir().join("rules/k8s_audit_rules.yaml")).unwrap();
    let names: Vec<&str> = rules
        .lines()
        .filter_map(|line| line.strip_prefix("- rule: "))
        .map(str::trim)
        .collect();
    assert_eq!(names.len(), 48);
    let mirrored: Vec<&str> = DETECTORS
        .iter()
        .filter(|d| d.family == Family::Falco)
        .map(|d| d.meta.title)
        .collect();
    let missing: Vec<&&str> = names
        .iter()
        .filter(|name| !mirrored.contains(name))
        .collect();
    assert!(
        missing.is_empty(),
        "Falco rules without a detector: {missing:?}"
    );
    assert_eq!(mirrored.len(), 48);
}
