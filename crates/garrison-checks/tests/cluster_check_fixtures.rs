//! Every cluster- and infrastructure-level check that reads a cluster snapshot runs on its own
//! pass and fail fixture, built from one compliant snapshot and a small overlay per check.
//!
//! `tests/fixtures/cluster-checks/base/` is a cluster snapshot on which every such check finds
//! nothing wrong. `tests/fixtures/cluster-checks/<ID>.json` holds the check's variants:
//!
//! ```json
//! { "pass": { … }, "fail": { … }, "missing": { … } }
//! ```
//!
//! each an overlay from snapshot paths to an edit of that file: `{"merge": …}` applies a JSON
//! merge patch (RFC 7386) to the base's file, `{"replace": …}` writes the file whole (a new one
//! if the base lacks it), `"remove"` deletes it. `fail` is required; `pass` defaults to the base
//! unchanged; `missing` (optional) takes away or fails the input the check needs.
//!
//! Only that check runs on each variant. The pass variant must give PASS results only (at least
//! one), the fail variant at least one FAIL or WARN, the missing variant at least one UNKNOWN,
//! and every variant's findings must match its committed insta snapshot
//! (`tests/snapshots/cluster_check_fixtures__<ID>-<variant>.snap`). A missing snapshot fails the
//! test; create one with `INSTA_UPDATE=always` and review it.
//!
//! Cluster- and infrastructure-level checks that run over Kubernetes objects (the RBAC checks and
//! the aws-auth check) have their fixtures in `tests/fixtures/<ID>/` (see `check_fixtures.rs`);
//! the coverage test here accepts either, so a new check without fixtures fails CI.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use garrison_checks::engine::{Check, Runner};
use garrison_checks::{CHECKS, run_checks};
use garrison_core::loader::load_snapshot_files;
use garrison_core::{Config, Inventory, Level, Status};
use serde::Serialize;
use serde_json::Value;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cluster-checks");
const OBJECT_FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
const SNAPSHOTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots");

const VARIANTS: [&str; 3] = ["pass", "fail", "missing"];

fn is_cluster_or_infrastructure(check: &Check) -> bool {
    check.meta.level != Level::Application
}

fn overlay_file(id: &str) -> PathBuf {
    Path::new(FIXTURES).join(format!("{id}.json"))
}

/// The base snapshot's files: path relative to the snapshot root → contents.
fn base_files() -> BTreeMap<String, String> {
    fn walk(root: &Path, directory: &Path, files: &mut BTreeMap<String, String>) {
        for entry in std::fs::read_dir(directory).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, files);
            } else {
                let relative = path.strip_prefix(root).unwrap().to_string_lossy();
                files.insert(
                    relative.replace('\\', "/"),
                    std::fs::read_to_string(&path).unwrap(),
                );
            }
        }
    }
    let root = Path::new(FIXTURES).join("base");
    assert!(root.is_dir(), "{} is missing", root.display());
    let mut files = BTreeMap::new();
    walk(&root, &root, &mut files);
    files
}

/// RFC 7386 JSON merge patch: objects merge member by member, `null` removes a member, anything
/// else replaces.
fn merge(target: &mut Value, patch: &Value) {
    let Value::Object(members) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(serde_json::Map::new());
    }
    let Value::Object(existing) = target else {
        unreachable!()
    };
    for (key, value) in members {
        if value.is_null() {
            existing.remove(key);
        } else {
            merge(existing.entry(key.clone()).or_insert(Value::Null), value);
        }
    }
}

/// The base with `overlay` applied.
fn variant_files(
    base: &BTreeMap<String, String>,
    id: &str,
    overlay: &serde_json::Map<String, Value>,
) -> BTreeMap<String, String> {
    let mut files = base.clone();
    for (path, edit) in overlay {
        match edit {
            Value::String(action) if action == "remove" => {
                assert!(
                    files.remove(path).is_some(),
                    "{id}: removes {path}, which the base lacks"
                );
            }
            Value::Object(edit) if edit.len() == 1 && edit.contains_key("replace") => {
                files.insert(
                    path.clone(),
                    serde_json::to_string_pretty(&edit["replace"]).unwrap(),
                );
            }
            Value::Object(edit) if edit.len() == 1 && edit.contains_key("merge") => {
                let text = files
                    .get(path)
                    .unwrap_or_else(|| panic!("{id}: merges into {path}, which the base lacks"));
                let mut document: Value = serde_json::from_str(text)
                    .unwrap_or_else(|error| panic!("base {path}: {error}"));
                merge(&mut document, &edit["merge"]);
                files.insert(
                    path.clone(),
                    serde_json::to_string_pretty(&document).unwrap(),
                );
            }
            other => panic!(
                "{id}: edit of {path} must be {{\"merge\": …}}, {{\"replace\": …}} or \"remove\", not {other}"
            ),
        }
    }
    files
}

/// A finding as the snapshot records it.
#[derive(Serialize)]
struct Recorded {
    status: Status,
    object: String,
    pointer: Option<String>,
    message: String,
}

