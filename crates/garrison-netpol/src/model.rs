//! The cluster as the analysis sees it: namespaces with labels, pods (one per workload), and
//! NetworkPolicies, AdminNetworkPolicies and the BaselineAdminNetworkPolicy with their rules
//! converted to selectors, IP intervals and port specs.

use std::collections::BTreeMap;

use garrison_core::{Inventory, Object};
use k8s_openapi::api::networking::v1::{NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde::Deserialize;
use serde_json::Value;

use crate::conn::{ConnSet, Intervals, Protocol, parse_cidr};
use crate::selector::{Labels, Selector};

/// The label every namespace carries with its own name.
pub const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// One workload as a network endpoint: a controller's pod template, or a standalone Pod.
#[derive(Clone, Debug)]
pub struct Pod {
    pub namespace: String,
    pub name: String,
    /// `Deployment`, `StatefulSet`, `Pod`, ... (a Pod with a controller owner is named after it).
    pub kind: String,
    pub labels: Labels,
    /// Named container ports: (name, protocol, number).
    pub named_ports: Vec<(String, Protocol, u32)>,
    /// Every container port: (protocol, number).
    pub container_ports: Vec<(Protocol, u32)>,
    pub host_network: bool,
    /// The pod template's annotations (secondary networks of multi-network analysis).
    pub annotations: Labels,
    /// The workload's IPv4 addresses, where the input fixes them: set only in a secondary
    /// network's view (see [`crate::networks`]), so that ipBlock peers of MultiNetworkPolicies
    /// can match it. Empty on the pod network, whose addresses manifests do not fix.
    pub addresses: Vec<u32>,
    /// Index of the object in the inventory.
    pub object: usize,
    /// The file and line of the object.
    pub source: Source,
}

impl Pod {
    /// `namespace/name[Kind]`, netpol-analyzer's name for a workload.
    pub fn display(&self) -> String {
        format!("{}/{}[{}]", self.namespace, self.name, self.kind)
    }

    /// The port number a named port resolves to on this pod, if a container declares it.
    pub fn resolve_named(&self, name: &str, protocol: Option<Protocol>) -> Option<(Protocol, u32)> {
        self.named_ports
            .iter()
            .find(|(port_name, port_protocol, _)| {
                port_name == name && protocol.is_none_or(|p| p == *port_protocol)
            })
            .map(|(_, protocol, number)| (*protocol, *number))
    }
}

/// Which namespaces a peer selects.
#[derive(Clone, Debug)]
pub enum NamespaceSel {
    /// The policy's own namespace.
    Named(String),
    Selector(Selector),
}

/// One peer of a rule (or the subject of an admin policy).
#[derive(Clone, Debug)]
pub enum PeerSel {
    /// Pods matching `pods` in namespaces matching `namespaces` (both must hold).
    Pods {
        namespaces: NamespaceSel,
        pods: Selector,
    },
    /// IPv4 addresses (an ipBlock's cidr minus its excepts, or an admin policy's networks).
    /// Matches those external addresses, and the workloads whose known `addresses` lie in it.
    Ips(Intervals),
    /// A peer the analysis cannot represent (admin `nodes`, IPv6 only): matches nothing.
    Nothing,
}

/// A port of a rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PortSpec {
    /// A fixed range of one protocol (a single port is `low == high`; all ports is 1-65535).
    Range {
        protocol: Protocol,
        low: u32,
        high: u32,
    },
    /// A named container port of the destination pod, of `protocol` (any protocol when `None`).
    Named {
        protocol: Option<Protocol>,
        name: String,
    },
}

impl PortSpec {
    /// The connections this port means towards `destination` (`None` for an IP address: a
    /// named port then matches nothing).
    pub fn resolve(&self, destination: Option<&Pod>) -> ConnSet {
        match self {
            PortSpec::Range {
                protocol,
                low,
                high,
            } => ConnSet::ports(*protocol, *low, *high),
            PortSpec::Named { protocol, name } => destination
                .and_then(|pod| pod.resolve_named(name, *protocol))
                .map_or_else(ConnSet::none, |(protocol, port)| {
                    ConnSet::ports(protocol, port, port)
                }),
        }
    }
}

/// What an admin rule does to the connections it matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Allow,
    Deny,
    Pass,
}

impl Action {
    pub fn name(self) -> &'static str {
        match self {
            Action::Allow => "Allow",
            Action::Deny => "Deny",
            Action::Pass => "Pass",
        }
    }
}

