//! The coverage answers behind the network-policy checks of `garrison scan`, one case per edge
//! of the NetworkPolicy spec they depend on: policyTypes defaulting, rules of a direction a
//! policy does not isolate, allow-all rules, admin tiers, the cluster DNS, IPv6 ipBlocks.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use garrison_core::Inventory;
use garrison_core::loader::load_text;
use garrison_netpol::coverage::{self, WorkloadCoverage};
use garrison_netpol::{Analyzer, Cluster, Direction, Protocol};

/// Namespace `app` with one Deployment `web` (TCP 8080), plus `extra` documents.
fn cluster(extra: &str) -> Cluster {
    let text = format!(
        "apiVersion: v1\nkind: Namespace\nmetadata: {{name: app}}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web, namespace: app}}\nspec:\n  selector: {{matchLabels: {{app: web}}}}\n  template:\n    metadata: {{labels: {{app: web}}}}\n    spec:\n      containers: [{{name: web, image: web, ports: [{{containerPort: 8080}}]}}]\n---\n{extra}"
    );
    let loaded = load_text("case.yaml", &text);
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    let cluster = Cluster::from_inventory(&Inventory::new(loaded));
    assert!(cluster.warnings.is_empty(), "{:?}", cluster.warnings);
    cluster
}

fn policy(name: &str, spec: &str) -> String {
    format!(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: {name}, namespace: app}}\nspec:\n{spec}\n---\n"
    )
}

/// The coverage of `app/web` under `extra`.
fn web(extra: &str) -> WorkloadCoverage {
    let mut cluster = cluster(extra);
    let dns = coverage::prepare(&mut cluster);
    let analyzer = Analyzer::new(&cluster);
    let web = cluster
        .pods
        .iter()
        .position(|pod| pod.namespace == "app" && pod.name == "web")
        .unwrap();
    coverage::workload(&analyzer, web, &dns)
}

#[test]
fn without_policies_everything_is_open() {
    let coverage = web("");
    assert_eq!(coverage, WorkloadCoverage::unprotected());
    assert_eq!(coverage::default_deny(&cluster(""), "app"), (false, false));
}

#[test]
fn policy_types_default_from_the_rules_written() {
    // No policyTypes and only egress rules: Ingress and Egress both isolate.
    let only_egress = policy(
        "p",
        "  podSelector: {}\n  egress:\n  - ports: [{port: 443}]",
    );
    assert_eq!(
        coverage::default_deny(&cluster(&only_egress), "app"),
        (true, true)
    );
    // No policyTypes and no rules: ingress only.
    let bare = policy("p", "  podSelector: {}");
    assert_eq!(
        coverage::default_deny(&cluster(&bare), "app"),
        (true, false)
    );
    let coverage = web(&bare);
    assert!(coverage.ingress_protected && !coverage.egress_protected);
    assert!(!coverage.open_to_everyone);
    // A selector naming some pods is no default deny, even when it selects every pod there is.
    let named = policy(
        "p",
        "  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Ingress, Egress]",
    );
    assert_eq!(
        coverage::default_deny(&cluster(&named), "app"),
        (false, false)
    );
}

#[test]
fn allow_all_rules_only_count_in_isolated_directions_and_without_ports() {
    let allow_all = |spec: &str| {
        let cluster = cluster(&policy("p", spec));
        coverage::allow_all_rules(&cluster.policies[0])
            .iter()
            .map(|rule| (rule.direction, rule.rule, rule.peers))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        allow_all("  podSelector: {}\n  ingress: [{}]"),
        [(Direction::Ingress, 0, "every source")]
    );
    // Egress rules of a policy whose policyTypes leave Egress out do nothing.
    assert!(allow_all("  podSelector: {}\n  policyTypes: [Ingress]\n  egress: [{}]").is_empty());
    // Limited to a port: not an allow-all.
    assert!(
        allow_all("  podSelector: {}\n  ingress:\n  - from: [{namespaceSelector: {}}]\n    ports: [{port: 443}]")
            .is_empty()
    );
    // namespaceSelector {} with a podSelector is not every pod.
    assert!(
        allow_all("  podSelector: {}\n  ingress:\n  - from: [{namespaceSelector: {}, podSelector: {matchLabels: {a: b}}}]")
            .is_empty()
    );
    assert_eq!(
        allow_all(
            "  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n  - to: [{ipBlock: {cidr: 10.0.0.0/8}}]\n  - to: [{ipBlock: {cidr: 0.0.0.0/0}}]"
        ),
        [(Direction::Egress, 1, "every IPv4 address")]
    );
    // An except makes it narrower than every address.
    assert!(
        allow_all("  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n  - to: [{ipBlock: {cidr: 0.0.0.0/0, except: [169.254.169.254/32]}}]")
            .is_empty()
    );
}

