//! Golden outputs of every format over one small cluster (`tests/data/shop.yaml`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use garrison_core::Inventory;
use garrison_core::loader::load_text;
use garrison_netpol::output::{self, Format};
use garrison_netpol::{Analyzer, Cluster};

const SHOP: &str = include_str!("data/shop.yaml");

fn cluster(text: &str) -> Cluster {
    let loaded = load_text("shop.yaml", text);
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    let cluster = Cluster::from_inventory(&Inventory::new(loaded));
    assert!(cluster.warnings.is_empty(), "{:?}", cluster.warnings);
    cluster
}

fn list(format: Format) -> String {
    let cluster = cluster(SHOP);
    let analyzer = Analyzer::new(&cluster);
    let connections = analyzer.connections();
    output::write(&analyzer, &connections, &analyzer.pods(), format)
}

#[test]
fn list_txt() {
    insta::assert_snapshot!(list(Format::Txt));
}

#[test]
fn list_json() {
    insta::assert_snapshot!(list(Format::Json));
}

#[test]
fn list_csv() {
    insta::assert_snapshot!(list(Format::Csv));
}

#[test]
fn list_md() {
    insta::assert_snapshot!(list(Format::Md));
}

#[test]
fn list_dot() {
    insta::assert_snapshot!(list(Format::Dot));
}

#[test]
fn diff_txt_csv_md() {
    let old = cluster(SHOP);
    // The new version lets the scraper reach the web front end's port too.
    let changed = SHOP.replace(
        "    ports: [{port: http}]\n",
        "    ports: [{port: http}]\n  - from: [{namespaceSelector: {}}]\n    ports: [{port: 8080}]\n",
    );
    let new = cluster(&changed);
    let (old_rows, old_workloads) = garrison_netpol::diff::side(&Analyzer::new(&old));
    let (new_rows, new_workloads) = garrison_netpol::diff::side(&Analyzer::new(&new));
    let diff = garrison_netpol::diff::diff(&old_rows, &new_rows, &old_workloads, &new_workloads);
    insta::assert_snapshot!(format!(
        "{}\n\n{}\n\n{}",
        garrison_netpol::diff::write_txt(&diff),
        garrison_netpol::diff::write_csv(&diff),
        garrison_netpol::diff::write_md(&diff)
    ));
}

#[test]
fn coverage_answers() {
    let mut cluster = cluster(SHOP);
    let dns = garrison_netpol::coverage::prepare(&mut cluster);
    let analyzer = Analyzer::new(&cluster);
    let mut lines = Vec::new();
    for namespace in ["shop", "monitoring"] {
        let (ingress, egress) = garrison_netpol::coverage::default_deny(&cluster, namespace);
        lines.push(format!(
            "namespace {namespace}: default deny ingress {ingress}, egress {egress}"
        ));
    }
    for policy in &cluster.policies {
        lines.push(format!(
            "policy {}: selects something {}, allow-all rules {:?}",
            policy.display(),
            garrison_netpol::coverage::selects_something(&cluster, policy),
            garrison_netpol::coverage::allow_all_rules(policy)
        ));
    }
    for (index, pod) in cluster.pods.iter().enumerate() {
        let coverage = garrison_netpol::coverage::workload(&analyzer, index, &dns);
        lines.push(format!(
            "{}: ingress protected {}, egress protected {}, open to everyone {}, metadata {}, dns {}",
            pod.display(),
            coverage.ingress_protected,
            coverage.egress_protected,
            coverage.open_to_everyone,
            coverage.metadata,
            coverage.dns
        ));
    }
    let text = lines.join("\n");
    // The typo policy selects nothing; monitoring has no default deny and its scraper is open;
    // the baseline admin policy keeps every workload from the metadata address; the db policy's
    // `from: [{podSelector: {}}]` only opens the namespace.
    assert!(
        text.contains("policy shop/typo: selects something false"),
        "{text}"
    );
    assert!(
        text.contains("namespace monitoring: default deny ingress false, egress false"),
        "{text}"
    );
    assert!(text.contains("monitoring/scraper[DaemonSet]: ingress protected false, egress protected true, open to everyone true, metadata No Connections"), "{text}");
    insta::assert_snapshot!(text);
}