/// One ingress or egress rule.
#[derive(Clone, Debug)]
pub struct Rule {
    /// The admin rule's `name`, empty for NetworkPolicy rules.
    pub name: String,
    /// `None`: every peer (a NetworkPolicy rule without `from`/`to`).
    pub peers: Option<Vec<PeerSel>>,
    /// `None`: every port.
    pub ports: Option<Vec<PortSpec>>,
    /// `Allow` for NetworkPolicy rules.
    pub action: Action,
    /// The rule's IPv6 ipBlock peers. Connections are analysed over IPv4 (as netpol-analyzer
    /// does: these peers match nothing there); the coverage checks ask about the IPv6 address
    /// of the instance metadata service.
    pub ipv6: Vec<Ipv6Block>,
}

/// An IPv6 ipBlock: a network and the networks its `except` takes out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ipv6Block {
    pub network: (u128, u8),
    pub except: Vec<(u128, u8)>,
}

impl Ipv6Block {
    pub fn contains(&self, address: u128) -> bool {
        let within = |(base, length): (u128, u8)| {
            let mask = u128::MAX.checked_shl(128 - u32::from(length)).unwrap_or(0);
            address & mask == base & mask
        };
        within(self.network) && !self.except.iter().any(|except| within(*except))
    }
}

/// `fd00:ec2::/32` as (address, prefix length).
pub fn parse_cidr6(text: &str) -> Option<(u128, u8)> {
    let (address, length) = text.split_once('/')?;
    let address: std::net::Ipv6Addr = address.parse().ok()?;
    let length: u8 = length.parse().ok().filter(|length| *length <= 128)?;
    Some((u128::from(address), length))
}

impl Rule {
    /// The connections of this rule towards `destination` (the pod owning the named ports).
    pub fn conns(&self, destination: Option<&Pod>) -> ConnSet {
        match &self.ports {
            None => ConnSet::all(),
            Some(ports) => {
                let mut set = ConnSet::none();
                for port in ports {
                    set.union_with(&port.resolve(destination));
                }
                set
            }
        }
    }
}

/// Where a policy came from, for explanations.
#[derive(Clone, Debug)]
pub struct Source {
    pub file: String,
    pub line: u32,
}

#[derive(Clone, Debug)]
pub struct NetPol {
    pub namespace: String,
    pub name: String,
    pub selector: Selector,
    pub ingress: Vec<Rule>,
    pub egress: Vec<Rule>,
    /// `Ingress` in (defaulted) policyTypes.
    pub isolates_ingress: bool,
    /// `Egress` in (defaulted) policyTypes.
    pub isolates_egress: bool,
    pub source: Source,
}

impl NetPol {
    pub fn display(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}

#[derive(Clone, Debug)]
pub struct AdminPol {
    pub name: String,
    /// `None` for the BaselineAdminNetworkPolicy.
    pub priority: Option<i64>,
    pub subject: PeerSel,
    pub ingress: Vec<Rule>,
    pub egress: Vec<Rule>,
    pub source: Source,
}

impl AdminPol {
    pub fn kind(&self) -> &'static str {
        if self.priority.is_some() {
            "AdminNetworkPolicy"
        } else {
            "BaselineAdminNetworkPolicy"
        }
    }
}

/// Everything the analysis needs, built once from an inventory.
#[derive(Debug, Default)]
pub struct Cluster {
    pub namespaces: BTreeMap<String, Labels>,
    pub pods: Vec<Pod>,
    pub policies: Vec<NetPol>,
    /// AdminNetworkPolicies by priority (then name).
    pub admin: Vec<AdminPol>,
    pub baseline: Option<AdminPol>,
    /// Problems found while building the model: bad selectors, unsupported fields.
    pub warnings: Vec<String>,
    /// The stand-in pod of the ingress controller, when Ingresses or Routes lead somewhere.
    pub ingress_controller: Option<usize>,
    /// What Ingresses and Routes open: (pod, TCP connections from the ingress controller).
    pub ingress_targets: Vec<(usize, ConnSet)>,
    /// Exposure analysis: the peers policy rules select that no workload of the input stands
    /// for (filled by [`Cluster::add_representatives`]); the first is the entire cluster.
    pub representatives: Vec<Representative>,
    /// The pod standing for each workload object of the inventory (by object index); the Pods
    /// of one controller share their controller's.
    pub pod_of_object: std::collections::HashMap<usize, usize>,
}

/// A peer a policy rule's selectors describe, standing for pods that may exist in a cluster
/// although none of the input matches (netpol-analyzer's "representative peer").
#[derive(Clone, Debug)]
pub struct Representative {
    /// The namespaces' selector (a rule without namespaceSelector: the policy's namespace).
    pub namespaces: Selector,
    pub pods: Selector,
}

