//! Workload addresses on secondary networks, and the MultiNetworkPolicy ipBlock peers matched
//! against them; and how `diff` cuts address ranges so both sides name the same ones.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use garrison_core::Inventory;
use garrison_core::loader::load_text;
use garrison_netpol::diff::{DiffKind, diff};
use garrison_netpol::networks::{NetworkKind, Networks};
use garrison_netpol::output::Row;
use garrison_netpol::{Analyzer, Cluster, Peer};

const NAD: &str = r#"apiVersion: k8s.cni.cncf.io/v1
kind: NetworkAttachmentDefinition
metadata:
  name: net1
  namespace: default
spec:
  config: '{"cniVersion": "0.3.1", "name": "net1", "type": "macvlan"}'
"#;

/// A Pod in namespace `apps` attached to `net1`, with `ips` in the annotation when given.
fn pod(name: &str, ips: Option<&str>) -> String {
    let entry = match ips {
        Some(ips) => format!(r#"{{"name": "net1", "namespace": "default", "ips": [{ips}]}}"#),
        None => r#"{"name": "net1", "namespace": "default"}"#.to_string(),
    };
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  namespace: apps\n  labels:\n    app: {name}\n  annotations:\n    k8s.v1.cni.cncf.io/networks: '[{entry}]'\nspec:\n  containers:\n  - name: main\n    image: busybox\n"
    )
}

/// A MultiNetworkPolicy for `net1`: ingress to `server` only from the `ipBlock` given.
fn policy(ip_block: &str) -> String {
    format!(
        "apiVersion: k8s.cni.cncf.io/v1beta1\nkind: MultiNetworkPolicy\nmetadata:\n  name: from-block\n  namespace: apps\n  annotations:\n    k8s.v1.cni.cncf.io/policy-for: default/net1\nspec:\n  podSelector:\n    matchLabels:\n      app: server\n  policyTypes: [Ingress]\n  ingress:\n  - from:\n    - ipBlock: {ip_block}\n"
    )
}

/// Which workloads may open connections to `server`, on the pod network and on `net1`.
fn sources_of_server(documents: &[String]) -> (Vec<String>, Vec<String>) {
    let loaded = load_text("case.yaml", &documents.join("---\n"));
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    let inventory = Inventory::new(loaded);
    let cluster = Cluster::from_inventory(&inventory);
    let networks = Networks::of(&inventory, &cluster);
    let mut found = Vec::new();
    for kind in [NetworkKind::Pod, NetworkKind::Nad] {
        let index = networks
            .networks
            .iter()
            .position(|network| network.kind == kind)
            .unwrap_or_else(|| panic!("no {kind:?} network"));
        let view = networks.cluster_of(&inventory, &cluster, index);
        assert!(view.warnings.is_empty(), "{:?}", view.warnings);
        let analyzer = Analyzer::new(&view);
        let server = view
            .pods
            .iter()
            .position(|pod| pod.name == "server")
            .unwrap();
        let mut sources: Vec<String> = view
            .pods
            .iter()
            .enumerate()
            .filter(|(index, _)| *index != server)
            .filter(|(index, _)| {
                !analyzer
                    .allowed(Peer::Pod(*index), Peer::Pod(server))
                    .is_empty()
            })
            .map(|(_, pod)| pod.name.clone())
            .collect();
        sources.sort();
        found.push(sources);
    }
    let net = found.pop().unwrap();
    (found.pop().unwrap(), net)
}

