//! `garrison netpol`: the subcommands end to end over a small cluster.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{garrison, stdout};

fn shop() -> String {
    format!(
        "{}/../garrison-netpol/tests/data/shop.yaml",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn list_writes_netpol_analyzer_lines() {
    let output = garrison(&["netpol", "list", &shop()]);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    assert!(
        text.contains("shop/web[Deployment] => shop/api[Deployment] : TCP 9090\n"),
        "{text}"
    );
    assert!(!text.contains("shop/web[Deployment] => shop/db"), "{text}");
}

#[test]
fn list_focus_conn_writes_pairs() {
    let output = garrison(&[
        "netpol",
        "list",
        "--focus-conn",
        "tcp-5432",
        "-f",
        "csv",
        &shop(),
    ]);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "src,dst");
    // Only the API reaches the database on 5432 (the ANP); the scraper, which no policy
    // isolates, accepts 5432 from every external range.
    assert!(
        lines.contains(&"shop/api[Deployment],shop/db[StatefulSet]"),
        "{text}"
    );
    assert!(!text.contains("shop/web[Deployment],shop/db"), "{text}");
    assert!(
        lines
            .iter()
            .skip(1)
            .all(|line| !line.contains(" : ") && line.matches(',').count() == 1),
        "{text}"
    );
}

#[test]
fn explain_exit_codes_and_reasons() {
    let allowed = garrison(&[
        "netpol",
        "explain",
        "shop/api",
        "shop/db",
        "--port",
        "5432",
        &shop(),
    ]);
    assert_eq!(allowed.status.code(), Some(0));
    let text = stdout(&allowed);
    assert!(text.contains("ALLOWED"), "{text}");
    assert!(
        text.contains("AdminNetworkPolicy protect-db allow-api: Allow TCP 5432"),
        "{text}"
    );
    let denied = garrison(&["netpol", "explain", "web", "db", &shop()]);
    assert_eq!(denied.status.code(), Some(1));
    let text = stdout(&denied);
    assert!(text.contains("DENIED"), "{text}");
    assert!(text.contains("deny-rest: Deny"), "{text}");
}

#[test]
fn explain_rejects_unknown_workloads() {
    let output = garrison(&["netpol", "explain", "nope", "db", &shop()]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn coverage_fails_on_gaps() {
    let output = garrison(&["netpol", "coverage", &shop()]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(
        text.contains("EKS-NP-008") && text.contains("shop/NetworkPolicy/typo"),
        "{text}"
    );
    assert!(
        text.contains("EKS-NP-003") && text.contains("Namespace/monitoring"),
        "{text}"
    );
    assert!(!text.contains("PASS"), "{text}");
}

#[test]
fn diff_reports_added_connections() {
    let dir = tempfile::tempdir().unwrap();
    let new = dir.path().join("new.yaml");
    // The new cluster serves the web front end on 8443 instead of its `http` port (8080).
    let changed = std::fs::read_to_string(shop())
        .unwrap()
        .replace("    ports: [{port: http}]\n", "    ports: [{port: 8443}]\n");
    std::fs::write(&new, changed).unwrap();
    let output = garrison(&["netpol", "diff", &shop(), new.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    assert!(text.starts_with("Connectivity diff:\n"), "{text}");
    assert!(
        text.contains(
            "diff-type: changed, source: 0.0.0.0-9.255.255.255[External], destination: shop/web[Deployment], ref1: TCP 8080, ref2: TCP 8443"
        ),
        "{text}"
    );
}

#[test]
fn list_exposure_adds_the_exposure_sections() {
    let output = garrison(&["netpol", "list", "--exposure", &shop()]);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    // The list comes first, unchanged.
    assert!(
        text.contains("shop/web[Deployment] => shop/api[Deployment] : TCP 9090\n"),
        "{text}"
    );
    let exposure = text
        .split_once("\n\nExposure Analysis Result:\n")
        .map(|(_, rest)| rest)
        .unwrap_or_else(|| panic!("no exposure section:\n{text}"));
    // The API admits TCP 9100 from any pod of the monitoring namespace, existing or not.
    assert!(
        exposure
            .contains("shop/api[Deployment]          \t<= \tmonitoring/[all pods] : TCP 9100\n"),
        "{exposure}"
    );
    assert!(
        exposure.contains("monitoring/scraper[DaemonSet] is not protected on Ingress"),
        "{exposure}"
    );
}

#[test]
fn list_multiple_networks_splits_the_list_by_network() {
    let input = format!(
        "{}/../garrison-netpol/tests/data/multinet.yaml",
        env!("CARGO_MANIFEST_DIR")
    );
    let output = garrison(&["netpol", "list", "--multiple-networks", &input]);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    let section = |heading: &str| -> String {
        let start = text
            .find(heading)
            .unwrap_or_else(|| panic!("no {heading:?} in:\n{text}"));
        let rest = &text[start..];
        rest.split("\n\n").next().unwrap_or_default().to_string()
    };
    // The tenant's UDN is its own network: no connection with the pod network's workloads.
    let udn = section("Permitted connectivity analyzed in primary UDN tenant:");
    assert!(
        udn.contains("tenant[udn]/web[Pod] => 0.0.0.0-255.255.255.255[External] : All Connections"),
        "{udn}"
    );
    assert!(!udn.contains("app/"), "{udn}");
    // On the secondary network the MultiNetworkPolicy admits only TCP 3260 to the server.
    let storage = section("Permitted connectivity analyzed in secondary NAD storage:");
    assert!(
        storage.contains("app/client[Pod] => app/server[Pod] : TCP 3260"),
        "{storage}"
    );
    assert!(!storage.contains("[External]"), "{storage}");
    // On the pod network no policy applies.
    let pod = section("Permitted connectivity analyzed in Pod network:");
    assert!(
        pod.contains("app/client[Pod] => app/server[Pod] : All Connections"),
        "{pod}"
    );
    assert!(
        text.contains("tenant/web[Pod]: \n\tPrimary Network: tenant[UDN]"),
        "{text}"
    );
}

#[test]
fn diff_with_multiple_networks_compares_each_network() {
    let tests = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/conformance/netpol-analyzer/tests");
    assert!(
        tests.is_dir(),
        "netpol-analyzer's test inputs are missing: {}",
        tests.display()
    );
    let old = tests.join("only_pods_test").display().to_string();
    let new = tests.join("udn_test_1").display().to_string();
    // The two webservers move to their own primary UserDefinedNetworks: they no longer reach
    // each other.
    let output = garrison(&["netpol", "diff", "--multiple-networks", &old, &new]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        stdout(&output),
        "Connectivity diff:\n\
         diff-type: removed, source: blue/webserver[Pod], destination: green/webserver[Pod], ref1: All Connections, ref2: No Connections\n\
         diff-type: removed, source: green/webserver[Pod], destination: blue/webserver[Pod], ref1: All Connections, ref2: No Connections\n"
    );
    // Without it, the UserDefinedNetworks are not analysed and nothing changes.
    let output = garrison(&["netpol", "diff", &old, &new]);
    assert!(
        !stdout(&output).contains("diff-type: removed"),
        "{}",
        stdout(&output)
    );
}
