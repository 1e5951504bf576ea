//! `garrison audit`: scanning logs from files, stdin and growing files, in the report formats,
//! with time windows and allow-lists; the detector list and docs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{garrison, stderr, stdout, with_stdin};
use serde_json::Value;

fn trace(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/conformance/falco-k8saudit/trace_files")
        .join(name);
    assert!(
        path.is_file(),
        "missing conformance data {}",
        path.display()
    );
    path.display().to_string()
}

fn findings(output: &std::process::Output) -> Vec<Value> {
    let report: Value = serde_json::from_str(&stdout(output)).unwrap();
    report["findings"].as_array().unwrap().clone()
}

fn ids(findings: &[Value]) -> Vec<String> {
    let mut ids: Vec<String> = findings
        .iter()
        .map(|f| f["check"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

#[test]
fn scan_reports_findings_and_malformed_input() {
    let output = garrison(&[
        "audit",
        "scan",
        &trace("create_nginx_pod_privileged.json"),
        &trace("fal_01_003.json"),
        "-f",
        "json",
    ]);
    // Medium findings only: below the default --fail-on high.
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        ids(&findings(&output)),
        ["EKS-FALCO-003", "EKS-GDAUDIT-006"]
    );
    let errors = stderr(&output);
    assert!(
        errors.contains("fal_01_003.json:1: not an audit event"),
        "{errors}"
    );
    let strict = garrison(&[
        "audit",
        "scan",
        &trace("create_nginx_pod_privileged.json"),
        "--fail-on",
        "medium",
    ]);
    assert_eq!(strict.status.code(), Some(1));
    assert!(stdout(&strict).contains("EKS-FALCO-003"));
}

#[test]
fn only_unreadable_input_exits_2() {
    let output = garrison(&["audit", "scan", &trace("fal_01_003.json")]);
    assert_eq!(output.status.code(), Some(2));
    let output = garrison(&["audit", "scan", "/nonexistent/audit.log"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("/nonexistent/audit.log"));
}

#[test]
fn every_report_format_renders() {
    for format in [
        "table",
        "json",
        "sarif",
        "junit",
        "openreports",
        "policyreport",
    ] {
        let output = garrison(&["audit", "scan", &trace("exec_pod.json"), "-f", format]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{format}: {}",
            stderr(&output)
        );
        assert!(
            stdout(&output).contains("EKS-FALCO-011")
                || stdout(&output).contains("falco-attach-exec-pod"),
            "{format}: {}",
            stdout(&output)
        );
    }
    let asff = garrison(&[
        "audit",
        "scan",
        &trace("exec_pod.json"),
        "-f",
        "asff",
        "--aws-account-id",
        "111122223333",
        "--aws-region",
        "eu-west-1",
    ]);
    assert_eq!(asff.status.code(), Some(0), "{}", stderr(&asff));
    assert!(stdout(&asff).contains("EKS-FALCO-011"));
}

#[test]
fn since_and_until_window_the_events() {
    // The trace was captured on 2018-10-26.
    let before = garrison(&[
        "audit",
        "scan",
        &trace("exec_pod.json"),
        "-f",
        "json",
        "--since",
        "2018-10-27T00:00:00Z",
    ]);
    assert!(findings(&before).is_empty());
    assert!(stderr(&before).contains("1 records outside"));
    let inside = garrison(&[
        "audit",
        "scan",
        &trace("exec_pod.json"),
        "-f",
        "json",
        "--since",
        "2018-10-26T00:00:00Z",
        "--until",
        "2018-10-27T00:00:00Z",
    ]);
    // Falco's "Attach/Exec Pod" and the stateful "First exec by a principal".
    assert_eq!(ids(&findings(&inside)), ["EKS-AUDIT-003", "EKS-FALCO-011"]);
}

#[test]
fn config_file_extends_allow_lists() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("audit.toml");
    std::fs::write(
        &config,
        "trusted_images = [\"nginx\"]\nallowed_namespaces = [\"foo\"]\n",
    )
    .unwrap();
    let output = garrison(&[
        "audit",
        "scan",
        &trace("create_nginx_pod_privileged.json"),
        &trace("minikube_creates_namespace_foo.json"),
        "-c",
        config.to_str().unwrap(),
        "-f",
        "json",
    ]);
    let ids = ids(&findings(&output));
    assert!(!ids.contains(&"EKS-FALCO-003".to_string()), "{ids:?}");
    assert!(!ids.contains(&"EKS-FALCO-014".to_string()), "{ids:?}");
    // The namespace creation itself is still in the activity stream.
    assert!(ids.contains(&"EKS-FALCO-028".to_string()), "{ids:?}");
    std::fs::write(&config, "no_such_setting = 1\n").unwrap();
    let output = garrison(&[
        "audit",
        "scan",
        &trace("exec_pod.json"),
        "-c",
        config.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("no_such_setting"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn stdin_and_detector_selection() {
    let text = std::fs::read_to_string(trace("attach_cluster_admin_role.json")).unwrap();
    let output = with_stdin(
        &[
            "audit",
            "scan",
            "-",
            "-f",
            "json",
            "--detector",
            "falco-attach-cluster-admin",
        ],
        &text,
    );
    assert_eq!(ids(&findings(&output)), ["EKS-FALCO-018"]);
    let output = garrison(&["audit", "scan", "-", "--detector", "nope"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn follow_prints_findings_as_the_file_grows() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("audit.log");
    std::fs::write(&log, "").unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_garrison"))
        .args([
            "audit",
            "scan",
            log.to_str().unwrap(),
            "--follow",
            "-f",
            "json",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let event = std::fs::read_to_string(trace("exec_pod.json")).unwrap();
    let mut file = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
    // Half a line first: nothing is read until the writer finishes it.
    let (head, tail) = event.trim_end().split_at(100);
    file.write_all(head.as_bytes()).unwrap();
    file.flush().unwrap();
    std::thread::sleep(Duration::from_millis(500));
    file.write_all(tail.as_bytes()).unwrap();
    file.write_all(b"\n").unwrap();
    file.flush().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let started = Instant::now();
    let line = lines.next().unwrap().unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(started.elapsed() < Duration::from_secs(30));
    let finding: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(finding["checkId"], "EKS-FALCO-011");
    assert_eq!(finding["line"], 1);
}

#[test]
fn rules_explain_and_docs() {
    let output = garrison(&["audit", "rules"]);
    assert!(
        stdout(&output).contains("68 detectors"),
        "{}",
        stdout(&output)
    );
    let output = garrison(&["audit", "rules", "--format", "json"]);
    let rows: Vec<Value> = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(rows.iter().filter(|r| r["mirrors"] == "falco").count(), 48);
    assert_eq!(
        rows.iter().filter(|r| r["mirrors"] == "stateful").count(),
        3
    );
    let output = garrison(&["audit", "explain", "EKS-GDAUDIT-001"]);
    assert!(stdout(&output).contains("Execution:Kubernetes/ExecInKubeSystemPod"));
    assert!(stdout(&output).contains("## How to fix"));
    assert_eq!(
        garrison(&["audit", "explain", "nope"]).status.code(),
        Some(2)
    );
    let docs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/audit");
    let output = garrison(&["audit", "docs", docs.to_str().unwrap(), "--check"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[test]
fn json_result_validates_against_the_scan_schema() {
    let schema_path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../schemas/garrison-scan.schema.json");
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(&schema_path).unwrap()).unwrap();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    let output = garrison(&[
        "audit",
        "scan",
        &trace("create_nginx_pod_privileged.json"),
        &trace("anonymous_creates_namespace_foo.json"),
        &trace("fal_01_003.json"),
        "-f",
        "json",
    ]);
    let report: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert!(!report["findings"].as_array().unwrap().is_empty());
    assert_eq!(report["diagnostics"].as_array().unwrap().len(), 1);
    let errors: Vec<String> = validator
        .iter_errors(&report)
        .take(25)
        .map(|error| format!("  at {}: {error}", error.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "audit JSON does not validate:\n{}",
        errors.join("\n")
    );
}

#[test]
fn user_rules_add_findings_and_bad_rules_name_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules.toml");
    std::fs::write(
        &rules,
        r#"# exec anywhere but in the dev namespace
[[rule]]
id = "EKS-USER-001"
title = "Exec outside dev"
severity = "high"
resources = ["pods"]
condition = '''
has(event.objectRef.subresource) && event.objectRef.subresource == "exec"
  && event.objectRef.namespace != "dev"
'''
"#,
    )
    .unwrap();
    let output = garrison(&[
        "audit",
        "scan",
        &trace("exec_pod.json"),
        &trace("create_nginx_pod_privileged.json"),
        "--rules",
        rules.to_str().unwrap(),
        "-f",
        "json",
    ]);
    let found = findings(&output);
    let user: Vec<&Value> = found
        .iter()
        .filter(|f| f["check"] == "EKS-USER-001")
        .collect();
    assert_eq!(user.len(), 1, "{}", stdout(&output));
    assert_eq!(user[0]["severity"], "high");
    // A high finding fails the run at the default --fail-on.
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));

    std::fs::write(
        &rules,
        "[[rule]]\nid = \"EKS-USER-002\"\ntitle = \"t\"\nseverity = \"high\"\ncondition = \"event.verb ==\"\n",
    )
    .unwrap();
    let output = garrison(&[
        "audit",
        "scan",
        &trace("exec_pod.json"),
        "--rules",
        rules.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let message = format!(
        "{}:5: condition of EKS-USER-002 is not valid CEL",
        rules.display()
    );
    assert!(stderr(&output).contains(&message), "{}", stderr(&output));
}