#[test]
fn annotation_ips_place_pods_in_ip_blocks() {
    let documents = vec![
        NAD.to_string(),
        pod("server", Some(r#""192.168.10.1/24""#)),
        pod("a", Some(r#""192.168.10.11/24""#)),
        pod("b", Some(r#""192.168.10.12/24""#)),
        pod("c", Some(r#""192.168.10.40/24""#)),
        // No address on the network: no ipBlock matches it.
        pod("d", None),
        policy("{cidr: 192.168.10.0/27, except: [192.168.10.12/32]}"),
    ];
    let (pod_network, net1) = sources_of_server(&documents);
    // The MultiNetworkPolicy does not apply on the pod network.
    assert_eq!(pod_network, ["a", "b", "c", "d"]);
    // .11 is in the block; .12 is excepted; .40 is outside it; d has no address.
    assert_eq!(net1, ["a"]);
}

#[test]
fn ip_block_of_a_network_policy_matches_no_pod_on_the_pod_network() {
    // A NetworkPolicy with the same block isolates server on the pod network, where pod
    // addresses are unknown: no workload is in the block there.
    let network_policy = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: np\n  namespace: apps\nspec:\n  podSelector:\n    matchLabels:\n      app: server\n  ingress:\n  - from:\n    - ipBlock: {cidr: 0.0.0.0/0}\n".to_string();
    let documents = vec![
        NAD.to_string(),
        pod("server", Some(r#""10.0.0.1""#)),
        pod("a", Some(r#""10.0.0.2""#)),
        network_policy,
        policy("{cidr: 10.0.0.0/8}"),
    ];
    let (pod_network, net1) = sources_of_server(&documents);
    assert!(pod_network.is_empty(), "{pod_network:?}");
    assert_eq!(net1, ["a"]);
}

#[test]
fn static_ipam_addresses_of_the_nad_belong_to_every_attached_workload() {
    let nad = r#"apiVersion: k8s.cni.cncf.io/v1
kind: NetworkAttachmentDefinition
metadata:
  name: net1
  namespace: default
spec:
  config: '{"cniVersion": "0.3.1", "name": "net1", "plugins": [{"type": "macvlan", "ipam": {"type": "static", "addresses": [{"address": "172.16.0.5/24"}]}}]}'
"#;
    let documents = vec![
        nad.to_string(),
        pod("server", None),
        pod("a", None),
        pod("b", None),
        policy("{cidr: 172.16.0.5/32}"),
    ];
    assert_eq!(sources_of_server(&documents).1, ["a", "b"]);
    // Another block: nobody is in it.
    let documents = [&documents[..4], &[policy("{cidr: 172.16.0.6/32}")]].concat();
    assert!(sources_of_server(&documents).1.is_empty());
}

fn vm(name: &str, address: &str) -> String {
    format!(
        r#"apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata:
  name: {name}
  namespace: apps
spec:
  template:
    metadata:
      labels:
        app: {name}
    spec:
      networks:
      - name: sec
        multus:
          networkName: net1
      volumes:
      - name: cloudinit
        cloudInitNoCloud:
          networkData: |
            version: 2
            ethernets:
              eth1:
                addresses:
                - {address}
"#
    )
}

#[test]
fn cloud_init_network_data_gives_virtual_machines_their_addresses() {
    let documents = vec![
        NAD.to_string(),
        vm("server", "10.200.0.1/24"),
        vm("near", "10.200.0.2/24"),
        vm("far", "10.200.0.9/24"),
        policy("{cidr: 10.200.0.0/30}"),
    ];
    assert_eq!(sources_of_server(&documents).1, ["near"]);
}

fn row(src: &str, dst: &str, conn: &str) -> Row {
    Row {
        src: src.to_string(),
        dst: dst.to_string(),
        conn: conn.to_string(),
    }
}

fn names(list: &[&str]) -> std::collections::BTreeSet<String> {
    list.iter().map(|name| name.to_string()).collect()
}

#[test]
fn diff_joins_ranges_of_a_workload_on_one_side_only() {
    const NEW: &str = "default/new[Deployment]";
    let new = [
        row("0.0.0.0-127.255.255.255[External]", NEW, "All Connections"),
        row(
            "128.0.0.0-255.255.255.255[External]",
            NEW,
            "All Connections",
        ),
    ];
    let rows = diff(&[], &new, &names(&[]), &names(&[NEW]));
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].kind, DiffKind::Added);
    assert_eq!(rows[0].src, "0.0.0.0-255.255.255.255[External]");
    assert_eq!(rows[0].info, format!("workload {NEW} added"));
}

#[test]
fn diff_cuts_ranges_where_either_side_changes() {
    const W: &str = "default/w[DaemonSet]";
    let old = [
        row("0.0.0.0-9.255.255.255[External]", W, "All Connections"),
        row("10.0.0.0-10.9.255.255[External]", W, "All Connections"),
        row("10.10.0.0-255.255.255.255[External]", W, "All Connections"),
        // Unchanged on the other side: no row.
        row(W, "0.0.0.0-255.255.255.255[External]", "All Connections"),
    ];
    let new = [
        row("10.0.0.0-10.10.255.255[External]", W, "UDP 53"),
        row("10.12.0.0-10.255.255.255[External]", W, "UDP 53"),
        row(W, "0.0.0.0-255.255.255.255[External]", "All Connections"),
    ];
    let rows = diff(&old, &new, &names(&[W]), &names(&[W]));
    let found: Vec<(DiffKind, &str, &str, &str)> = rows
        .iter()
        .map(|row| {
            (
                row.kind,
                row.src.as_str(),
                row.old.as_str(),
                row.new.as_str(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            (
                DiffKind::Changed,
                "10.0.0.0-10.10.255.255[External]",
                "All Connections",
                "UDP 53"
            ),
            (
                DiffKind::Changed,
                "10.12.0.0-10.255.255.255[External]",
                "All Connections",
                "UDP 53"
            ),
            (
                DiffKind::Removed,
                "0.0.0.0-9.255.255.255[External]",
                "All Connections",
                "No Connections"
            ),
            (
                DiffKind::Removed,
                "10.11.0.0-10.11.255.255[External]",
                "All Connections",
                "No Connections"
            ),
            (
                DiffKind::Removed,
                "11.0.0.0-255.255.255.255[External]",
                "All Connections",
                "No Connections"
            ),
        ]
    );
}
