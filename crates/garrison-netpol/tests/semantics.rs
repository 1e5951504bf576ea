//! NetworkPolicy v1 and AdminNetworkPolicy semantics, one table row per edge case: a policy set
//! over the upstream e2e fixture (namespaces x, y, z; pods a, b, c in each, serving TCP 80
//! named `serve-80-tcp` and UDP 81 named `serve-81-udp`) and the connections it must allow or deny.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use garrison_core::Inventory;
use garrison_core::loader::load_text;
use garrison_netpol::{Analyzer, Cluster, Peer, Protocol};

fn fixture() -> String {
    let mut text = String::new();
    for namespace in ["x", "y", "z"] {
        text.push_str(&format!(
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {namespace}\n  labels:\n    ns: {namespace}\n---\n"
        ));
        for pod in ["a", "b", "c"] {
            text.push_str(&format!(
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {pod}\n  namespace: {namespace}\n  labels:\n    pod: {pod}\nspec:\n  containers:\n  - name: serve\n    image: agnhost\n    ports:\n    - name: serve-80-tcp\n      containerPort: 80\n    - name: serve-81-udp\n      containerPort: 81\n      protocol: UDP\n---\n"
            ));
        }
    }
    text
}

/// Whether `src` may connect to `dst` on `protocol`/`port` under `policies` (YAML documents).
/// A peer is `namespace/pod` or an IPv4 address.
fn allowed(
    policies: &str,
    extra: &str,
    src: &str,
    dst: &str,
    protocol: Protocol,
    port: u32,
) -> bool {
    let text = format!("{}{policies}\n---\n{extra}", fixture());
    let loaded = load_text("case.yaml", &text);
    assert!(
        loaded.diagnostics.is_empty(),
        "fixture does not load: {:?}",
        loaded.diagnostics
    );
    let inventory = Inventory::new(loaded);
    let cluster = Cluster::from_inventory(&inventory);
    assert!(
        cluster.warnings.is_empty(),
        "warnings: {:?}",
        cluster.warnings
    );
    let analyzer = Analyzer::new(&cluster);
    let peer = |text: &str| -> Peer {
        if let Ok(address) = text.parse::<std::net::Ipv4Addr>() {
            let address = u32::from(address);
            return Peer::Ip(address, address);
        }
        let (namespace, name) = text.split_once('/').unwrap();
        let index = cluster
            .pods
            .iter()
            .position(|pod| pod.namespace == namespace && pod.name == name)
            .unwrap_or_else(|| panic!("no pod {text}"));
        Peer::Pod(index)
    };
    analyzer
        .allowed(peer(src), peer(dst))
        .contains(protocol, port)
}

use Protocol::{Sctp, Tcp, Udp};

const DENY_ALL_INGRESS_X: &str = "
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-ingress, namespace: x}
spec:
  podSelector: {}
  policyTypes: [Ingress]
";

/// (case, policies, extra objects, src, dst, protocol, port, allowed)
type Case = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Protocol,
    u32,
    bool,
);

