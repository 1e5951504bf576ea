//! `garrison install admission` eats its own cooking: what it prints passes `garrison scan` with
//! no HIGH or CRITICAL finding, and its pods pass Pod Security restricted at the latest version.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{garrison, stderr, stdout, with_stdin};
use serde_json::Value;

fn manifests(args: &[&str]) -> String {
    let mut all = vec!["install", "admission"];
    all.extend_from_slice(args);
    let output = garrison(&all);
    assert!(output.status.success(), "{}", stderr(&output));
    stdout(&output)
}

fn assert_dogfood(text: &str) {
    let scan = with_stdin(&["scan", "-", "--format", "json", "--strict"], text);
    assert!(
        scan.status.success(),
        "scan exit {:?}: {}{}",
        scan.status.code(),
        stdout(&scan),
        stderr(&scan)
    );
    let report: Value = serde_json::from_str(&stdout(&scan)).unwrap();
    let findings = report["findings"].as_array().expect("findings");
    let serious: Vec<&Value> = findings
        .iter()
        .filter(|finding| {
            matches!(finding["severity"].as_str(), Some("high" | "critical"))
                && matches!(
                    finding["status"].as_str(),
                    Some("FAIL" | "WARN" | "UNKNOWN")
                )
                && finding["suppressed"] == false
        })
        .collect();
    assert!(serious.is_empty(), "HIGH/CRITICAL findings: {serious:#?}");

    let pss = with_stdin(
        &["pss", "--level", "restricted", "--version", "latest", "-"],
        text,
    );
    assert!(
        pss.status.success(),
        "pss restricted:latest: {}{}",
        stdout(&pss),
        stderr(&pss)
    );
}

#[test]
fn installed_admission_webhook_passes_its_own_scan_and_restricted() {
    let text = manifests(&[]);
    for kind in [
        "kind: Namespace",
        "kind: ServiceAccount",
        "kind: ClusterRole",
        "kind: Deployment",
        "kind: PodDisruptionBudget",
        "kind: NetworkPolicy",
        "kind: Service",
        "kind: Secret",
        "kind: ValidatingWebhookConfiguration",
        "failurePolicy: Fail",
        "caBundle: ",
        "replicas: 2",
    ] {
        assert!(text.contains(kind), "missing {kind:?}");
    }
    // Namespace labels come from the in-cluster watch: no file of namespaces, a token for the
    // watch, HTTPS egress to reach the API server, and a preStop pause before the drain.
    assert!(!text.contains("--namespaces"), "{text}");
    assert!(text.contains("automountServiceAccountToken: true"));
    assert!(
        text.contains("  egress:\n  - ports:\n    - port: 443\n"),
        "{text}"
    );
    assert!(text.contains("preStop:\n            sleep:\n              seconds: 5"));
    assert_dogfood(&text);

    let text = manifests(&[
        "--cert-manager",
        "--namespace",
        "security",
        "--replicas",
        "3",
        "--failure-policy",
        "Ignore",
    ]);
    assert!(text.contains("kind: Certificate"));
    assert!(text.contains("cert-manager.io/inject-ca-from: security/garrison-admission"));
    assert!(text.contains("failurePolicy: Ignore"));
    assert!(text.contains("replicas: 3"));
    assert!(!text.contains("kind: Secret"));
    assert_dogfood(&text);
}

#[test]
fn one_replica_is_refused() {
    let output = garrison(&["install", "admission", "--replicas", "1"]);
    assert_eq!(output.status.code(), Some(2));
}
