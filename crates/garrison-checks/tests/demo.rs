//! The demo snapshot exercises the whole catalogue: every check has at least one unsuppressed
//! PASS and one unsuppressed FAIL in it. A new check must come with demo data that shows both.
//!
//! Cluster-level checks judge properties a cluster has once (its authentication mode, its
//! Kubernetes version, whether Auto Mode is on): one cluster cannot both pass and fail them. For
//! those, the other outcome may come from the small cluster snapshots under
//! `tests/fixtures/clusters/` (an old standard cluster, a private Auto Mode cluster, a half
//! switched-on Auto Mode cluster); object-level checks must still show both in the demo.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use garrison_checks::{CHECKS, Runner, run_checks};
use garrison_core::{Config, Inventory, LoadOptions, Status, load_paths};

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/demo-snapshot");

const CLUSTERS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/clusters");

fn demo_findings() -> Vec<garrison_core::Finding> {
    snapshot_findings(DEMO)
}

/// Findings of the fixture cluster snapshots, each loaded on its own.
fn fixture_cluster_findings() -> Vec<garrison_core::Finding> {
    let mut directories: Vec<_> = std::fs::read_dir(CLUSTERS)
        .expect("tests/fixtures/clusters is missing")
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_dir())
        .collect();
    directories.sort();
    assert!(
        directories.len() >= 3,
        "fixture clusters missing: {directories:?}"
    );
    directories
        .iter()
        .flat_map(|directory| snapshot_findings(&directory.display().to_string()))
        .collect()
}

fn snapshot_findings(root: &str) -> Vec<garrison_core::Finding> {
    let loaded = load_paths(&[root.to_string()], &LoadOptions::default());
    assert!(
        loaded.diagnostics.is_empty(),
        "demo snapshot has load problems: {:?}",
        loaded.diagnostics
    );
    assert!(
        loaded.snapshot.is_some(),
        "demo directory not recognised as a snapshot"
    );
    let inventory = Inventory::new(loaded);
    assert!(
        inventory.diagnostics.is_empty(),
        "{:?}",
        inventory.diagnostics
    );
    run_checks(
        &inventory,
        &Config::default(),
        &CHECKS.iter().collect::<Vec<_>>(),
    )
}

#[test]
fn every_check_passes_and_fails_somewhere_in_the_demo() {
    let demo = demo_findings();
    let clusters = fixture_cluster_findings();
    let mut missing = Vec::new();
    for check in CHECKS {
        let cluster_level = matches!(check.runner, Runner::Cluster { .. });
        let of_check = || {
            demo.iter()
                .chain(clusters.iter().filter(move |_| cluster_level))
                .filter(|f| f.check.id == check.meta.id && f.suppressed.is_none())
        };
        if !of_check().any(|f| f.status == Status::Pass) {
            missing.push(format!("{}: no PASS", check.meta.id));
        }
        if !of_check().any(|f| f.status == Status::Fail) {
            missing.push(format!("{}: no FAIL", check.meta.id));
        }
    }
    assert!(
        missing.is_empty(),
        "demo snapshot lacks results:\n{}",
        missing.join("\n")
    );
}

#[test]
fn demo_is_a_realistic_cluster() {
    let loaded = load_paths(&[DEMO.to_string()], &LoadOptions::default());
    let snapshot = loaded.snapshot.as_ref().unwrap();
    assert!(snapshot.aws("eks/describe-cluster.json").is_ok());
    assert!(snapshot.manifest.is_some());
    assert!(!snapshot.node_configs.is_empty());
    let namespaces = loaded
        .objects
        .iter()
        .filter(|o| o.kind == "Namespace")
        .count();
    assert!((9..=14).contains(&namespaces), "{namespaces} namespaces");
    let inventory = Inventory::new(loaded);
    assert!(
        inventory.workloads.len() >= 35,
        "{} workloads",
        inventory.workloads.len()
    );
    for add_on in [
        "aws-node",
        "kube-proxy",
        "coredns",
        "ebs-csi-node",
        "eks-pod-identity-agent",
    ] {
        assert!(
            inventory
                .objects
                .iter()
                .any(|o| o.name == add_on && o.in_namespace("kube-system")),
            "demo lacks the EKS add-on {add_on}"
        );
    }
    assert!(
        inventory
            .objects
            .iter()
            .any(|o| o.kind == "ConfigMap" && o.name == "aws-auth")
    );
}

/// The EKS add-ons are allow-listed, not reported as the user's mistakes.
#[test]
fn eks_managed_workloads_are_suppressed_not_hidden() {
    let findings = demo_findings();
    let aws_node: Vec<_> = findings
        .iter()
        .filter(|f| &*f.object.name == "aws-node" && f.status == Status::Fail)
        .collect();
    assert!(!aws_node.is_empty(), "aws-node is privileged in the demo");
    for finding in aws_node {
        let reason = finding.suppressed.as_deref().unwrap_or_default();
        assert!(
            reason.contains("EKS-managed namespace kube-system"),
            "{reason}"
        );
    }
}

/// Loading with the scan's options (pod specs decoded straight from the JSON text, bodies kept
/// only for the kinds checks read) gives exactly the findings of a plain load.
#[test]
fn scan_load_options_do_not_change_findings() {
    let checks: Vec<_> = CHECKS.iter().collect();
    let render = |options: &LoadOptions| -> Vec<String> {
        let inventory = Inventory::new(load_paths(&[DEMO.to_string()], options));
        run_checks(&inventory, &Config::default(), &checks)
            .iter()
            .map(|f| {
                format!(
                    "{} {} {} {:?} {:?} {} {:?}",
                    f.check.id,
                    f.status,
                    f.object.display_name(),
                    f.object.line,
                    f.pointer,
                    f.message,
                    f.suppressed
                )
            })
            .collect()
    };
    let scan_options = LoadOptions {
        body_kinds: Some(garrison_checks::kinds_read(&checks)),
        separate_pod_specs: true,
        ..LoadOptions::default()
    };
    let separated = load_paths(&[DEMO.to_string()], &scan_options)
        .objects
        .iter()
        .filter(|object| object.pod_spec_json.is_some())
        .count();
    assert!(
        separated >= 40,
        "only {separated} pod specs set apart while loading"
    );
    let plain = render(&LoadOptions::default());
    let scan = render(&scan_options);
    assert!(plain.len() > 500, "{} findings", plain.len());
    assert_eq!(plain, scan);
}

/// Nothing EKS manages is reported as the user's mistake: no unsuppressed problem about an object
/// in an EKS-managed namespace (the user's own aws-auth mappings excepted) or about such a
/// namespace itself, and no RBAC finding about the add-ons' service accounts in kube-system.
#[test]
fn no_eks_managed_object_is_reported() {
    let config = Config::default();
    let reported: Vec<String> = demo_findings()
        .iter()
        .filter(|f| f.suppressed.is_none() && matches!(f.status, Status::Fail | Status::Warn))
        .filter(|f| {
            let managed_namespace = config.is_managed_namespace(f.object.namespace.as_deref())
                && !(&*f.object.kind == "ConfigMap" && &*f.object.name == "aws-auth");
            let managed_subject = f.message.contains("ServiceAccount kube-system/");
            let managed_namespace_itself =
                &*f.object.kind == "Namespace" && config.is_managed_namespace(Some(&f.object.name));
            managed_namespace || managed_subject || managed_namespace_itself
        })
        .map(|f| format!("{} {}: {}", f.check.id, f.object.display_name(), f.message))
        .collect();
    assert!(
        reported.is_empty(),
        "EKS-managed objects reported:\n{}",
        reported.join("\n")
    );
}