const CASES: &[Case] = &[
    (
        "no policy allows everything",
        "",
        "",
        "x/a",
        "y/b",
        Tcp,
        80,
        true,
    ),
    (
        "no policy allows egress to any address",
        "",
        "",
        "x/a",
        "8.8.8.8",
        Udp,
        53,
        true,
    ),
    (
        "default deny ingress isolates every pod of the namespace",
        DENY_ALL_INGRESS_X,
        "",
        "y/a",
        "x/b",
        Tcp,
        80,
        false,
    ),
    (
        "default deny ingress blocks traffic inside the namespace",
        DENY_ALL_INGRESS_X,
        "",
        "x/a",
        "x/b",
        Tcp,
        80,
        false,
    ),
    (
        "default deny ingress leaves egress open",
        DENY_ALL_INGRESS_X,
        "",
        "x/a",
        "y/b",
        Tcp,
        80,
        true,
    ),
    (
        "default deny ingress leaves other namespaces open",
        DENY_ALL_INGRESS_X,
        "",
        "y/a",
        "y/b",
        Tcp,
        80,
        true,
    ),
    (
        "policyTypes defaults: no rules and no policyTypes is ingress only",
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec:\n  podSelector: {}\n",
        "",
        "x/a",
        "y/b",
        Tcp,
        80,
        true,
    ),
    (
        "policyTypes defaults: egress rules without policyTypes isolate ingress too",
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec:\n  podSelector: {matchLabels: {pod: a}}\n  egress:\n  - to: [{podSelector: {matchLabels: {pod: b}}}]\n",
        "",
        "x/c",
        "x/a",
        Tcp,
        80,
        false,
    ),
    (
        "policyTypes defaults: egress rules without policyTypes isolate egress",
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec:\n  podSelector: {matchLabels: {pod: a}}\n  egress:\n  - to: [{podSelector: {matchLabels: {pod: b}}}]\n",
        "",
        "x/a",
        "x/c",
        Tcp,
        80,
        false,
    ),
    (
        "egress rule allows its peer",
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec:\n  podSelector: {matchLabels: {pod: a}}\n  egress:\n  - to: [{podSelector: {matchLabels: {pod: b}}}]\n",
        "",
        "x/a",
        "x/b",
        Tcp,
        80,
        true,
    ),
    (
        "policyTypes Egress only leaves ingress open",
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n",
        "",
        "y/a",
        "x/a",
        Tcp,
        80,
        true,
    ),
    (
        "policyTypes Egress with no rules denies egress",
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n",
        "",
        "x/a",
        "1.2.3.4",
        Tcp,
        443,
        false,
    ),
    (
        "ingress [{}] allows everything",
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec:\n  podSelector: {}\n  ingress: [{}]\n",
        "",
        "9.9.9.9",
        "x/a",
        Sctp,
        9003,
        true,
    ),
    (
        "isolation only for selected pods",
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec:\n  podSelector: {matchLabels: {pod: a}}\n  policyTypes: [Ingress]\n",
        "",
        "y/a",
        "x/b",
        Tcp,
        80,
        true,
    ),
    (
        "podSelector peer alone means the policy's namespace",
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec:\n  podSelector: {matchLabels: {pod: a}}\n  ingress:\n  - from: [{podSelector: {matchLabels: {pod: b}}}]\n",
        "",
        "y/b",
        "x/a",
        Tcp,
        80,
        false,
    ),
    (
        "podSelector peer alone allows the namespace's pod",
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec:\n  podSelector: {matchLabels: {pod: a}}\n  ingress:\n  - from: [{podSelector: {matchLabels: {pod: b}}}]\n",
        "",
        "x/b",
        "x/a",
        Tcp,
        80,
        true,
    ),
    (
        "namespaceSelector and podSelector in one peer: AND (right namespace, wrong pod)",
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec:\n  podSelector: {matchLabels: {pod: a}}\n  ingress:\n  - from: [{namespaceSelector: {matchLabels: {ns: y}}, podSelector: {matchLabels: {pod: b}}}]\n",
        "",
        "y/c",
        "x/a",
        Tcp,
        80,
        false,
    ),
    (
        "namespaceSelector and podSelector in one peer: AND (both match)",
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec:\n  podSelector: {matchLabels: {pod: a}}\n  ingress:\n  - from: [{namespaceSelector: {matchLabels: {ns: y}}, podSelector: {matchLabels: {pod: b}}}]\n",
        "",
        "y/b",
        "x/a",
        Tcp,
        80,
        true,
    ),
    (
        "namespaceSelector and podSelector as two peers: OR",
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec:\n  podSelector: {matchLabels: {pod: a}}\n  ingress:\n  - from: [{namespaceSelector: {matchLabels: {ns: y}}}, {podSelector: {matchLabels: {pod: b}}}]\n",
        "",
        "y/c",
        "x/a",
        Tcp,
        80,
        true,
    ),
    (
        "empty namespaceSelector selects every namespace",
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec:\n  podSelector: {}\n  ingress:\n  - from: [{namespaceSelector: {}}]\n",
        "",
        "z/c",
        "x/a",
        Tcp,
        80,
        true,
    ),
    (
        "empty namespaceSelector does not select external addresses",
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec:\n  podSelector: {}\n  ingress:\n  - from: [{namespaceSelector: {}}]\n",
        "",
        "8.8.8.8",
        "x/a",
        Tcp,
        80,
        false,
    ),
    (
        "namespaces by name through kubernetes.io/metadata.name",
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec:\n  podSelector: {}\n  ingress:\n  - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: z}}}]\n",
        "",
        "z/c",
        "x/a",
        Tcp,
        80,
        true,
    ),
    (
        "matchExpressions NotIn in the policy's podSelector",
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec:\n  podSelector: {matchExpressions: [{key: pod, operator: NotIn, values: [a]}]}\n  policyTypes: [Ingress]\n",
        "",
        "y/a",
        "x/a",
        Tcp,
        80,
        true,
    ),
    (
        "matchExpressions In in a peer",
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec:\n  podSelector: {}\n  ingress:\n  - from: [{namespaceSelector: {matchExpressions: [{key: ns, operator: In, values: [y, z]}]}}]\n",
        "",
        "x/b",
        "x/a",
        Tcp,
        80,
        false,
    ),
    (
        "ipBlock allows its cidr",
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec:\n  podSelector: {}\n  egress:\n  - to: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}]\n",
        "",
        "x/a",
        "10.2.3.4",
        Tcp,
        80,
        true,
    ),
    (
        "ipBlock except is denied",
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec:\n  podSelector: {}\n  egress:\n  - to: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}]\n",
        "",
        "x/a",
        "10.1.3.4",
        Tcp,
        80,
        false,
    ),
    (
        "an address excepted by one policy is allowed by another (policies add up)",
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec:\n  podSelector: {}\n  egress:\n  - to: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}]\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: q, namespace: x}\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n  - to: [{ipBlock: {cidr: 10.1.3.0/24}}]\n",
        "",
        "x/a",
        "10.1.3.4",
        Tcp,
        80,
        true,
    ),
    (
        "ipBlock does not match pods",
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec:\n  podSelector: {}\n  egress:\n  - to: [{ipBlock: {cidr: 0.0.0.0/0}}]\n",
        "",
        "x/a",
        "y/a",
        Tcp,
        80,
        false,
    ),
    (
        "protocol defaults to TCP",
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec:\n  podSelector: {}\n  ingress:\n  - ports: [{port: 80}]\n",
        "",
        "y/a",
        "x/a",
        Udp,
        80,
        false,
    ),
    (
        "a UDP rule does not allow TCP",
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec:\n  podSelector: {}\n  ingress:\n  - ports: [{port: 81, protocol: UDP}]\n",
        "",
        "y/a",
        "x/a",
        Tcp,
        81,
        false,
    ),
    (
        "a protocol without a port allows every port of it",
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec:\n  podSelector: {}\n  ingress:\n  - ports: [{protocol: SCTP}]\n",
        "",
        "y/a",
        "x/a",
        Sctp,
        9003,
        true,
    ),
    (
        "endPort: inside the range",
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec:\n  podSelector: {}\n  ingress:\n  - ports: [{port: 8080, endPort: 8090}]\n",
        "",
        "y/a",
        "x/a",
        Tcp,
        8090,
        true,
    ),
    (
        "endPort: outside the range",
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec:\n  podSelector: {}\n  ingress:\n  - ports: [{port: 8080, endPort: 8090}]\n",
        "",
        "y/a",
        "x/a",
        Tcp,
        8091,
        false,
    ),
    (
        "named port in ingress resolves on the selected pod",
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec:\n  podSelector: {}\n  ingress:\n  - ports: [{port: serve-80-tcp}]\n",
        "",
        "y/a",
        "x/a",
        Tcp,
        80,
        true,
    ),
    (
        "named port with the wrong protocol matches nothing",
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec:\n  podSelector: {}\n  ingress:\n  - ports: [{port: serve-81-udp}]\n",
        "",
        "y/a",
        "x/a",
        Udp,
        81,
        false,
    ),
    (
        "named port in egress resolves on the destination pod",
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec:\n  podSelector: {}\n  egress:\n  - ports: [{port: serve-81-udp, protocol: UDP}]\n",
        "",
        "x/a",
        "y/b",
        Udp,
        81,
        true,
    ),
    (
        "named port in egress never matches an external address",
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec:\n  podSelector: {}\n  egress:\n  - ports: [{port: serve-80-tcp}]\n",
        "",
        "x/a",
        "8.8.8.8",
        Tcp,
        80,
        false,
    ),
    (
        "named port the destination does not declare matches nothing",
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec:\n  podSelector: {}\n  ingress:\n  - ports: [{port: http}]\n",
        "",
        "y/a",
        "x/a",
        Tcp,
        80,
        false,
    ),
    (
        "a connection needs the source's egress too",
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: y}\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n",
        "",
        "y/a",
        "x/a",
        Tcp,
        80,
        false,
    ),
    (
        "policies in another namespace do not select",
        DENY_ALL_INGRESS_X,
        "",
        "x/a",
        "z/a",
        Tcp,
        80,
        true,
    ),
    (
        "a Deployment's pod template labels are what policies select",
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec:\n  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Ingress]\n",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: x, labels: {other: label}}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: web, image: nginx}]\n",
        "x/a",
        "x/web",
        Tcp,
        80,
        false,
    ),
    (
        "hostNetwork pods are analysed as ordinary pods (netpol-analyzer's choice)",
        DENY_ALL_INGRESS_X,
        "apiVersion: v1\nkind: Pod\nmetadata: {name: node-agent, namespace: x}\nspec:\n  hostNetwork: true\n  containers: [{name: agent, image: agent}]\n",
        "y/a",
        "x/node-agent",
        Tcp,
        80,
        false,
    ),
    (
        "AdminNetworkPolicy Deny overrides a NetworkPolicy allow",
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec:\n  podSelector: {}\n  ingress: [{}]\n---\napiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: deny-y}\nspec:\n  priority: 10\n  subject: {namespaces: {matchLabels: {ns: x}}}\n  ingress:\n  - {name: deny-from-y, action: Deny, from: [{namespaces: {matchLabels: {ns: y}}}]}\n",
        "",
        "y/a",
        "x/a",
        Tcp,
        80,
        false,
    ),
    (
        "AdminNetworkPolicy Allow overrides a NetworkPolicy deny",
        "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: allow-y}\nspec:\n  priority: 10\n  subject: {namespaces: {matchLabels: {ns: x}}}\n  ingress:\n  - {name: allow-from-y, action: Allow, from: [{namespaces: {matchLabels: {ns: y}}}]}\n",
        DENY_ALL_INGRESS_X,
        "y/a",
        "x/a",
        Tcp,
        80,
        true,
    ),
    (
        "AdminNetworkPolicy Pass hands the decision to NetworkPolicies",
        "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: pass-y}\nspec:\n  priority: 10\n  subject: {namespaces: {matchLabels: {ns: x}}}\n  ingress:\n  - {name: pass-from-y, action: Pass, from: [{namespaces: {matchLabels: {ns: y}}}]}\n  - {name: allow-from-y, action: Allow, from: [{namespaces: {matchLabels: {ns: y}}}]}\n",
        DENY_ALL_INGRESS_X,
        "y/a",
        "x/a",
        Tcp,
        80,
        false,
    ),
    (
        "lower priority number wins between AdminNetworkPolicies",
        "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: allow-late}\nspec:\n  priority: 20\n  subject: {namespaces: {}}\n  egress:\n  - {name: allow, action: Allow, to: [{namespaces: {}}]}\n---\napiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: deny-early}\nspec:\n  priority: 5\n  subject: {namespaces: {}}\n  egress:\n  - {name: deny, action: Deny, to: [{namespaces: {}}], ports: [{portNumber: {protocol: TCP, port: 80}}]}\n",
        "",
        "x/a",
        "y/a",
        Tcp,
        80,
        false,
    ),
    (
        "AdminNetworkPolicy port rules leave other ports to lower tiers",
        "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: deny-80}\nspec:\n  priority: 5\n  subject: {namespaces: {}}\n  egress:\n  - {name: deny, action: Deny, to: [{namespaces: {}}], ports: [{portNumber: {protocol: TCP, port: 80}}]}\n",
        "",
        "x/a",
        "y/a",
        Tcp,
        8080,
        true,
    ),
    (
        "AdminNetworkPolicy named port resolves on the destination",
        "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: deny-named}\nspec:\n  priority: 5\n  subject: {namespaces: {}}\n  ingress:\n  - {name: deny, action: Deny, from: [{namespaces: {}}], ports: [{namedPort: serve-81-udp}]}\n",
        "",
        "x/a",
        "y/a",
        Udp,
        81,
        false,
    ),
    (
        "BaselineAdminNetworkPolicy denies what no NetworkPolicy decides",
        "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\nmetadata: {name: default}\nspec:\n  subject: {namespaces: {matchLabels: {ns: x}}}\n  ingress:\n  - {name: deny-y, action: Deny, from: [{namespaces: {matchLabels: {ns: y}}}]}\n",
        "",
        "y/a",
        "x/a",
        Tcp,
        80,
        false,
    ),
    (
        "a NetworkPolicy selecting the pod overrides the BaselineAdminNetworkPolicy",
        "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\nmetadata: {name: default}\nspec:\n  subject: {namespaces: {matchLabels: {ns: x}}}\n  ingress:\n  - {name: deny-y, action: Deny, from: [{namespaces: {matchLabels: {ns: y}}}]}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec:\n  podSelector: {}\n  ingress:\n  - from: [{namespaceSelector: {matchLabels: {ns: y}}}]\n",
        "",
        "y/a",
        "x/a",
        Tcp,
        80,
        true,
    ),
    (
        "AdminNetworkPolicy networks peer matches external addresses",
        "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: deny-dns}\nspec:\n  priority: 5\n  subject: {namespaces: {}}\n  egress:\n  - {name: deny, action: Deny, to: [{networks: [8.8.8.8/32]}]}\n",
        "",
        "x/a",
        "8.8.8.8",
        Udp,
        53,
        false,
    ),
];

