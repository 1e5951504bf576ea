//! Decision tests as data: every `tests/cases/*.json` file is a policy set (lines of Cedar),
//! optional bypass identities, and SubjectAccessReviews with the decision, deciding policies
//! and reason text each must get. A file with `policyError` instead expects the set to be
//! refused with a message containing each of those strings.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use garrison_cedar::{AccessRequest, Bypass, Decision, Engine, Policies, schema::schema};
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct CaseFile {
    description: String,
    policies: Vec<String>,
    #[serde(default)]
    bypass: Bypass,
    #[serde(default)]
    policy_error: Vec<String>,
    #[serde(default)]
    requests: Vec<RequestCase>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RequestCase {
    description: String,
    sar: Value,
    decision: Decision,
    #[serde(default)]
    policies: Vec<String>,
    #[serde(default)]
    reason_contains: Option<String>,
}

#[test]
fn case_files() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 8, "expected the case files in {dir:?}");
    let schema = schema().unwrap();
    let mut checked = 0;
    let mut failures = Vec::new();
    for file in files {
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        let case: CaseFile = serde_json::from_str(&std::fs::read_to_string(&file).unwrap())
            .unwrap_or_else(|error| panic!("{name}: {error}"));
        let text = case.policies.join("\n");
        let loaded = Policies::from_sources(&[("policies.cedar".to_string(), text)], &schema);
        if !case.policy_error.is_empty() {
            let error = loaded.expect_err(&format!("{name}: the policies should be refused"));
            let message = error.to_string();
            for expected in &case.policy_error {
                if !message.contains(expected.as_str()) {
                    failures.push(format!(
                        "{name}: error {message:?} does not contain {expected:?}"
                    ));
                }
            }
            checked += 1;
            continue;
        }
        let policies =
            loaded.unwrap_or_else(|error| panic!("{name} ({}): {error}", case.description));
        let engine = Engine::new(case.bypass.clone()).unwrap();
        assert!(!case.requests.is_empty(), "{name}: no requests");
        for request in &case.requests {
            let access = AccessRequest::from_sar_value(&request.sar)
                .unwrap_or_else(|error| panic!("{name}: {}: {error}", request.description));
            let answer = engine.decide(&policies, &access);
            let context = format!("{name}: {}", request.description);
            if answer.decision != request.decision {
                failures.push(format!(
                    "{context}: decision {:?}, expected {:?} ({})",
                    answer.decision, request.decision, answer.reason
                ));
            }
            if answer.policies != request.policies {
                failures.push(format!(
                    "{context}: policies {:?}, expected {:?}",
                    answer.policies, request.policies
                ));
            }
            if let Some(expected) = &request.reason_contains
                && !answer.reason.contains(expected.as_str())
            {
                failures.push(format!(
                    "{context}: reason {:?} does not contain {expected:?}",
                    answer.reason
                ));
            }
            checked += 1;
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked >= 40, "only {checked} cases checked");
}
