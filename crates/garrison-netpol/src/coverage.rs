//! What NetworkPolicies leave open: namespaces without a default deny, workloads any peer may
//! reach, egress to the instance metadata service or without DNS, rules that allow everything,
//! and policies that select nothing. The network-policy checks of `garrison scan` (and
//! `garrison netpol coverage`, which runs them) turn these answers into findings.
//!
//! Every answer is about one workload, one namespace or one policy: nothing here computes the
//! connections between all pairs of workloads.

use crate::conn::{ConnSet, Intervals, Protocol, parse_cidr};
use crate::eval::{Analyzer, Direction, Peer};
use crate::model::{Cluster, NAMESPACE_NAME_LABEL, NamespaceSel, NetPol, PeerSel, Pod, Source};
use crate::selector::{Labels, Selector};

/// The EC2 instance metadata service (IPv4), where a node's IAM role credentials are served.
pub const INSTANCE_METADATA: &str = "169.254.169.254";

/// The EC2 instance metadata service on IPv6 (Nitro instances).
pub const INSTANCE_METADATA_V6: &str = "fd00:ec2::254";

/// The namespace and pod labels of the cluster DNS (CoreDNS on EKS).
pub const DNS_NAMESPACE: &str = "kube-system";
pub const DNS_LABEL: (&str, &str) = ("k8s-app", "kube-dns");

/// Whether NetworkPolicies with an empty podSelector isolate every pod of `namespace`, for
/// (ingress, egress).
pub fn default_deny(cluster: &Cluster, namespace: &str) -> (bool, bool) {
    let mut deny = (false, false);
    for policy in &cluster.policies {
        if policy.namespace == namespace && policy.selector.is_everything() {
            deny.0 |= policy.isolates_ingress;
            deny.1 |= policy.isolates_egress;
        }
    }
    deny
}

/// Whether a policy's podSelector selects some workload of its namespace.
pub fn selects_something(cluster: &Cluster, policy: &NetPol) -> bool {
    cluster.pods.iter().enumerate().any(|(index, pod)| {
        !cluster.is_ingress_controller(index)
            && pod.object != usize::MAX
            && pod.namespace == policy.namespace
            && policy.selector.matches(&pod.labels)
    })
}

/// A rule that allows every port with every peer of a kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AllowAll {
    pub direction: Direction,
    /// The rule's index in the policy's `ingress` or `egress` list.
    pub rule: usize,
    /// What the rule lets in or out: `every source`, `every pod of every namespace`, ...
    pub peers: &'static str,
}

/// The rules of a policy that allow all ports with every peer, every pod of the cluster or
/// every IPv4 address, in the directions the policy isolates (rules of a direction it does not
/// isolate do nothing).
pub fn allow_all_rules(policy: &NetPol) -> Vec<AllowAll> {
    let mut found = Vec::new();
    let directions = [
        (Direction::Ingress, policy.isolates_ingress, &policy.ingress),
        (Direction::Egress, policy.isolates_egress, &policy.egress),
    ];
    for (direction, isolates, rules) in directions {
        if !isolates {
            continue;
        }
        for (index, rule) in rules.iter().enumerate() {
            if rule.ports.is_some() {
                continue;
            }
            let peers = match &rule.peers {
                None => Some(match direction {
                    Direction::Ingress => "every source",
                    Direction::Egress => "every destination",
                }),
                Some(peers) => peers.iter().find_map(|peer| match peer {
                    PeerSel::Pods {
                        namespaces: NamespaceSel::Selector(namespaces),
                        pods,
                    } if namespaces.is_everything() && pods.is_everything() => {
                        Some("every pod of every namespace")
                    }
                    PeerSel::Ips(addresses) if addresses.covers(&Intervals::range(0, u32::MAX)) => {
                        Some("every IPv4 address")
                    }
                    _ => None,
                }),
            };
            if let Some(peers) = peers {
                found.push(AllowAll {
                    direction,
                    rule: index,
                    peers,
                });
            }
        }
    }
    found
}

/// What a workload's policies leave open.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkloadCoverage {
    /// Some policy of any tier constrains its ingress.
    pub ingress_protected: bool,
    /// Some policy of any tier constrains its egress.
    pub egress_protected: bool,
    /// Its ingress allows every port from every pod of every namespace and every address.
    pub open_to_everyone: bool,
    /// What its egress allows to 169.254.169.254.
    pub metadata: ConnSet,
    /// Whether its egress allows some port to fd00:ec2::254 (the IPv6 metadata address): no
    /// policy restricts its egress, or an isolating rule allows every peer or an IPv6 ipBlock
    /// holding the address. Where admin network policies decide for the workload, the IPv4
    /// answer stands for both.
    pub metadata_v6: bool,
    /// What its egress allows to the cluster DNS (UDP and TCP port 53 only).
    pub dns: ConnSet,
}