#[test]
fn networkpolicy_semantics() {
    let mut failures = Vec::new();
    for (name, policies, extra, src, dst, protocol, port, expected) in CASES {
        let actual = allowed(policies, extra, src, dst, *protocol, *port);
        if actual != *expected {
            failures.push(format!(
                "{name}: {src} -> {dst} {}/{port}: expected {}, got {}",
                protocol.name(),
                if *expected { "allowed" } else { "denied" },
                if actual { "allowed" } else { "denied" }
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases wrong:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
    );
}

#[test]
fn bad_policies_are_reported_not_guessed() {
    let text = format!(
        "{}apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: bad, namespace: x}}\nspec:\n  podSelector: {{matchExpressions: [{{key: pod, operator: Equals, values: [a]}}]}}\n",
        fixture()
    );
    let cluster = Cluster::from_inventory(&Inventory::new(load_text("bad.yaml", &text)));
    assert!(cluster.policies.is_empty());
    assert_eq!(cluster.warnings.len(), 1, "{:?}", cluster.warnings);
    assert!(
        cluster.warnings[0].contains("unknown operator \"Equals\""),
        "{}",
        cluster.warnings[0]
    );
    assert!(
        cluster.warnings[0].contains("bad.yaml:"),
        "{}",
        cluster.warnings[0]
    );
}