impl Representative {
    /// Whether this stands for every pod of every namespace.
    pub fn is_entire_cluster(&self) -> bool {
        self.namespaces.is_everything() && self.pods.is_everything()
    }

    /// `[namespace with {k=v}]/[pod with {k=v}]`, `ns/[all pods]`, `entire-cluster`.
    pub fn display(&self) -> String {
        if self.is_entire_cluster() {
            return "entire-cluster".to_string();
        }
        format!("{}/{}", self.namespace_text(true), self.pod_text(true))
    }

    /// The namespace part, in brackets for the text formats.
    pub fn namespace_text(&self, brackets: bool) -> String {
        if let Some(name) = self.namespaces.only_equals(NAMESPACE_NAME_LABEL) {
            return name.to_string();
        }
        let text = if self.namespaces.is_everything() {
            "all namespaces".to_string()
        } else {
            format!("namespace with {{{}}}", self.namespaces.text())
        };
        if brackets { format!("[{text}]") } else { text }
    }

    /// The pod part, in brackets for the text formats.
    pub fn pod_text(&self, brackets: bool) -> String {
        let text = if self.pods.is_everything() {
            "all pods".to_string()
        } else {
            format!("pod with {{{}}}", self.pods.text())
        };
        if brackets { format!("[{text}]") } else { text }
    }

    /// Whether a rule's peer selects this representative: each of the peer's selectors is
    /// empty or has exactly the representative's requirements.
    pub fn selected_by(&self, peer: &PeerSel) -> bool {
        match peer {
            PeerSel::Pods { namespaces, pods } => {
                let namespace_matches = match namespaces {
                    NamespaceSel::Named(name) => {
                        self.namespaces.only_equals(NAMESPACE_NAME_LABEL) == Some(name.as_str())
                    }
                    NamespaceSel::Selector(selector) => {
                        selector.is_everything()
                            || selector.canonical() == self.namespaces.canonical()
                    }
                };
                namespace_matches
                    && (pods.is_everything() || pods.canonical() == self.pods.canonical())
            }
            PeerSel::Ips(_) | PeerSel::Nothing => false,
        }
    }
}

impl Cluster {
    /// Builds the model from loaded objects.
    pub fn from_inventory(inventory: &Inventory) -> Cluster {
        Cluster::build(inventory, None)
    }

    /// Builds the model of the workloads and NetworkPolicies of some namespaces only (every
    /// Namespace and admin policy is kept; Ingresses and Routes are not analysed). The answers
    /// about a pod of those namespaces do not depend on the pods left out, except where a
    /// rule's peer selects one of them.
    pub fn from_inventory_in(
        inventory: &Inventory,
        namespaces: &std::collections::BTreeSet<String>,
    ) -> Cluster {
        Cluster::build(inventory, Some(namespaces))
    }

