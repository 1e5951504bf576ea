//! Targets over garrison-netpol: manifests → the cluster model → the connectivity list in every
//! output format, exposure, multiple networks, coverage. Replayed by
//! `crates/garrison-netpol/tests/fuzz_regressions.rs`, which includes this file.

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
