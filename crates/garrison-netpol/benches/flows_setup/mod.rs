//! The generated cluster and flow log of the `flows` bench, shared with the
//! `flows_profile` example (included by `#[path]`).

use std::net::{IpAddr, Ipv4Addr};

use garrison_netpol::Cluster;
use garrison_netpol::flows::{Attribution, Cidr, Endpoint};

pub const NAMESPACES: usize = 20;
pub const WORKLOADS_PER_NAMESPACE: usize = 25;
pub const ADDRESSES_PER_WORKLOAD: u32 = 3;
pub const RECORDS: usize = 500_000;

pub fn manifests() -> String {
    let mut text = String::new();
    for n in 0..NAMESPACES {
        text.push_str(&format!(
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns-{n}\n---\n"
        ));
        for w in 0..WORKLOADS_PER_NAMESPACE {
            text.push_str(&format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{w}\n  namespace: ns-{n}\nspec:\n  selector: {{matchLabels: {{app: app-{w}}}}}\n  template:\n    metadata:\n      labels: {{app: app-{w}, group: g{}}}\n    spec:\n      containers:\n      - name: c\n        image: app:1\n        ports: [{{name: http, containerPort: 8080}}]\n---\n",
                w % 5
            ));
        }
        let policies = [
            "podSelector: {}\n  policyTypes: [Ingress, Egress]".to_string(),
            "podSelector: {}\n  policyTypes: [Egress]\n  egress:\n  - ports: [{port: 53, protocol: UDP}]".to_string(),
            "podSelector: {matchLabels: {group: g1}}\n  ingress:\n  - from: [{podSelector: {matchLabels: {group: g0}}}]\n    ports: [{port: http}]".to_string(),
            "podSelector: {matchLabels: {group: g0}}\n  policyTypes: [Egress]\n  egress:\n  - to: [{podSelector: {matchLabels: {group: g1}}}, {ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}}]".to_string(),
        ];
        for (index, spec) in policies.iter().enumerate() {
            text.push_str(&format!(
                "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: np-{index}\n  namespace: ns-{n}\nspec:\n  {spec}\n---\n"
            ));
        }
    }
    text
}

fn workload_address(workload: usize, replica: u32) -> Ipv4Addr {
    let index = workload as u32 * ADDRESSES_PER_WORKLOAD + replica;
    Ipv4Addr::new(10, 0, (index / 200) as u8, (index % 200 + 10) as u8)
}

/// A deterministic mix: pod to pod (allowed and denied) with replies, the internet to pods,
/// pods to the internet and to unknown VPC addresses, rejected and NODATA records.
pub fn records(workloads: usize, count: usize) -> Vec<u8> {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut text = String::with_capacity(count * 100);
    text.push_str("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n");
    for _ in 0..count {
        let roll = next() % 100;
        let a = workload_address((next() % workloads as u64) as usize, (next() % 3) as u32);
        let b = workload_address((next() % workloads as u64) as usize, (next() % 3) as u32);
        let external = Ipv4Addr::from(0xC633_6400u32 + (next() % 4096) as u32);
        let unknown = Ipv4Addr::new(10, 250, (next() % 200) as u8, (next() % 250) as u8);
        let ephemeral = 32768 + next() % 28000;
        let bytes = 40 + next() % 100_000;
        let (src, dst, sport, dport, proto, action, status) = match roll {
            0..60 => (a, b, ephemeral, 8080, 6, "ACCEPT", "OK"),
            60..70 => (b, a, 8080, ephemeral, 6, "ACCEPT", "OK"),
            70..80 => (external, a, ephemeral, 8080, 6, "ACCEPT", "OK"),
            80..88 => (a, unknown, ephemeral, 53, 17, "ACCEPT", "OK"),
            88..95 => (a, external, ephemeral, 443, 6, "ACCEPT", "OK"),
            95..98 => (external, a, ephemeral, 22, 6, "REJECT", "OK"),
            _ => {
                text.push_str(
                    "2 111122223333 eni-0a1b2c3d - - - - - - - 1700000000 1700000060 - NODATA\n",
                );
                continue;
            }
        };
        text.push_str(&format!(
            "2 111122223333 eni-{:08x} {src} {dst} {sport} {dport} {proto} {} {bytes} 1700000000 1700000060 {action} {status}\n",
            u32::from(src),
            bytes / 500 + 1
        ));
    }
    text.into_bytes()
}

/// The attribution of the generated cluster's addresses, inside 10.0.0.0/8.
pub fn attribution(cluster: &Cluster) -> Attribution {
    let mut attribution = Attribution::with_vpc(
        vec![Cidr::parse("10.0.0.0/8").expect("a CIDR")],
        "generated",
    );
    for workload in 0..cluster.pods.len() {
        for replica in 0..ADDRESSES_PER_WORKLOAD {
            attribution.add(
                IpAddr::V4(workload_address(workload, replica)),
                Endpoint::Workload(workload as u32),
            );
        }
    }
    attribution
}