    fn build(inventory: &Inventory, scope: Option<&std::collections::BTreeSet<String>>) -> Cluster {
        let in_scope = |namespace: Option<&str>| {
            scope.is_none_or(|scope| scope.contains(namespace.unwrap_or("default")))
        };
        let mut cluster = Cluster::default();
        for object in &inventory.objects {
            if object.kind == "Namespace" {
                let labels = object_labels(object.labels());
                cluster.add_namespace(&object.name, labels);
            }
        }
        let mut by_owner: BTreeMap<(String, String, String), usize> = BTreeMap::new();
        for entry in &inventory.workloads {
            let object = inventory.entry_object(entry);
            if object.kind == "PodTemplate" || !in_scope(object.namespace.as_deref()) {
                continue;
            }
            // A spec that does not decode is reported by the scan; such a workload is left out.
            let Ok(workload) = inventory.decode(entry) else {
                continue;
            };
            let namespace = object
                .namespace
                .clone()
                .unwrap_or_else(|| "default".to_string());
            let (kind, name) = match object.kind.as_str() {
                "Pod" => {
                    pod_owner(object).unwrap_or_else(|| (object.kind.clone(), object.name.clone()))
                }
                _ => (object.kind.clone(), object.name.clone()),
            };
            let key = (namespace.clone(), kind.clone(), name.clone());
            if let Some(&pod) = by_owner.get(&key) {
                cluster.pod_of_object.insert(workload.object, pod);
                continue;
            }
            let labels = object_labels(
                object
                    .value
                    .pointer(&format!("{}/labels", workload.metadata_pointer()))
                    .and_then(Value::as_object),
            );
            let named_ports = workload
                .spec
                .containers
                .iter()
                .flat_map(|container| container.ports.iter().flatten())
                .filter_map(|port| {
                    let name = port.name.clone()?;
                    let protocol = Protocol::parse(port.protocol.as_deref().unwrap_or("TCP"))?;
                    Some((name, protocol, u32::try_from(port.container_port).ok()?))
                })
                .collect();
            let container_ports = workload
                .spec
                .containers
                .iter()
                .flat_map(|container| container.ports.iter().flatten())
                .filter_map(|port| {
                    let protocol = Protocol::parse(port.protocol.as_deref().unwrap_or("TCP"))?;
                    Some((protocol, u32::try_from(port.container_port).ok()?))
                })
                .collect();
            let annotations = object_labels(
                object
                    .value
                    .pointer(&format!("{}/annotations", workload.metadata_pointer()))
                    .and_then(Value::as_object),
            );
            by_owner.insert(key, cluster.pods.len());
            cluster
                .pod_of_object
                .insert(workload.object, cluster.pods.len());
            cluster.ensure_namespace(&namespace);
            cluster.pods.push(Pod {
                namespace,
                name,
                kind,
                labels,
                named_ports,
                container_ports,
                host_network: workload.spec.host_network == Some(true),
                annotations,
                addresses: Vec::new(),
                object: workload.object,
                source: source(object),
            });
        }
        // KubeVirt VirtualMachines: their template's labels select them like a pod's.
        for (index, object) in inventory.objects.iter().enumerate() {
            if object.kind != "VirtualMachine" || !in_scope(object.namespace.as_deref()) {
                continue;
            }
            let namespace = object
                .namespace
                .clone()
                .unwrap_or_else(|| "default".to_string());
            let key = (namespace.clone(), object.kind.clone(), object.name.clone());
            if by_owner.contains_key(&key) {
                continue;
            }
            let metadata = object.value.pointer("/spec/template/metadata");
            let map = |field: &str| {
                object_labels(
                    metadata
                        .and_then(|metadata| metadata.get(field))
                        .and_then(Value::as_object),
                )
            };
            by_owner.insert(key, cluster.pods.len());
            cluster.ensure_namespace(&namespace);
            cluster.pods.push(Pod {
                namespace,
                name: object.name.clone(),
                kind: object.kind.clone(),
                labels: map("labels"),
                named_ports: Vec::new(),
                container_ports: Vec::new(),
                host_network: false,
                annotations: map("annotations"),
                addresses: Vec::new(),
                object: index,
                source: source(object),
            });
        }
        for object in &inventory.objects {
            match (object.group(), object.kind.as_str()) {
                ("networking.k8s.io", "NetworkPolicy")
                    if !in_scope(object.namespace.as_deref()) => {}
                ("networking.k8s.io", "NetworkPolicy") => match network_policy(object) {
                    Ok(policy) => {
                        cluster.ensure_namespace(&policy.namespace);
                        cluster.policies.push(policy);
                    }
                    Err(error) => cluster.warnings.push(format!(
                        "NetworkPolicy {}/{} ({}:{}) skipped: {error}",
                        object.namespace.as_deref().unwrap_or("default"),
                        object.name,
                        object.origin.file.name,
                        object.origin.line
                    )),
                },
                (
                    "policy.networking.k8s.io",
                    kind @ ("AdminNetworkPolicy" | "BaselineAdminNetworkPolicy"),
                ) => {
                    let baseline = kind == "BaselineAdminNetworkPolicy";
                    match admin_policy(object, baseline, &mut cluster.warnings) {
                        Ok(policy) if baseline => cluster.baseline = Some(policy),
                        Ok(policy) => cluster.admin.push(policy),
                        Err(error) => cluster.warnings.push(format!(
                            "{kind} {} ({}:{}) skipped: {error}",
                            object.name, object.origin.file.name, object.origin.line
                        )),
                    }
                }
                _ => {}
            }
        }
        cluster.admin.sort_by(|a, b| {
            a.priority
                .cmp(&b.priority)
                .then_with(|| a.name.cmp(&b.name))
        });
        let targets = match scope {
            None => crate::ingress::targets(inventory, &cluster),
            Some(_) => Vec::new(),
        };
        if !targets.is_empty() {
            cluster.ensure_namespace(crate::ingress::CONTROLLER_NAMESPACE);
            cluster.ingress_controller = Some(cluster.pods.len());
            cluster.pods.push(Pod {
                namespace: crate::ingress::CONTROLLER_NAMESPACE.to_string(),
                name: crate::ingress::CONTROLLER_NAME.to_string(),
                kind: String::new(),
                labels: Labels::new(),
                named_ports: Vec::new(),
                container_ports: Vec::new(),
                host_network: false,
                annotations: Labels::new(),
                addresses: Vec::new(),
                object: usize::MAX,
                source: Source {
                    file: String::new(),
                    line: 0,
                },
            });
            cluster.ingress_targets = targets;
        }
        cluster
    }