#[test]
fn open_to_everyone_needs_every_pod_every_address_and_every_port() {
    // A default deny that also allows everything: isolated, yet open.
    let coverage = web(&policy("p", "  podSelector: {}\n  ingress: [{}]"));
    assert!(coverage.ingress_protected && coverage.open_to_everyone);
    // Every pod and every address, in two peers of one rule.
    let coverage = web(&policy(
        "p",
        "  podSelector: {}\n  ingress:\n  - from: [{namespaceSelector: {}}, {ipBlock: {cidr: 0.0.0.0/0}}]",
    ));
    assert!(coverage.open_to_everyone);
    // Every pod, but no external address.
    let coverage = web(&policy(
        "p",
        "  podSelector: {}\n  ingress:\n  - from: [{namespaceSelector: {}}]",
    ));
    assert!(!coverage.open_to_everyone);
    // Everyone, on one port only.
    let coverage = web(&policy(
        "p",
        "  podSelector: {}\n  ingress:\n  - ports: [{port: 8080}]",
    ));
    assert!(!coverage.open_to_everyone);
}

#[test]
fn metadata_egress_follows_excepts_and_admin_tiers() {
    let deny_metadata = policy(
        "p",
        "  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n  - to: [{ipBlock: {cidr: 0.0.0.0/0, except: [169.254.169.254/32]}}]",
    );
    let coverage = web(&deny_metadata);
    assert!(coverage.metadata.is_empty());
    assert!(!coverage.metadata_v6);
    // A second policy allowing the address wins: policies add up.
    let coverage = web(&format!(
        "{deny_metadata}{}",
        policy(
            "q",
            "  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n  - to: [{ipBlock: {cidr: 169.254.0.0/16}}]\n    ports: [{port: 80}]"
        )
    ));
    assert!(coverage.metadata.contains(Protocol::Tcp, 80));
    assert!(!coverage.metadata.contains(Protocol::Tcp, 443));
    // A BaselineAdminNetworkPolicy denying it protects pods no NetworkPolicy selects...
    let baseline = "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\nmetadata: {name: default}\nspec:\n  subject: {namespaces: {}}\n  egress:\n  - {name: no-metadata, action: Deny, to: [{networks: [169.254.169.254/32]}]}\n---\n";
    let coverage = web(baseline);
    assert!(coverage.egress_protected && coverage.metadata.is_empty());
    // ...but not pods a NetworkPolicy isolates: that tier decides for them.
    let coverage = web(&format!(
        "{baseline}{}",
        policy(
            "p",
            "  podSelector: {}\n  policyTypes: [Egress]\n  egress: [{}]"
        )
    ));
    assert!(coverage.metadata.is_all());
}

