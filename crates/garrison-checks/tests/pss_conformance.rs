//! Upstream pod-security-admission's fixture suite, run through the PSS engine.
//!
//! `shared/conformance/psa/expectations.json` lists 4,537 pod fixtures (every check's pass and
//! fail pods at every level and policy version up to v1.37), each with the verdict the real API
//! server gives and the text its denial must contain. Every fixture must match. The data lies
//! beside the workspace checkout; without it this test fails rather than passing vacuously.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use garrison_checks::pss::{PssLevel, PssPolicy, PssVersion, evaluate_pod, pod_forbidden_message};
use k8s_openapi::api::core::v1::PodSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Deserialize;

const EXPECTED_FIXTURES: usize = 4537;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expectation {
    path: String,
    level: String,
    version: String,
    expect: Verdict,
    /// The upstream check the fixture was generated for; `null` for the base pods.
    fixture_check: Option<String>,
    /// Set for `fail` fixtures only.
    error_substring: Option<String>,
    requires_apiserver_defaulting: bool,
}

#[derive(Debug, Deserialize, PartialEq, Eq, PartialOrd, Ord, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum Verdict {
    Pass,
    Fail,
}

fn conformance_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/psa")
}

fn load_expectations(dir: &Path) -> Vec<Expectation> {
    let path = dir.join("expectations.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|error| {
        panic!(
            "cannot read {}: {error}\nthe PSA conformance data (shared/conformance/psa) must lie \
             beside the workspace checkout; this test does not skip without it",
            path.display()
        )
    });
    serde_json::from_str(&text)
        .unwrap_or_else(|error| panic!("{} is not the expected JSON: {error}", path.display()))
}

/// Loads a fixture with garrison's own loader and decodes it into Kubernetes' types.
fn load_pod(path: &Path) -> (ObjectMeta, PodSpec) {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("cannot read fixture {}: {error}", path.display()));
    let loaded = garrison_core::loader::load_text(&path.display().to_string(), &text);
    assert!(
        loaded.diagnostics.is_empty(),
        "{}: {:?}",
        path.display(),
        loaded.diagnostics
    );
    let [object] = loaded.objects.as_slice() else {
        panic!("{}: expected exactly one object", path.display());
    };
    assert_eq!(object.kind, "Pod", "{}", path.display());
    let metadata = ObjectMeta::deserialize(&object.value["metadata"])
        .unwrap_or_else(|error| panic!("{}: metadata: {error}", path.display()));
    let spec = PodSpec::deserialize(&object.value["spec"])
        .unwrap_or_else(|error| panic!("{}: spec: {error}", path.display()));
    (metadata, spec)
}

#[test]
fn every_upstream_fixture_gets_the_api_servers_verdict() {
    let dir = conformance_dir();
    let expectations = load_expectations(&dir);
    assert_eq!(
        expectations.len(),
        EXPECTED_FIXTURES,
        "expectations.json changed size; update EXPECTED_FIXTURES after checking why"
    );

    let mut pods: BTreeMap<&str, (ObjectMeta, PodSpec)> = BTreeMap::new();
    let mut mismatches: Vec<String> = Vec::new();
    let mut counts: BTreeMap<(String, Verdict), usize> = BTreeMap::new();
    let mut defaulted = 0;
    for expectation in &expectations {
        let level: PssLevel = expectation.level.parse().unwrap();
        let version: PssVersion = expectation.version.parse().unwrap();
        defaulted += usize::from(expectation.requires_apiserver_defaulting);
        *counts
            .entry((expectation.level.clone(), expectation.expect))
            .or_default() += 1;
        let (metadata, spec) = pods
            .entry(expectation.path.as_str())
            .or_insert_with(|| load_pod(&dir.join(&expectation.path)));
        let forbidden = evaluate_pod(level, version, metadata, spec);
        let policy = PssPolicy { level, version };
        let name = metadata.name.as_deref().unwrap_or_default();
        match (expectation.expect, forbidden.is_empty()) {
            (Verdict::Pass, true) => {}
            (Verdict::Pass, false) => mismatches.push(format!(
                "{} [{}]: expected allowed, got: {}",
                expectation.path,
                expectation.fixture_check.as_deref().unwrap_or("base"),
                pod_forbidden_message(name, policy, &forbidden)
            )),
            (Verdict::Fail, true) => mismatches.push(format!(
                "{} [{}]: expected denied ({:?}), got allowed",
                expectation.path,
                expectation.fixture_check.as_deref().unwrap_or("base"),
                expectation.error_substring
            )),
            (Verdict::Fail, false) => {
                let message = pod_forbidden_message(name, policy, &forbidden);
                let substring = expectation.error_substring.as_deref().unwrap_or_else(|| {
                    panic!("{}: fail fixture without error_substring", expectation.path)
                });
                if !message.contains(substring) || message.contains("unknown forbidden reason") {
                    mismatches.push(format!(
                        "{}: denial does not contain {:?}: {message}",
                        expectation.path, expectation.error_substring
                    ));
                }
            }
        }
    }
    let matched = expectations.len() - mismatches.len();
    eprintln!(
        "PSA conformance: {matched}/{} fixtures match ({defaulted} need API defaulting); {:?}",
        expectations.len(),
        counts
    );
    assert!(
        mismatches.is_empty(),
        "{} of {} fixtures do not match:\n{}",
        mismatches.len(),
        expectations.len(),
        mismatches.join("\n")
    );
    assert_eq!(
        defaulted, 38,
        "one defaulting fixture per restricted version"
    );
}