    /// Exposure analysis: one representative peer for each distinct pair of selectors in the
    /// policies' rules, less those a workload of the input stands for (both selectors made of
    /// matchLabels only and matching it); the entire cluster comes first.
    pub fn add_representatives(&mut self) {
        let mut found = vec![Representative {
            namespaces: Selector::everything(),
            pods: Selector::everything(),
        }];
        let mut seen = std::collections::BTreeSet::new();
        seen.insert((String::new(), String::new()));
        let mut rules: Vec<&Rule> = Vec::new();
        for policy in &self.policies {
            rules.extend(policy.ingress.iter().chain(&policy.egress));
        }
        for policy in self.admin.iter().chain(&self.baseline) {
            rules.extend(policy.ingress.iter().chain(&policy.egress));
        }
        for rule in rules {
            for peer in rule.peers.iter().flatten() {
                let PeerSel::Pods { namespaces, pods } = peer else {
                    continue;
                };
                let namespaces = match namespaces {
                    NamespaceSel::Named(name) => Selector::equals(NAMESPACE_NAME_LABEL, name),
                    NamespaceSel::Selector(selector) => selector.clone(),
                };
                if !seen.insert((namespaces.canonical(), pods.canonical())) {
                    continue;
                }
                found.push(Representative {
                    namespaces,
                    pods: pods.clone(),
                });
            }
        }
        found.retain(|rep| {
            let refinable = !rep.namespaces.is_everything()
                && !rep.pods.is_everything()
                && !rep.namespaces.has_expressions()
                && !rep.pods.has_expressions();
            !refinable
                || !self.pods.iter().enumerate().any(|(index, pod)| {
                    !self.is_ingress_controller(index)
                        && rep.pods.matches(&pod.labels)
                        && self
                            .namespace_labels(&pod.namespace)
                            .is_some_and(|labels| rep.namespaces.matches(labels))
                })
        });
        self.representatives = found;
    }

    /// Whether a pod is the ingress controller's stand-in rather than a workload of the input.
    pub fn is_ingress_controller(&self, pod: usize) -> bool {
        self.ingress_controller == Some(pod)
    }

    fn add_namespace(&mut self, name: &str, mut labels: Labels) {
        labels.insert(NAMESPACE_NAME_LABEL.to_string(), name.to_string());
        self.namespaces.insert(name.to_string(), labels);
    }

    fn ensure_namespace(&mut self, name: &str) {
        if !self.namespaces.contains_key(name) {
            self.add_namespace(name, Labels::new());
        }
    }

    pub fn namespace_labels(&self, name: &str) -> Option<&Labels> {
        self.namespaces.get(name)
    }

    /// Whether `peer` selects `pod`.
    pub fn peer_selects(&self, peer: &PeerSel, pod: &Pod) -> bool {
        match peer {
            PeerSel::Pods { namespaces, pods } => {
                let namespace_matches = match namespaces {
                    NamespaceSel::Named(name) => *name == pod.namespace,
                    NamespaceSel::Selector(selector) => {
                        selector.is_everything()
                            || self
                                .namespace_labels(&pod.namespace)
                                .is_some_and(|labels| selector.matches(labels))
                    }
                };
                namespace_matches && pods.matches(&pod.labels)
            }
            PeerSel::Ips(block) => pod.addresses.iter().any(|address| block.contains(*address)),
            PeerSel::Nothing => false,
        }
    }
}

/// The workload a Pod stands for: its controller owner (kind `Pod` when the owner reference
/// names no kind), or none for a static pod owned by its Node.
fn pod_owner(object: &Object) -> Option<(String, String)> {
    let owners = object.metadata()?.get("ownerReferences")?.as_array()?;
    let owner = owners
        .iter()
        .find(|owner| owner.get("controller").and_then(Value::as_bool) == Some(true))?;
    let name = owner.get("name")?.as_str()?.to_string();
    match owner.get("kind").and_then(Value::as_str) {
        Some("Node") => None,
        Some(kind) => Some((kind.to_string(), name)),
        None => Some(("Pod".to_string(), name)),
    }
}

