//! Targets over garrison-netpol: manifests → the cluster model → the connectivity list in every
//! output format, exposure, multiple networks, coverage; VPC flow logs → attribution and
//! verdicts → the flows report. Replayed by `crates/garrison-netpol/tests/fuzz_regressions.rs`,
//! which includes this file.

use garrison_core::Inventory;
use garrison_netpol::output::{self, Focus, Format};
use garrison_netpol::{Analyzer, Cluster, Peer};

/// `netpol`: the input as a YAML file (and, when it is one, JSON: a kubectl List) → inventory →
/// cluster (pods, NetworkPolicies, AdminNetworkPolicies, BaselineAdminNetworkPolicy, networks)
/// → every allowed connection → the list as `garrison netpol list` writes it. The first byte
/// picks the format and whether the exposure analysis (representative peers) runs.
pub fn netpol(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let first = data.first().copied().unwrap_or(0);
    let formats = [
        Format::Txt,
        Format::Json,
        Format::Csv,
        Format::Md,
        Format::Dot,
    ];
    let format = formats[usize::from(first >> 1) % formats.len()];
    let exposure = first & 1 == 1;
    let name = if text.trim_start().starts_with('{') {
        "fuzz.json"
    } else {
        "fuzz.yaml"
    };
    let inventory = Inventory::new(garrison_core::loader::load_text(name, text));
    let mut cluster = Cluster::from_inventory(&inventory);
    if exposure {
        cluster.add_representatives();
    }
    for warning in &cluster.warnings {
        std::hint::black_box(warning);
    }
    let analyzer = Analyzer::new(&cluster);
    let connections = analyzer.connections();
    let nodes = analyzer.pods();
    let focus = Focus {
        workloads: Vec::new(),
        peers: Vec::new(),
        direction: None,
        conn: None,
    };
    let list = if exposure {
        let analysis = garrison_netpol::exposure::analyze(&analyzer, &connections, &focus);
        output::write_exposure(&analyzer, &connections, &nodes, &analysis, format, None)
    } else {
        output::write(&analyzer, &connections, &nodes, format)
    };
    std::hint::black_box(list);
    // The explained answer (no shortcut) agrees with the fast one, for the first pods.
    let pods: Vec<usize> = (0..cluster.pods.len().min(3))
        .filter(|pod| cluster.ingress_controller != Some(*pod))
        .collect();
    for &src in &pods {
        for &dst in &pods {
            let (src, dst) = (Peer::Pod(src), Peer::Pod(dst));
            let mut reasons = Vec::new();
            let explained = analyzer.allowed_explained(src, dst, Some(&mut reasons));
            assert_eq!(
                explained,
                analyzer.allowed(src, dst),
                "explained and fast answers differ for {src:?} -> {dst:?}"
            );
        }
    }
    if format != Format::Dot {
        let networks = garrison_netpol::networks::Networks::of(&inventory, &cluster);
        let sections = garrison_netpol::networks::sections(&inventory, &cluster, &networks, &focus);
        std::hint::black_box(garrison_netpol::networks::write(
            &cluster, &networks, &sections, format, None,
        ));
    }
    // The questions the scan's network-policy checks ask.
    for namespace in cluster.namespaces.keys() {
        std::hint::black_box(garrison_netpol::coverage::default_deny(&cluster, namespace));
    }
    for policy in &cluster.policies {
        std::hint::black_box(garrison_netpol::coverage::selects_something(
            &cluster, policy,
        ));
        std::hint::black_box(garrison_netpol::coverage::allow_all_rules(policy));
    }
    for pod in 0..cluster.pods.len().min(3) {
        std::hint::black_box(garrison_netpol::coverage::workload(&analyzer, pod, &[]));
    }
}

