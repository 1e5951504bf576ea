//! `garrison authz` as a user meets it: `check` from flags and from a SubjectAccessReview,
//! `convert-rbac` output that validates and decides like RBAC, `replay` of audit logs, `schema`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{garrison, stderr, stdout, with_stdin};

use serde_json::Value;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/authz");
const RBAC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../garrison-cedar/tests/rbac");

fn policies() -> String {
    format!("{DATA}/policies")
}

fn check_json(extra: &[&str]) -> Value {
    let policies = policies();
    let mut args = vec![
        "authz",
        "check",
        "--policies",
        policies.as_str(),
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let output = garrison(&args);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    serde_json::from_str(&stdout(&output)).unwrap()
}

#[test]
fn check_from_flags_allows_denies_and_has_no_opinion() {
    let allow = check_json(&[
        "--user",
        "carol",
        "--group",
        "devs",
        "--verb",
        "list",
        "--resource",
        "pods",
        "-n",
        "shop",
    ]);
    assert_eq!(allow["decision"], "allow");
    assert_eq!(allow["policies"], serde_json::json!(["devs-read-shop"]));

    let deny = check_json(&[
        "--user",
        "carol",
        "--group",
        "devs",
        "--verb",
        "get",
        "--resource",
        "secrets",
        "-n",
        "shop",
        "--name",
        "db",
    ]);
    assert_eq!(deny["decision"], "deny");
    assert_eq!(deny["policies"], serde_json::json!(["no-secrets"]));
    assert!(
        deny["reason"]
            .as_str()
            .unwrap()
            .contains("secrets are read through the vault")
    );

    let none = check_json(&[
        "--user",
        "dave",
        "--verb",
        "get",
        "--non-resource-url",
        "/healthz",
    ]);
    assert_eq!(none["decision"], "no-opinion");
    assert_eq!(none["policies"], serde_json::json!([]));

    let bypassed = check_json(&[
        "--user",
        "root",
        "--group",
        "system:masters",
        "--verb",
        "get",
        "--resource",
        "secrets",
        "--bypass-group",
        "system:masters",
    ]);
    assert_eq!(bypassed["decision"], "no-opinion");
    assert!(bypassed["reason"].as_str().unwrap().contains("bypasses"));
}

#[test]
fn check_reads_a_subject_access_review_from_stdin() {
    let review = r#"{"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview",
        "spec":{"user":"erin","groups":["devs"],
        "resourceAttributes":{"verb":"get","group":"apps","resource":"deployments","namespace":"shop","name":"web"}}}"#;
    let policies = policies();
    let output = with_stdin(
        &["authz", "check", "--policies", &policies, "--sar", "-"],
        review,
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).starts_with("allow: allowed by devs-read-shop"));
}

#[test]
fn check_refuses_an_invalid_policy_set_naming_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.cedar"),
        "permit(principal, action, resource);\n\npermit(principal, action == k8s::Action::\"get\", resource is k8s::Resource) when { resource.nmae == \"x\" };\n",
    )
    .unwrap();
    let output = garrison(&[
        "authz",
        "check",
        "--policies",
        dir.path().to_str().unwrap(),
        "--user",
        "a",
        "--verb",
        "get",
        "--resource",
        "pods",
    ]);
    assert_eq!(output.status.code(), Some(2));
    let text = stderr(&output);
    assert!(text.contains("bad.cedar:3"), "{text}");
    assert!(text.contains("nmae"), "{text}");
}

#[test]
fn convert_rbac_output_validates_and_decides_like_rbac() {
    let output = garrison(&["authz", "convert-rbac", RBAC]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("@binding(\"ClusterRoleBinding cluster-admin\")"));
    assert!(stderr(&output).contains("does-not-exist"));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("rbac.cedar"), &text).unwrap();
    let decide = |args: &[&str]| {
        let mut all = vec!["authz", "check", "--policies", dir.path().to_str().unwrap()];
        all.extend_from_slice(args);
        let output = garrison(&all);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        stdout(&output)
    };
    // cluster-admin's `*` includes subresources; the token cleaner works only in kube-system.
    assert!(
        decide(&[
            "--user",
            "x",
            "--group",
            "system:masters",
            "--verb",
            "create",
            "--resource",
            "pods",
            "--subresource",
            "exec",
            "-n",
            "a"
        ])
        .starts_with("allow")
    );
    let cleaner = "system:serviceaccount:kube-system:token-cleaner";
    assert!(
        decide(&[
            "--user",
            cleaner,
            "--verb",
            "delete",
            "--resource",
            "secrets",
            "-n",
            "kube-system"
        ])
        .starts_with("allow")
    );
    assert!(
        decide(&[
            "--user",
            cleaner,
            "--verb",
            "delete",
            "--resource",
            "secrets",
            "-n",
            "default"
        ])
        .starts_with("no-opinion")
    );
}

#[test]
fn replay_summarises_audit_logs() {
    let policies = policies();
    let jsonl = format!("{DATA}/audit.jsonl");
    let list = format!("{DATA}/audit-list.json");
    let output = garrison(&[
        "authz",
        "replay",
        "--policies",
        &policies,
        &jsonl,
        &list,
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    // The unreadable line is reported with its line number.
    assert!(
        stderr(&output).contains("audit.jsonl:8"),
        "{}",
        stderr(&output)
    );
    let summary: Value = serde_json::from_str(&stdout(&output)).unwrap();
    // a1 has two stages but is one request.
    assert_eq!(summary["requests"], 7);
    assert_eq!(summary["deny"], 3);
    assert_eq!(summary["allow"], 2);
    assert_eq!(summary["noOpinion"], 2);
    assert_eq!(summary["newlyDenied"], 3);
    let rows = summary["rows"].as_array().unwrap();
    assert_eq!(rows[0]["decision"], "deny");
    assert_eq!(rows[0]["user"], "carol");
    assert_eq!(rows[0]["count"], 2);
    // The impersonated user is who the authorizer judged.
    assert!(
        rows.iter()
            .any(|row| row["decision"] == "deny" && row["user"] == "dave")
    );
    assert!(
        rows.iter()
            .any(|row| row["resource"] == "/healthz" && row["decision"] == "no-opinion")
    );
    assert!(
        rows.iter()
            .any(|row| row["resource"] == "deployments.apps" && row["decision"] == "allow")
    );
}

#[test]
fn schema_prints_the_shipped_schema() {
    let output = garrison(&["authz", "schema"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout(&output).contains("namespace k8s {"));
}

#[test]
fn schema_from_a_snapshot_adds_the_clusters_kinds() {
    let snapshot = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../garrison-cedar/tests/schema-snapshot"
    );
    let output = garrison(&["authz", "schema", "--snapshot", snapshot]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("namespace com::example::stable::v1"),
        "{text}"
    );
    assert!(text.contains("entity CronTab"), "{text}");
    let errors = stderr(&output);
    assert!(
        errors.contains("warning: Ingress (networking.k8s.io/v1) has no OpenAPI definition"),
        "{errors}"
    );
    assert!(errors.contains("2 admission entity types"), "{errors}");

    let output = garrison(&[
        "authz",
        "schema",
        "--snapshot",
        snapshot,
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert!(json["io::k8s::networking::v1"]["entityTypes"]["NetworkPolicy"].is_object());

    let output = garrison(&["authz", "schema", "--snapshot", "/nonexistent-snapshot"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("/nonexistent-snapshot"));
}