fn object_labels(labels: Option<&serde_json::Map<String, Value>>) -> Labels {
    labels
        .into_iter()
        .flatten()
        .filter_map(|(key, value)| Some((key.clone(), value.as_str()?.to_string())))
        .collect()
}

fn source(object: &Object) -> Source {
    Source {
        file: object.origin.file.name.clone(),
        line: object.origin.line,
    }
}

fn selector(selector: Option<&LabelSelector>) -> Result<Selector, String> {
    match selector {
        None => Ok(Selector::everything()),
        Some(selector) => Selector::from_label_selector(selector),
    }
}

/// Converts a NetworkPolicy, applying the API server's defaults (policyTypes, protocol TCP).
pub fn network_policy(object: &Object) -> Result<NetPol, String> {
    let policy: NetworkPolicy = garrison_core::workload::decode(&object.value)
        .map_err(|error| format!("field {}: {}", error.pointer, error.message))?;
    let namespace = object
        .namespace
        .clone()
        .unwrap_or_else(|| "default".to_string());
    let spec = policy.spec.unwrap_or_default();
    let pod_selector = selector(spec.pod_selector.as_ref())?;
    let mut ingress = Vec::new();
    for rule in spec.ingress.iter().flatten() {
        let mut ipv6 = Vec::new();
        ingress.push(Rule {
            name: String::new(),
            peers: np_peers(rule.from.as_deref(), &namespace, &mut ipv6)?,
            ports: np_ports(rule.ports.as_deref())?,
            action: Action::Allow,
            ipv6,
        });
    }
    let mut egress = Vec::new();
    for rule in spec.egress.iter().flatten() {
        let mut ipv6 = Vec::new();
        egress.push(Rule {
            name: String::new(),
            peers: np_peers(rule.to.as_deref(), &namespace, &mut ipv6)?,
            ports: np_ports(rule.ports.as_deref())?,
            action: Action::Allow,
            ipv6,
        });
    }
    let (isolates_ingress, isolates_egress) = match &spec.policy_types {
        Some(types) if !types.is_empty() => {
            let mut flags = (false, false);
            for policy_type in types {
                match policy_type.as_str() {
                    "Ingress" => flags.0 = true,
                    "Egress" => flags.1 = true,
                    other => {
                        return Err(format!(
                            "policyTypes has {other:?}; only Ingress and Egress exist"
                        ));
                    }
                }
            }
            flags
        }
        // The API server's default: Ingress always, Egress when egress rules are written.
        _ => (true, spec.egress.is_some()),
    };
    Ok(NetPol {
        namespace,
        name: object.name.clone(),
        selector: pod_selector,
        ingress,
        egress,
        isolates_ingress,
        isolates_egress,
        source: source(object),
    })
}

fn np_peers(
    peers: Option<&[NetworkPolicyPeer]>,
    namespace: &str,
    ipv6: &mut Vec<Ipv6Block>,
) -> Result<Option<Vec<PeerSel>>, String> {
    let Some(peers) = peers.filter(|peers| !peers.is_empty()) else {
        return Ok(None);
    };
    let mut out = Vec::new();
    for peer in peers {
        if let Some(block) = &peer.ip_block {
            if peer.pod_selector.is_some() || peer.namespace_selector.is_some() {
                return Err("a peer sets ipBlock together with a selector".to_string());
            }
            let Some((low, high)) = parse_cidr(&block.cidr) else {
                if block.cidr.contains(':') {
                    if let Some(network) = parse_cidr6(&block.cidr) {
                        ipv6.push(Ipv6Block {
                            network,
                            except: block
                                .except
                                .iter()
                                .flatten()
                                .filter_map(|except| parse_cidr6(except))
                                .collect(),
                        });
                    }
                    out.push(PeerSel::Nothing);
                    continue;
                }
                return Err(format!("ipBlock cidr {:?} is not a CIDR", block.cidr));
            };
            let mut range = Intervals::range(low, high);
            for except in block.except.iter().flatten() {
                match parse_cidr(except) {
                    Some((low, high)) => range = range.subtract(&Intervals::range(low, high)),
                    None if except.contains(':') => {}
                    None => return Err(format!("ipBlock except {except:?} is not a CIDR")),
                }
            }
            out.push(PeerSel::Ips(range));
            continue;
        }
        let namespaces = match &peer.namespace_selector {
            None if peer.pod_selector.is_none() => {
                return Err(
                    "a peer sets none of podSelector, namespaceSelector, ipBlock".to_string(),
                );
            }
            None => NamespaceSel::Named(namespace.to_string()),
            Some(selector) => NamespaceSel::Selector(Selector::from_label_selector(selector)?),
        };
        out.push(PeerSel::Pods {
            namespaces,
            pods: selector(peer.pod_selector.as_ref())?,
        });
    }
    Ok(Some(out))
}

