//! Golden outputs of every format over one small cluster (`tests/data/shop.yaml`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use garrison_core::loader::load_text;
use garrison_core::{Inventory, Status};
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
    let rows = |cluster: &Cluster| {
        let analyzer = Analyzer::new(cluster);
        output::rows(&analyzer, &analyzer.connections())
    };
    let diff = garrison_netpol::diff::diff(&rows(&old), &rows(&new));
    insta::assert_snapshot!(format!(
        "{}\n\n{}\n\n{}",
        garrison_netpol::diff::write_txt(&diff),
        garrison_netpol::diff::write_csv(&diff),
        garrison_netpol::diff::write_md(&diff)
    ));
}

#[test]
fn coverage_findings() {
    let cluster = cluster(SHOP);
    let analyzer = Analyzer::new(&cluster);
    let findings = garrison_netpol::coverage::findings(&analyzer);
    let lines: Vec<String> = findings
        .iter()
        .map(|f| {
            format!(
                "{} {} {} {}",
                f.status.as_str(),
                f.check.id,
                f.object.display_name(),
                f.message
            )
        })
        .collect();
    // The typo policy selects nothing, monitoring has no default deny, the scraper is open.
    assert!(
        findings
            .iter()
            .any(|f| f.status == Status::Fail && f.check.id == "EKS-NET-004")
    );
    insta::assert_snapshot!(lines.join("\n"));
}