/// The cluster the `flow_logs` target attributes addresses to: two namespaces, a default deny in
/// one, an allow rule, pods with addresses, a Service, a node.
const FLOWS_CLUSTER: &str = r#"
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Namespace
metadata: {name: ops}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {containers: [{name: c, image: web:1, ports: [{name: http, containerPort: 8080}]}]}
status: {podIP: 10.0.1.10, podIPs: [{ip: 10.0.1.10}, {ip: "2600:1f18::10"}]}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: shop, labels: {app: db}}
spec: {containers: [{name: c, image: db:1, ports: [{containerPort: 5432}]}]}
status: {podIP: 10.0.1.20, podIPs: [{ip: 10.0.1.20}]}
---
apiVersion: v1
kind: Pod
metadata: {name: agent, namespace: ops}
spec: {hostNetwork: true, nodeName: node-a, containers: [{name: c, image: agent:1}]}
status: {podIP: 10.0.0.5, podIPs: [{ip: 10.0.0.5}]}
---
apiVersion: v1
kind: Node
metadata: {name: node-a}
status: {addresses: [{type: InternalIP, address: 10.0.0.5}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {clusterIP: 172.20.0.10, selector: {app: web}, ports: [{port: 80, targetPort: http}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: shop}
spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-to-db, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress: [{from: [{podSelector: {matchLabels: {app: web}}}], ports: [{port: 5432}]}]
"#;

/// The cluster of `flow_logs`, its analysis and address table: built once (they only depend on
/// `FLOWS_CLUSTER`, and the analysis keeps no state between inputs), so the fuzzer spends its
/// time on the reader and the report.
struct FlowsFixture {
    analyzer: Analyzer<'static>,
    attribution: garrison_netpol::flows::Attribution,
}

fn flows_fixture() -> &'static FlowsFixture {
    static FIXTURE: std::sync::OnceLock<FlowsFixture> = std::sync::OnceLock::new();
    FIXTURE.get_or_init(|| {
        let inventory = Inventory::new(garrison_core::loader::load_text(
            "cluster.yaml",
            FLOWS_CLUSTER,
        ));
        // Kept for the life of the process, as the analysis refers to it.
        let cluster: &'static Cluster = Box::leak(Box::new(Cluster::from_inventory(&inventory)));
        FlowsFixture {
            // Not across threads: this runs while the lock is being initialised.
            analyzer: Analyzer::new_sequential(cluster),
            attribution: garrison_netpol::flows::Attribution::from_inventory(&inventory, cluster),
        }
    })
}

/// `flow_logs`: the input as a VPC flow-log file (plain or gzip; version 2 records or a custom
/// format from its header line; a CloudWatch Logs export line by line or as JSON) → the reader
/// → attribution to the pods, node and Service above → NetworkPolicy verdicts → the report in
/// every format. The first byte, when it is `0`–`3`, picks a `--log-format` given up front
/// instead of the default (and is then not part of the log).
pub fn flow_logs(data: &[u8]) {
    use garrison_netpol::flows::{self, Analysis, Format as LogFormat};

    let FlowsFixture {
        analyzer,
        attribution,
    } = flows_fixture();
    const FORMATS: [&str; 4] = [
        "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status",
        "${interface-id} ${pkt-srcaddr} ${pkt-dstaddr} ${srcport} ${dstport} ${protocol} ${tcp-flags} ${flow-direction} ${action}",
        "srcaddr dstaddr",
        "pkt-srcaddr pkt-dstaddr srcport dstport protocol bytes packets start end tcp-flags",
    ];
    let (format, log) = match data.first() {
        Some(byte @ b'0'..=b'3') => (
            LogFormat::parse(FORMATS[usize::from(byte - b'0')]).ok(),
            &data[1..],
        ),
        _ => (None, data),
    };
    let mut analysis = Analysis::new(analyzer, attribution);
    flows::read_stream("fuzz.log", log, format.as_ref(), &mut analysis);
    let report = analysis.finish();
    assert!(
        report.counts.accepted
            + report.counts.rejected
            + report.counts.nodata
            + report.counts.skipdata
            + report.counts.duplicates
            <= report.counts.records,
        "more records counted than read: {:?}",
        report.counts
    );
    std::hint::black_box(flows::report::write_txt(&report, 5));
    std::hint::black_box(flows::report::write_json(&report));
    std::hint::black_box(flows::report::write_dot(&report));
    std::hint::black_box(flows::report::write_html(&report, 5));
}