fn np_ports(ports: Option<&[NetworkPolicyPort]>) -> Result<Option<Vec<PortSpec>>, String> {
    let Some(ports) = ports.filter(|ports| !ports.is_empty()) else {
        return Ok(None);
    };
    let mut out = Vec::new();
    for port in ports {
        let protocol_name = port.protocol.as_deref().unwrap_or("TCP");
        let protocol = Protocol::parse(protocol_name)
            .ok_or_else(|| format!("protocol {protocol_name:?} is not TCP, UDP or SCTP"))?;
        out.push(match &port.port {
            None => PortSpec::Range {
                protocol,
                low: crate::conn::MIN_PORT,
                high: crate::conn::MAX_PORT,
            },
            Some(IntOrString::Int(number)) => {
                let low = u32::try_from(*number)
                    .map_err(|_| format!("port {number} is not a port number"))?;
                let high = match port.end_port {
                    Some(end) => u32::try_from(end)
                        .ok()
                        .filter(|end| *end >= low)
                        .ok_or_else(|| format!("endPort {end} is below port {low}"))?,
                    None => low,
                };
                PortSpec::Range {
                    protocol,
                    low,
                    high,
                }
            }
            Some(IntOrString::String(name)) => match name.parse::<u32>() {
                Ok(number) => PortSpec::Range {
                    protocol,
                    low: number,
                    high: number,
                },
                Err(_) if port.end_port.is_some() => {
                    return Err(format!("endPort needs a numeric port, not {name:?}"));
                }
                Err(_) => PortSpec::Named {
                    protocol: Some(protocol),
                    name: name.clone(),
                },
            },
        });
    }
    Ok(Some(out))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AdminSpec {
    priority: Option<i64>,
    subject: AdminSubject,
    #[serde(default)]
    ingress: Vec<AdminRuleSpec>,
    #[serde(default)]
    egress: Vec<AdminRuleSpec>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AdminSubject {
    namespaces: Option<LabelSelector>,
    pods: Option<AdminPods>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AdminPods {
    #[serde(default)]
    namespace_selector: LabelSelector,
    #[serde(default)]
    pod_selector: LabelSelector,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AdminRuleSpec {
    #[serde(default)]
    name: String,
    action: String,
    #[serde(default, alias = "to")]
    from: Vec<AdminPeerSpec>,
    ports: Option<Vec<AdminPortSpec>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AdminPeerSpec {
    namespaces: Option<LabelSelector>,
    pods: Option<AdminPods>,
    networks: Option<Vec<String>>,
    nodes: Option<LabelSelector>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AdminPortSpec {
    port_number: Option<AdminPortNumber>,
    named_port: Option<String>,
    port_range: Option<AdminPortRange>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AdminPortNumber {
    protocol: Option<String>,
    port: u32,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AdminPortRange {
    protocol: Option<String>,
    start: u32,
    end: u32,
}

fn admin_subject(subject: &AdminSubject) -> Result<PeerSel, String> {
    match (&subject.namespaces, &subject.pods) {
        (Some(namespaces), None) => Ok(PeerSel::Pods {
            namespaces: NamespaceSel::Selector(Selector::from_label_selector(namespaces)?),
            pods: Selector::everything(),
        }),
        (None, Some(pods)) => Ok(PeerSel::Pods {
            namespaces: NamespaceSel::Selector(Selector::from_label_selector(
                &pods.namespace_selector,
            )?),
            pods: Selector::from_label_selector(&pods.pod_selector)?,
        }),
        _ => Err("subject must set exactly one of namespaces and pods".to_string()),
    }
}

fn admin_protocol(protocol: Option<&str>) -> Result<Protocol, String> {
    let name = protocol.unwrap_or("TCP");
    Protocol::parse(name).ok_or_else(|| format!("protocol {name:?} is not TCP, UDP or SCTP"))
}

/// Converts an AdminNetworkPolicy or the BaselineAdminNetworkPolicy (v1alpha1).
pub fn admin_policy(
    object: &Object,
    baseline: bool,
    warnings: &mut Vec<String>,
) -> Result<AdminPol, String> {
    let spec_value = object.value.get("spec").cloned().unwrap_or(Value::Null);
    let spec: AdminSpec = garrison_core::workload::decode(&spec_value)
        .map_err(|error| format!("field /spec{}: {}", error.pointer, error.message))?;
    let priority = if baseline {
        if object.name != "default" {
            return Err("a BaselineAdminNetworkPolicy must be named \"default\"".to_string());
        }
        None
    } else {
        let priority = spec
            .priority
            .ok_or_else(|| "spec.priority is required".to_string())?;
        if !(0..=1000).contains(&priority) {
            return Err(format!("priority {priority} is outside 0-1000"));
        }
        Some(priority)
    };
    let subject = admin_subject(&spec.subject)?;
    let mut convert = |rules: &[AdminRuleSpec], egress: bool| -> Result<Vec<Rule>, String> {
        let mut out = Vec::new();
        for rule in rules {
            let action = match rule.action.as_str() {
                "Allow" => Action::Allow,
                "Deny" => Action::Deny,
                "Pass" if !baseline => Action::Pass,
                other => {
                    return Err(format!("rule {:?} has unknown action {other:?}", rule.name));
                }
            };
            if rule.from.is_empty() {
                return Err(format!("rule {:?} names no peers", rule.name));
            }
            let mut peers = Vec::new();
            for peer in &rule.from {
                let set = [
                    peer.namespaces.is_some(),
                    peer.pods.is_some(),
                    peer.networks.is_some(),
                    peer.nodes.is_some(),
                ];
                if set.iter().filter(|set| **set).count() != 1 {
                    return Err(format!(
                        "a peer of rule {:?} must set exactly one field",
                        rule.name
                    ));
                }
                if let Some(namespaces) = &peer.namespaces {
                    peers.push(PeerSel::Pods {
                        namespaces: NamespaceSel::Selector(Selector::from_label_selector(
                            namespaces,
                        )?),
                        pods: Selector::everything(),
                    });
                } else if let Some(pods) = &peer.pods {
                    peers.push(PeerSel::Pods {
                        namespaces: NamespaceSel::Selector(Selector::from_label_selector(
                            &pods.namespace_selector,
                        )?),
                        pods: Selector::from_label_selector(&pods.pod_selector)?,
                    });
                } else if let Some(networks) = &peer.networks {
                    if !egress {
                        return Err("networks peers are only allowed in egress rules".to_string());
                    }
                    let mut range = Intervals::empty();
                    for network in networks {
                        match parse_cidr(network) {
                            Some((low, high)) => {
                                range = range.union(&Intervals::range(low, high));
                            }
                            None if network.contains(':') => warnings.push(format!(
                                "{} {}: IPv6 network {network} is not supported; ignored",
                                object.kind, object.name
                            )),
                            None => return Err(format!("network {network:?} is not a CIDR")),
                        }
                    }
                    peers.push(PeerSel::Ips(range));
                } else {
                    warnings.push(format!(
                        "{} {}: rule {:?}: nodes peers are not supported; the peer matches nothing",
                        object.kind, object.name, rule.name
                    ));
                    peers.push(PeerSel::Nothing);
                }
            }
            let ports = match &rule.ports {
                None => None,
                Some(ports) => {
                    let mut specs = Vec::new();
                    for port in ports {
                        specs.push(match (&port.port_number, &port.named_port, &port.port_range) {
                            (Some(number), None, None) => PortSpec::Range {
                                protocol: admin_protocol(number.protocol.as_deref())?,
                                low: number.port,
                                high: number.port,
                            },
                            (None, Some(name), None) => PortSpec::Named {
                                protocol: None,
                                name: name.clone(),
                            },
                            (None, None, Some(range)) => {
                                if range.start > range.end {
                                    return Err(format!(
                                        "rule {:?}: portRange start {} is above end {}",
                                        rule.name, range.start, range.end
                                    ));
                                }
                                PortSpec::Range {
                                    protocol: admin_protocol(range.protocol.as_deref())?,
                                    low: range.start,
                                    high: range.end,
                                }
                            }
                            _ => {
                                return Err(format!(
                                    "a port of rule {:?} must set exactly one of portNumber, namedPort, portRange",
                                    rule.name
                                ));
                            }
                        });
                    }
                    Some(specs)
                }
            };
            out.push(Rule {
                name: rule.name.clone(),
                peers: Some(peers),
                ports,
                action,
                ipv6: Vec::new(),
            });
        }
        Ok(out)
    };
    let ingress = convert(&spec.ingress, false)?;
    let egress = convert(&spec.egress, true)?;
    Ok(AdminPol {
        name: object.name.clone(),
        priority,
        subject,
        ingress,
        egress,
        source: source(object),
    })
}
