//! Every application-level and RBAC check runs on its own pass and fail fixture:
//! `tests/fixtures/<ID>/pass.yaml` and `fail.yaml`, or `pass/` and `fail/` cluster snapshot
//! directories for checks that read AWS documents. The pass fixture must give at least one PASS
//! and no FAIL or WARN, the fail fixture at least one FAIL or WARN, and the findings of both must
//! match their committed insta snapshot (`tests/snapshots/check_fixtures__<ID>-<case>.snap`). A
//! missing snapshot fails the test; create one with `INSTA_UPDATE=always` and review it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use garrison_checks::engine::{Check, Runner};
use garrison_checks::{CHECKS, run_checks};
use garrison_core::{Config, Inventory, Level, LoadOptions, Status, load_paths};
use serde::Serialize;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
const SNAPSHOTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots");

/// The kinds that make an object-level check an RBAC check.
const RBAC_KINDS: &[&str] = &["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"];

/// Checks that must have fixtures: application-level checks and the RBAC (and aws-auth) checks.
fn needs_fixtures(check: &Check) -> bool {
    check.meta.level == Level::Application
        || match check.runner {
            Runner::Objects { kinds, .. } => kinds
                .iter()
                .all(|kind| RBAC_KINDS.contains(kind) || *kind == "ConfigMap"),
            Runner::Workload(_) | Runner::Cluster { .. } => false,
        }
}

/// A finding as the snapshot records it: what a reader needs to judge it, nothing that depends
/// on where the repository is checked out.
#[derive(Serialize)]
struct Recorded {
    status: Status,
    object: String,
    line: Option<u32>,
    pointer: Option<String>,
    message: String,
    suppressed: Option<String>,
}

/// The fixture of `case` (`pass` or `fail`): a YAML file or a snapshot directory.
fn fixture(id: &str, case: &str) -> Option<PathBuf> {
    let directory = Path::new(FIXTURES).join(id);
    [directory.join(format!("{case}.yaml")), directory.join(case)]
        .into_iter()
        .find(|path| path.exists())
}

fn run(check: &'static Check, path: &Path) -> Vec<Recorded> {
    let loaded = load_paths(
        &[path.to_string_lossy().into_owned()],
        &LoadOptions::default(),
    );
    assert!(
        loaded.diagnostics.is_empty(),
        "{}: load problems {:?}",
        path.display(),
        loaded.diagnostics
    );
    let inventory = Inventory::new(loaded);
    assert!(
        inventory.diagnostics.is_empty(),
        "{}: {:?}",
        path.display(),
        inventory.diagnostics
    );
    run_checks(&inventory, &Config::default(), &[check])
        .into_iter()
        .map(|finding| Recorded {
            status: finding.status,
            object: finding.object.display_name(),
            line: finding.object.line,
            pointer: finding.pointer,
            message: finding.message,
            suppressed: finding.suppressed,
        })
        .collect()
}

#[test]
fn every_application_and_rbac_check_has_fixtures() {
    let ids: BTreeSet<&str> = CHECKS.iter().map(|check| check.meta.id).collect();
    let mut problems = Vec::new();
    for entry in std::fs::read_dir(FIXTURES).expect("tests/fixtures is missing") {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name.starts_with("EKS-") && !ids.contains(name.as_str()) {
            problems.push(format!("fixtures for unknown check {name}"));
        }
    }
    for check in CHECKS.iter().filter(|check| needs_fixtures(check)) {
        for case in ["pass", "fail"] {
            if fixture(check.meta.id, case).is_none() {
                problems.push(format!(
                    "{}: no tests/fixtures/{}/{case}.yaml (or {case}/ snapshot)",
                    check.meta.id, check.meta.id
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn each_check_passes_and_fails_its_fixtures_as_recorded() {
    let updating =
        std::env::var("INSTA_UPDATE").is_ok_and(|mode| mode == "always" || mode == "new");
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(SNAPSHOTS);
    settings.set_prepend_module_to_snapshot(true);
    let _guard = settings.bind_to_scope();
    let mut problems = Vec::new();
    let mut ran = 0;
    for check in CHECKS {
        for case in ["pass", "fail"] {
            let Some(path) = fixture(check.meta.id, case) else {
                continue;
            };
            ran += 1;
            let recorded = run(check, &path);
            let counts = |statuses: &[Status]| {
                recorded
                    .iter()
                    .filter(|finding| {
                        finding.suppressed.is_none() && statuses.contains(&finding.status)
                    })
                    .count()
            };
            let problems_found = counts(&[Status::Fail, Status::Warn]);
            match case {
                "pass" if problems_found > 0 || counts(&[Status::Pass]) == 0 => {
                    problems.push(format!(
                        "{}: pass fixture gives {problems_found} FAIL/WARN and {} PASS",
                        check.meta.id,
                        counts(&[Status::Pass])
                    ))
                }
                "fail" if problems_found == 0 => problems.push(format!(
                    "{}: fail fixture gives no FAIL or WARN",
                    check.meta.id
                )),
                _ => {}
            }
            let name = format!("{}-{case}", check.meta.id);
            let stored = Path::new(SNAPSHOTS).join(format!("check_fixtures__{name}.snap"));
            assert!(
                updating || stored.exists(),
                "no snapshot {}: run with INSTA_UPDATE=always, review and commit it",
                stored.display()
            );
            insta::assert_json_snapshot!(name, recorded);
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(ran >= 2 * 60, "only {ran} fixtures ran");
}
