//! Shared by the collector's tests: scanning a snapshot directory, and comparing findings.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

use std::path::Path;

use garrison_checks::{CHECKS, run_checks};
use garrison_core::{Config, Inventory, LoadOptions, Status, load_paths};

/// One finding without where it was read from (file and line differ between two snapshots
/// of the same data): check, status, object, pointer and, except for UNKNOWN (whose reason
/// names how the data went missing), the message.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Seen {
    pub check: String,
    pub status: String,
    pub object: String,
    pub pointer: Option<String>,
    pub message: Option<String>,
}

pub fn scan(root: &Path) -> Vec<Seen> {
    let loaded = load_paths(&[root.display().to_string()], &LoadOptions::default());
    assert!(
        loaded.diagnostics.is_empty(),
        "{} has load problems: {:?}",
        root.display(),
        loaded.diagnostics
    );
    assert!(
        loaded.snapshot.is_some(),
        "{} is not a snapshot",
        root.display()
    );
    let inventory = Inventory::new(loaded);
    let findings = run_checks(
        &inventory,
        &Config::default(),
        &CHECKS.iter().collect::<Vec<_>>(),
    );
    let mut seen: Vec<Seen> = findings
        .iter()
        .map(|finding| Seen {
            check: finding.check.id.to_string(),
            status: format!("{:?}", finding.status),
            object: format!(
                "{}/{}/{}",
                finding.object.namespace.as_deref().unwrap_or(""),
                finding.object.kind,
                finding.object.name
            ),
            pointer: finding.pointer.clone(),
            message: (finding.status != Status::Unknown).then(|| finding.message.clone()),
        })
        .collect();
    seen.sort();
    seen
}

/// The manifest's failed calls as `(file, error)`.
pub fn failed(root: &Path) -> Vec<(String, String)> {
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root.join("manifest.json")).unwrap()).unwrap();
    manifest["failed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|call| {
            (
                call["file"].as_str().unwrap().to_string(),
                call["error"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Asserts both scans found the same, listing only the differences when not.
pub fn assert_same(collected: &[Seen], expected: &[Seen]) {
    let only_collected: Vec<&Seen> = collected
        .iter()
        .filter(|seen| !expected.contains(seen))
        .collect();
    let only_expected: Vec<&Seen> = expected
        .iter()
        .filter(|seen| !collected.contains(seen))
        .collect();
    assert!(
        only_collected.is_empty() && only_expected.is_empty() && collected.len() == expected.len(),
        "only after collect: {only_collected:#?}\nonly in the reference: {only_expected:#?}"
    );
}
