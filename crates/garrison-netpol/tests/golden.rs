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
            .any(|f| f.status == Status::Fail && f.check.id == "EKS-NP-008")
    );
    insta::assert_snapshot!(lines.join("\n"));
}

#[test]
fn enforcement_needs_a_policy_engine() {
    let verdict = |extra: &str| {
        let cluster_text = format!("{SHOP}\n---\n{extra}");
        let loaded = load_text("shop.yaml", &cluster_text);
        let inventory = Inventory::new(loaded);
        let cluster = Cluster::from_inventory(&inventory);
        garrison_netpol::coverage::enforcement(&inventory, &cluster).map(|finding| finding.status)
    };
    let daemonset = |name: &str, containers: &str| {
        format!(
            "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {{name: {name}, namespace: kube-system}}\nspec:\n  selector: {{matchLabels: {{k8s-app: {name}}}}}\n  template:\n    metadata: {{labels: {{k8s-app: {name}}}}}\n    spec:\n      containers: {containers}\n"
        )
    };
    assert_eq!(verdict(""), Some(Status::Unknown));
    assert_eq!(
        verdict(&daemonset("aws-node", "[{name: aws-node, image: cni}]")),
        Some(Status::Fail)
    );
    assert_eq!(
        verdict(&daemonset(
            "aws-node",
            "[{name: aws-node, image: cni}, {name: aws-network-policy-agent, image: agent, args: [--enable-network-policy=true]}]"
        )),
        Some(Status::Pass)
    );
    assert_eq!(
        verdict(&daemonset(
            "calico-node",
            "[{name: calico-node, image: calico}]"
        )),
        Some(Status::Pass)
    );
    // Nothing to enforce: no finding.
    let empty = load_text(
        "empty.yaml",
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n",
    );
    let inventory = Inventory::new(empty);
    let cluster = Cluster::from_inventory(&inventory);
    assert!(garrison_netpol::coverage::enforcement(&inventory, &cluster).is_none());
}