fn run(check: &'static Check, id: &str, files: BTreeMap<String, String>) -> Vec<Recorded> {
    let loaded = load_snapshot_files("fixture", files.into_iter().collect());
    assert!(
        loaded.diagnostics.is_empty(),
        "{id}: load problems {:?}",
        loaded.diagnostics
    );
    let inventory = Inventory::new(loaded);
    run_checks(&inventory, &Config::default(), &[check])
        .into_iter()
        .map(|finding| Recorded {
            status: finding.status,
            object: match &finding.object.namespace {
                Some(namespace) => format!(
                    "{namespace}/{}/{}",
                    finding.object.kind, finding.object.name
                ),
                None => format!("{}/{}", finding.object.kind, finding.object.name),
            },
            pointer: finding.pointer,
            message: finding.message,
        })
        .collect()
}

fn overlays(id: &str) -> serde_json::Map<String, Value> {
    let path = overlay_file(id);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    match serde_json::from_str(&text) {
        Ok(Value::Object(variants)) => variants,
        other => panic!("{}: not a JSON object: {other:?}", path.display()),
    }
}

#[test]
fn every_cluster_and_infrastructure_check_has_fixtures() {
    let ids: BTreeSet<&str> = CHECKS.iter().map(|check| check.meta.id).collect();
    let mut problems = Vec::new();
    for entry in std::fs::read_dir(FIXTURES).expect("tests/fixtures/cluster-checks is missing") {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if let Some(id) = name.strip_suffix(".json")
            && !ids.contains(id)
        {
            problems.push(format!("overlay for unknown check {name}"));
        }
    }
    let mut covered = 0;
    for check in CHECKS
        .iter()
        .filter(|check| is_cluster_or_infrastructure(check))
    {
        let id = check.meta.id;
        match check.runner {
            Runner::Cluster { .. } => {
                if !overlay_file(id).exists() {
                    problems.push(format!("{id}: no tests/fixtures/cluster-checks/{id}.json"));
                    continue;
                }
                let variants = overlays(id);
                if !variants.contains_key("fail") {
                    problems.push(format!("{id}: overlay has no \"fail\" variant"));
                }
                for key in variants.keys() {
                    if !VARIANTS.contains(&key.as_str()) {
                        problems.push(format!("{id}: unknown variant {key:?}"));
                    }
                }
            }
            Runner::Objects { .. } | Runner::Workload(_) => {
                for case in ["pass", "fail"] {
                    let directory = Path::new(OBJECT_FIXTURES).join(id);
                    if !directory.join(format!("{case}.yaml")).exists()
                        && !directory.join(case).exists()
                    {
                        problems.push(format!("{id}: no tests/fixtures/{id}/{case}.yaml"));
                    }
                }
            }
        }
        covered += 1;
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(
        covered >= 90,
        "only {covered} cluster/infrastructure checks"
    );
}

#[test]
fn base_snapshot_passes_every_cluster_check() {
    // The base is what every pass variant starts from; a check that finds fault with it would
    // make its own pass variant meaningless and hide its fail variant's cause.
    let base = base_files();
    let mut problems = Vec::new();
    for check in CHECKS
        .iter()
        .filter(|check| matches!(check.runner, Runner::Cluster { .. }))
    {
        let variants = overlay_file(check.meta.id)
            .exists()
            .then(|| overlays(check.meta.id));
        if variants.is_some_and(|variants| variants.contains_key("pass")) {
            continue;
        }
        for finding in run(check, check.meta.id, base.clone()) {
            if finding.status != Status::Pass {
                problems.push(format!(
                    "{} {} {}: {}",
                    check.meta.id, finding.status, finding.object, finding.message
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn each_cluster_check_passes_fails_and_misses_its_fixtures_as_recorded() {
    let updating =
        std::env::var("INSTA_UPDATE").is_ok_and(|mode| mode == "always" || mode == "new");
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(SNAPSHOTS);
    settings.set_prepend_module_to_snapshot(true);
    let _guard = settings.bind_to_scope();
    let base = base_files();
    let mut problems = Vec::new();
    let mut ran = 0;
    for check in CHECKS.iter().filter(|check| {
        matches!(check.runner, Runner::Cluster { .. }) && overlay_file(check.meta.id).exists()
    }) {
        let id = check.meta.id;
        let variants = overlays(id);
        for variant in VARIANTS {
            let overlay = match variants.get(variant) {
                Some(Value::Object(overlay)) => overlay.clone(),
                Some(other) => panic!("{id}: variant {variant} is not an object: {other}"),
                None if variant == "pass" => serde_json::Map::new(),
                None => continue,
            };
            ran += 1;
            let recorded = run(check, id, variant_files(&base, id, &overlay));
            let count = |status: Status| recorded.iter().filter(|f| f.status == status).count();
            let listing = || {
                recorded
                    .iter()
                    .map(|f| format!("  {} {}: {}", f.status, f.object, f.message))
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            let wrong = match variant {
                "pass" => recorded.is_empty() || recorded.iter().any(|f| f.status != Status::Pass),
                "fail" => count(Status::Fail) + count(Status::Warn) == 0,
                _ => count(Status::Unknown) == 0,
            };
            if wrong {
                problems.push(format!("{id}: {variant} variant gives\n{}", listing()));
            }
            let name = format!("{id}-{variant}");
            let stored = Path::new(SNAPSHOTS).join(format!("cluster_check_fixtures__{name}.snap"));
            assert!(
                updating || stored.exists(),
                "no snapshot {}: run with INSTA_UPDATE=always, review and commit it",
                stored.display()
            );
            insta::assert_json_snapshot!(name, recorded);
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(ran >= 2 * 90, "only {ran} variants ran");
}
