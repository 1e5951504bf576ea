//! Snapshots of every cluster-level result for the fixture clusters: the pass and fail fixtures
//! of the AWS checks. A change to a check's verdict or message shows up here as a reviewed diff
//! (`cargo insta review`). The demo is left out: its Kubernetes objects change with the
//! application checks, and its every-check-passes-and-fails test covers it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use garrison_checks::{CHECKS, Runner, run_checks};
use garrison_core::{Config, Inventory, LoadOptions, load_paths};

fn cluster_results(root: &str) -> String {
    let loaded = load_paths(&[root.to_string()], &LoadOptions::default());
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    assert!(loaded.snapshot.is_some(), "{root} is not a snapshot");
    let inventory = Inventory::new(loaded);
    let checks: Vec<_> = CHECKS
        .iter()
        .filter(|check| matches!(check.runner, Runner::Cluster { .. }))
        .collect();
    let mut lines: Vec<String> = run_checks(&inventory, &Config::default(), &checks)
        .iter()
        .map(|f| {
            format!(
                "{} {} {}/{} {}: {}",
                f.check.id,
                f.status,
                f.object.kind,
                f.object.name,
                f.pointer.as_deref().unwrap_or("-"),
                f.message
            )
        })
        .collect();
    lines.sort();
    lines.join("\n") + "\n"
}

fn root(relative: &str) -> String {
    format!("{}/{relative}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn legacy_cluster_results() {
    insta::assert_snapshot!(cluster_results(&root("tests/fixtures/clusters/legacy-eks")));
}

#[test]
fn auto_mode_cluster_results() {
    insta::assert_snapshot!(cluster_results(&root("tests/fixtures/clusters/auto-eks")));
}

#[test]
fn partial_auto_mode_cluster_results() {
    insta::assert_snapshot!(cluster_results(&root("tests/fixtures/clusters/edge-eks")));
}