impl WorkloadCoverage {
    /// A workload no policy of any tier selects: everything is open.
    pub fn unprotected() -> WorkloadCoverage {
        WorkloadCoverage {
            ingress_protected: false,
            egress_protected: false,
            open_to_everyone: true,
            metadata: ConnSet::all(),
            metadata_v6: true,
            dns: dns_ports(),
        }
    }
}

fn dns_ports() -> ConnSet {
    ConnSet::ports(Protocol::Udp, 53, 53).union(&ConnSet::ports(Protocol::Tcp, 53, 53))
}

/// Prepares a model for [`workload`]: the entire cluster as the first representative peer, and
/// a stand-in for the cluster DNS when the input has no `kube-system` pod labelled
/// `k8s-app: kube-dns`. Returns the DNS pods.
pub fn prepare(cluster: &mut Cluster) -> Vec<usize> {
    if cluster
        .representatives
        .first()
        .is_none_or(|first| !first.is_entire_cluster())
    {
        cluster.representatives.insert(
            0,
            crate::model::Representative {
                namespaces: Selector::everything(),
                pods: Selector::everything(),
            },
        );
    }
    let dns: Vec<usize> = cluster
        .pods
        .iter()
        .enumerate()
        .filter(|(_, pod)| {
            pod.namespace == DNS_NAMESPACE
                && pod.labels.get(DNS_LABEL.0).map(String::as_str) == Some(DNS_LABEL.1)
        })
        .map(|(index, _)| index)
        .collect();
    if !dns.is_empty() {
        return dns;
    }
    if !cluster.namespaces.contains_key(DNS_NAMESPACE) {
        let mut labels = Labels::new();
        labels.insert(NAMESPACE_NAME_LABEL.to_string(), DNS_NAMESPACE.to_string());
        cluster.namespaces.insert(DNS_NAMESPACE.to_string(), labels);
    }
    let mut labels = Labels::new();
    labels.insert(DNS_LABEL.0.to_string(), DNS_LABEL.1.to_string());
    cluster.pods.push(Pod {
        namespace: DNS_NAMESPACE.to_string(),
        name: "coredns".to_string(),
        kind: String::new(),
        labels,
        named_ports: vec![
            ("dns".to_string(), Protocol::Udp, 53),
            ("dns-tcp".to_string(), Protocol::Tcp, 53),
        ],
        container_ports: vec![(Protocol::Udp, 53), (Protocol::Tcp, 53)],
        host_network: false,
        annotations: Labels::new(),
        addresses: Vec::new(),
        // Not an object of the input.
        object: usize::MAX,
        source: Source {
            file: String::new(),
            line: 0,
        },
    });
    vec![cluster.pods.len() - 1]
}

/// What `pod`'s policies leave open. `dns` are the DNS pods [`prepare`] returned (the model
/// must have been prepared before the analyzer was built).
pub fn workload(analyzer: &Analyzer<'_>, pod: usize, dns: &[usize]) -> WorkloadCoverage {
    let ingress_protected = analyzer.protected(pod, Direction::Ingress);
    let egress_protected = analyzer.protected(pod, Direction::Egress);
    let entire_cluster = analyzer
        .cluster
        .representatives
        .first()
        .is_some_and(|first| first.is_entire_cluster());
    let open_to_everyone = !ingress_protected
        || (entire_cluster
            && analyzer.ingress_allowed(Peer::Rep(0), pod).is_all()
            && analyzer
                .ip_blocks(Direction::Ingress)
                .iter()
                .all(|(low, high)| {
                    analyzer
                        .ingress_allowed(Peer::Ip(*low, *high), pod)
                        .is_all()
                }));
    let metadata = match parse_cidr(&format!("{INSTANCE_METADATA}/32")) {
        Some((address, _)) if egress_protected => {
            analyzer.egress_allowed(pod, Peer::Ip(address, address))
        }
        _ => ConnSet::all(),
    };
    let metadata_v6 = match crate::model::parse_cidr6(&format!("{INSTANCE_METADATA_V6}/128")) {
        Some((address, _))
            if !analyzer.admin_applies(pod)
                && !analyzer.isolating(pod, Direction::Egress).is_empty() =>
        {
            analyzer
                .isolating(pod, Direction::Egress)
                .iter()
                .flat_map(|index| &analyzer.cluster.policies[*index].egress)
                .any(|rule| {
                    (rule.peers.is_none() || rule.ipv6.iter().any(|block| block.contains(address)))
                        && !rule.conns(None).is_empty()
                })
        }
        // Admin policies decide, or the baseline one alone: the IPv4 answer stands for both.
        Some(_) if egress_protected => !metadata.is_empty(),
        _ => true,
    };
    let mut to_dns = ConnSet::none();
    for &server in dns {
        to_dns.union_with(&analyzer.egress_allowed(pod, Peer::Pod(server)));
    }
    WorkloadCoverage {
        ingress_protected,
        egress_protected,
        open_to_everyone,
        metadata,
        metadata_v6,
        dns: to_dns.intersect(&dns_ports()),
    }
}
