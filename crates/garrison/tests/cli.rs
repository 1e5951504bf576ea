//! The command line as a user meets it: exit codes, the demo, the catalogue, stdin, suppressions.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{garrison, stderr, stdout, with_stdin};

#[test]
fn demo_prints_a_table_grouped_by_severity_and_fails_on_high() {
    let output = garrison(&["scan", "--demo"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stdout(&output);
    let critical = text.find("CRITICAL (").expect("a CRITICAL group");
    let high = text.find("HIGH (").expect("a HIGH group");
    let medium = text.find("MEDIUM (").expect("a MEDIUM group");
    assert!(critical < high && high < medium);
    assert!(
        text.contains("demo-snapshot/k8s/deployments.json:"),
        "findings name file:line"
    );
    let summary = text.lines().last().unwrap();
    assert!(summary.starts_with("garrison: "), "{summary}");
    assert!(
        summary.contains(" failed, ") && summary.contains(" suppressed"),
        "{summary}"
    );
    assert!(
        !text.contains('\u{1b}'),
        "no colour when stdout is not a terminal"
    );
}

#[test]
fn fail_on_sets_the_exit_code_threshold() {
    let manifest = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: apps\nspec:\n  containers:\n  - name: c\n    image: nginx:1.27\n";
    // The worst finding of this pod is medium (no seccomp profile, root user, ...).
    let output = with_stdin(&["scan", "-", "--fail-on", "high"], manifest);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let output = with_stdin(&["scan", "-", "--fail-on", "medium"], manifest);
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    assert!(
        stdout(&output).contains("<stdin>:"),
        "stdin findings are located in <stdin>"
    );
}

#[test]
fn usage_and_input_errors_exit_2() {
    assert_eq!(garrison(&["scan"]).status.code(), Some(2));
    assert_eq!(
        garrison(&["scan", "--format", "yaml", "x"]).status.code(),
        Some(2)
    );
    let missing = garrison(&["scan", "/no/such/path.yaml"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("/no/such/path.yaml"),
        "{}",
        stderr(&missing)
    );
    assert_eq!(
        garrison(&["checks", "explain", "NOPE-1"]).status.code(),
        Some(2)
    );
}

#[test]
fn strict_turns_unreadable_documents_into_exit_2() {
    let input = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ok\n---\nkind: [broken\n";
    let relaxed = with_stdin(&["scan", "-"], input);
    assert_ne!(relaxed.status.code(), Some(2), "{}", stderr(&relaxed));
    assert!(
        stderr(&relaxed).contains("<stdin>:6: YAML syntax error"),
        "{}",
        stderr(&relaxed)
    );
    let strict = with_stdin(&["scan", "-", "--strict"], input);
    assert_eq!(strict.status.code(), Some(2));
}

#[test]
fn checks_lists_explains_and_prints_json() {
    let list = garrison(&["checks"]);
    assert_eq!(list.status.code(), Some(0));
    assert!(stdout(&list).contains("EKS-PSS-003     high      application"));
    let explain = garrison(&["checks", "explain", "privileged-container"]);
    let text = stdout(&explain);
    for section in [
        "## What it does",
        "## Why it matters",
        "## How to fix",
        "## References",
    ] {
        assert!(text.contains(section), "missing {section}");
    }
    let json: serde_json::Value =
        serde_json::from_slice(&garrison(&["checks", "--format", "json"]).stdout).unwrap();
    let checks = json.as_array().unwrap();
    assert!(checks.len() >= 20);
    for check in checks {
        for field in [
            "id",
            "name",
            "title",
            "severity",
            "level",
            "control",
            "cis",
            "security_hub",
            "pss",
        ] {
            assert!(check.get(field).is_some(), "{field} missing in {check}");
        }
    }
}

#[test]
fn annotation_and_config_suppress_and_show_suppressed_lists_them() {
    let manifest = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\n  annotations:\n    garrison.dev/ignore: \"EKS-PSS-013: nginx writes its cache to the root filesystem\"\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.27\n        securityContext:\n          privileged: true\n";
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("web.yaml");
    std::fs::write(&path, manifest).unwrap();
    let config = directory.path().join("garrison.toml");
    std::fs::write(
        &config,
        "[[ignore]]\ncheck = \"privileged-container\"\nnamespace = \"shop\"\nreason = \"approved exception SEC-42\"\n",
    )
    .unwrap();
    let path = path.to_str().unwrap();
    let config = config.to_str().unwrap();

    let plain: serde_json::Value =
        serde_json::from_slice(&garrison(&["scan", path, "--format", "json"]).stdout).unwrap();
    let ids = |report: &serde_json::Value| -> Vec<String> {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["check"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(ids(&plain).contains(&"EKS-PSS-003".to_string()));
    assert!(
        !ids(&plain).contains(&"EKS-PSS-013".to_string()),
        "the annotation suppresses EKS-PSS-013"
    );

    let configured = garrison(&[
        "scan",
        path,
        "--config",
        config,
        "--format",
        "json",
        "--show-suppressed",
    ]);
    let report: serde_json::Value = serde_json::from_slice(&configured.stdout).unwrap();
    let privileged = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == "EKS-PSS-003")
        .unwrap();
    assert_eq!(
        privileged["suppressed"],
        "config: approved exception SEC-42"
    );
    let root_fs = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == "EKS-PSS-013")
        .unwrap();
    assert_eq!(
        root_fs["suppressed"],
        "garrison.dev/ignore: nginx writes its cache to the root filesystem"
    );
    assert!(report["summary"]["suppressed"].as_u64().unwrap() >= 2);
    assert_eq!(
        privileged["object"]["line"], 15,
        "the line of securityContext.privileged"
    );
}

#[test]
fn bad_config_is_a_clear_error() {
    let directory = tempfile::tempdir().unwrap();
    let config = directory.path().join("garrison.toml");
    std::fs::write(&config, "[[ignore]]\ncheck = \"x\"\n").unwrap();
    let output = garrison(&["scan", "--demo", "--config", config.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("garrison.toml"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn real_corpus_scans_with_every_failure_named() {
    let corpus = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus/real-manifests"
    );
    assert!(
        std::path::Path::new(corpus).is_dir(),
        "missing test data: {corpus}"
    );
    let output = garrison(&["scan", corpus, "--format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert!(findings.len() > 1000, "{} findings", findings.len());
    for diagnostic in report["diagnostics"].as_array().unwrap() {
        assert!(diagnostic["file"].as_str().unwrap().ends_with(".yaml"));
        assert!(diagnostic["line"].as_u64().unwrap() >= 1);
        assert!(!diagnostic["message"].as_str().unwrap().is_empty());
    }
    // Each diagnostic also goes to stderr as file:line: message.
    let errors = stderr(&output);
    assert!(
        errors.contains("139.yaml:1: unrendered Helm template"),
        "{errors}"
    );
}