#[test]
fn ipv6_metadata_address_follows_ipv6_blocks() {
    let egress = |to: &str| {
        web(&policy(
            "p",
            &format!(
                "  podSelector: {{}}\n  policyTypes: [Egress]\n  egress:\n  - to: [{to}]\n    ports: [{{port: 443}}]"
            ),
        ))
    };
    assert!(egress("{ipBlock: {cidr: '::/0'}}").metadata_v6);
    assert!(!egress("{ipBlock: {cidr: '::/0', except: ['fd00:ec2::254/128']}}").metadata_v6);
    assert!(!egress("{ipBlock: {cidr: '2600:1f18::/32'}}").metadata_v6);
    // Another block of the same rule holding the address.
    assert!(
        egress("{ipBlock: {cidr: '::/0', except: ['fd00:ec2::/64']}}, {ipBlock: {cidr: 'fd00:ec2::254/128'}}")
            .metadata_v6
    );
    // The IPv6 blocks match no IPv4 address.
    assert!(egress("{ipBlock: {cidr: '::/0'}}").metadata.is_empty());
}

#[test]
fn dns_egress_goes_to_the_cluster_dns_pods() {
    let deny = policy("deny", "  podSelector: {}\n  policyTypes: [Egress]");
    assert!(web(&deny).dns.is_empty());
    let to_dns = |ports: &str| {
        policy(
            "dns",
            &format!(
                "  podSelector: {{}}\n  policyTypes: [Egress]\n  egress:\n  - to: [{{namespaceSelector: {{matchLabels: {{kubernetes.io/metadata.name: kube-system}}}}, podSelector: {{matchLabels: {{k8s-app: kube-dns}}}}}}]\n    ports: {ports}"
            ),
        )
    };
    // Without CoreDNS in the input, a stand-in with the kube-dns labels answers.
    let coverage = web(&format!("{deny}{}", to_dns("[{port: 53, protocol: UDP}]")));
    assert!(coverage.dns.contains(Protocol::Udp, 53) && !coverage.dns.contains(Protocol::Tcp, 53));
    // Named ports resolve on the DNS pod.
    let coverage = web(&format!(
        "{deny}{}",
        to_dns("[{port: dns, protocol: UDP}, {port: dns-tcp}]")
    ));
    assert!(coverage.dns.contains(Protocol::Udp, 53) && coverage.dns.contains(Protocol::Tcp, 53));
    // A rule to other pods of kube-system does not reach DNS.
    let coverage = web(&format!(
        "{deny}{}",
        policy(
            "other",
            "  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n  - to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {app: metrics}}}]"
        )
    ));
    assert!(coverage.dns.is_empty());
    // The input's own CoreDNS, selected by another of its labels.
    let coredns = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: coredns, namespace: kube-system}\nspec:\n  selector: {matchLabels: {k8s-app: kube-dns}}\n  template:\n    metadata: {labels: {k8s-app: kube-dns, eks.amazonaws.com/component: coredns}}\n    spec:\n      containers: [{name: coredns, image: coredns, ports: [{containerPort: 53, protocol: UDP, name: dns}]}]\n---\n";
    let coverage = web(&format!(
        "{coredns}{deny}{}",
        policy(
            "dns",
            "  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n  - to: [{namespaceSelector: {}, podSelector: {matchLabels: {eks.amazonaws.com/component: coredns}}}]\n    ports: [{port: 53, protocol: UDP}]"
        )
    ));
    assert!(coverage.dns.contains(Protocol::Udp, 53));
}

#[test]
fn a_policy_selecting_no_template_selects_nothing() {
    let cluster = cluster(&format!(
        "{}{}",
        policy("typo", "  podSelector: {matchLabels: {app: wbe}}"),
        policy("all", "  podSelector: {}")
    ));
    let selects = |name: &str| {
        let policy = cluster.policies.iter().find(|p| p.name == name).unwrap();
        coverage::selects_something(&cluster, policy)
    };
    assert!(!selects("typo"));
    assert!(selects("all"));
    // The DNS stand-in is not a workload of the input: a kube-system policy for it selects
    // nothing.
    let mut cluster = cluster_with_kube_system_policy();
    coverage::prepare(&mut cluster);
    let policy = &cluster.policies[0];
    assert!(!coverage::selects_something(&cluster, policy));
}

fn cluster_with_kube_system_policy() -> Cluster {
    cluster(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: dns, namespace: kube-system}\nspec:\n  podSelector: {matchLabels: {k8s-app: kube-dns}}\n---\n",
    )
}
