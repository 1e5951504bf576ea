//! Multi-network analysis (netpol-analyzer's `--multiple-networks`, OVN-Kubernetes): each
//! workload's primary network (the pod network, its namespace's primary UserDefinedNetwork or
//! a primary ClusterUserDefinedNetwork selecting the namespace) and secondary networks
//! (NetworkAttachmentDefinitions named in the `k8s.v1.cni.cncf.io/networks` annotation, or a
//! VirtualMachine's multus networks). Connectivity is analysed per network: NetworkPolicies
//! and admin policies on primary networks, MultiNetworkPolicies on secondary ones.

use garrison_core::{Inventory, Object};
use serde_json::Value;

use crate::model::{Cluster, NetPol};
use crate::selector::Selector;

const NETWORKS_ANNOTATION: &str = "k8s.v1.cni.cncf.io/networks";
const POLICY_FOR_ANNOTATION: &str = "k8s.v1.cni.cncf.io/policy-for";
/// A namespace must carry this label for a primary (C)UDN to take it.
const PRIMARY_UDN_LABEL: &str = "k8s.ovn.org/primary-user-defined-network";

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum NetworkKind {
    /// The cluster's default pod network.
    Pod,
    /// A namespace's primary UserDefinedNetwork (named after the namespace).
    Udn,
    /// A primary ClusterUserDefinedNetwork.
    Cudn,
    /// A secondary network: a NetworkAttachmentDefinition.
    Nad,
}

#[derive(Clone, Debug)]
pub struct Network {
    pub kind: NetworkKind,
    /// The namespace of a UDN, the name of a CUDN or NAD, `pod-network`.
    pub name: String,
    /// The NAD's namespace.
    pub namespace: String,
    /// Workloads attached (indices into the cluster's pods).
    pub members: Vec<usize>,
}

impl Network {
    /// How the mapping names it: `pod-network`, `blue[UDN]`, `tenant[CUDN]`, `net[NAD]`.
    pub fn mapping_name(&self) -> String {
        match self.kind {
            NetworkKind::Pod => "pod-network".to_string(),
            NetworkKind::Udn => format!("{}[UDN]", self.name),
            NetworkKind::Cudn => format!("{}[CUDN]", self.name),
            NetworkKind::Nad => format!("{}[NAD]", self.name),
        }
    }

    /// The heading of its section of the list.
    pub fn heading(&self) -> String {
        match self.kind {
            NetworkKind::Pod => "Permitted connectivity analyzed in Pod network:".to_string(),
            NetworkKind::Udn => format!(
                "Permitted connectivity analyzed in primary UDN {}:",
                self.name
            ),
            NetworkKind::Cudn => {
                format!(
                    "Permitted connectivity analyzed in primary CUDN {}:",
                    self.name
                )
            }
            NetworkKind::Nad => {
                format!(
                    "Permitted connectivity analyzed in secondary NAD {}:",
                    self.name
                )
            }
        }
    }

    /// The value of the csv/md `network` column.
    pub fn column(&self) -> &str {
        match self.kind {
            NetworkKind::Pod => "pod-network",
            _ => &self.name,
        }
    }
}

/// The networks of a cluster and which workloads each holds.
#[derive(Clone, Debug, Default)]
pub struct Networks {
    /// The pod network first, then primary (C)UDNs, then NADs, each group by name.
    pub networks: Vec<Network>,
    /// Per workload: its primary network.
    pub primary: Vec<usize>,
    /// Per workload: its secondary networks, by name.
    pub secondary: Vec<Vec<usize>>,
}

fn role(spec: Option<&Value>) -> Option<&str> {
    let spec = spec?;
    ["layer2", "layer3"]
        .iter()
        .find_map(|layer| spec.get(*layer)?.get("role")?.as_str())
}

/// `name`, `ns/name`, `name@iface`, or a JSON list of `{"name", "namespace"}`: (namespace, name).
fn attachments(value: &str, default_namespace: &str) -> Vec<(String, String)> {
    let trimmed = value.trim();
    if trimmed.starts_with('[') {
        let Ok(Value::Array(items)) = serde_json::from_str::<Value>(trimmed) else {
            return Vec::new();
        };
        return items
            .iter()
            .filter_map(|item| {
                let name = item.get("name")?.as_str()?.to_string();
                let namespace = item
                    .get("namespace")
                    .and_then(Value::as_str)
                    .unwrap_or(default_namespace)
                    .to_string();
                Some((namespace, name))
            })
            .collect();
    }
    trimmed
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| {
            let item = item.split('@').next().unwrap_or(item);
            match item.split_once('/') {
                Some((namespace, name)) => (namespace.to_string(), name.to_string()),
                None => (default_namespace.to_string(), item.to_string()),
            }
        })
        .collect()
}

impl Networks {
    /// Whether the input holds anything beyond the pod network.
    pub fn is_multi(&self) -> bool {
        self.networks.len() > 1
            || self
                .networks
                .first()
                .is_some_and(|network| network.kind != NetworkKind::Pod)
    }

    pub fn of(inventory: &Inventory, cluster: &Cluster) -> Networks {
        // Primary networks by namespace.
        let mut primary_of_namespace: std::collections::BTreeMap<String, (NetworkKind, String)> =
            std::collections::BTreeMap::new();
        let mut nads: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
        for object in &inventory.objects {
            // Matched by kind alone, as netpol-analyzer does (inputs carry varied groups).
            match ("", object.kind.as_str()) {
                (_, "UserDefinedNetwork") if role(object.value.get("spec")) == Some("Primary") => {
                    let namespace = object.namespace.clone().unwrap_or_default();
                    let labelled = cluster
                        .namespaces
                        .get(&namespace)
                        .is_some_and(|labels| labels.contains_key(PRIMARY_UDN_LABEL));
                    if labelled {
                        primary_of_namespace
                            .insert(namespace.clone(), (NetworkKind::Udn, namespace));
                    }
                }
                (_, "ClusterUserDefinedNetwork") => {
                    let spec = object.value.get("spec");
                    if role(spec.and_then(|spec| spec.get("network"))) != Some("Primary") {
                        continue;
                    }
                    let selector = spec
                        .and_then(|spec| spec.get("namespaceSelector"))
                        .and_then(|value| serde_json::from_value(value.clone()).ok())
                        .and_then(|selector| Selector::from_label_selector(&selector).ok());
                    let Some(selector) = selector else {
                        continue;
                    };
                    for (namespace, labels) in &cluster.namespaces {
                        if selector.matches(labels) && labels.contains_key(PRIMARY_UDN_LABEL) {
                            primary_of_namespace.insert(
                                namespace.clone(),
                                (NetworkKind::Cudn, object.name.clone()),
                            );
                        }
                    }
                }
                (_, "NetworkAttachmentDefinition") => {
                    nads.insert(object.name.clone());
                }
                _ => {}
            }
        }
        let mut networks = vec![Network {
            kind: NetworkKind::Pod,
            name: "pod-network".to_string(),
            namespace: String::new(),
            members: Vec::new(),
        }];
        let mut index_of = std::collections::BTreeMap::new();
        let mut find =
            |networks: &mut Vec<Network>, kind: NetworkKind, namespace: &str, name: &str| {
                *index_of
                    .entry((kind.clone(), namespace.to_string(), name.to_string()))
                    .or_insert_with(|| {
                        networks.push(Network {
                            kind,
                            name: name.to_string(),
                            namespace: namespace.to_string(),
                            members: Vec::new(),
                        });
                        networks.len() - 1
                    })
            };
        let mut primary = Vec::new();
        let mut secondary = Vec::new();
        for (index, pod) in cluster.pods.iter().enumerate() {
            if cluster.is_ingress_controller(index) {
                // Not a workload of any network: added to each primary network its
                // Ingresses and Routes lead into (see `cluster_of`).
                primary.push(0);
                secondary.push(Vec::new());
                continue;
            }
            let network = match primary_of_namespace.get(&pod.namespace) {
                Some((kind, name)) => find(&mut networks, kind.clone(), "", name),
                None => 0,
            };
            networks[network].members.push(index);
            primary.push(network);
            let mut attached: Vec<(String, String)> = pod
                .annotations
                .get(NETWORKS_ANNOTATION)
                .map(|value| attachments(value, &pod.namespace))
                .unwrap_or_default();
            if pod.kind == "VirtualMachine"
                && let Some(object) = inventory.objects.get(pod.object)
            {
                attached.extend(vm_networks(object, &pod.namespace));
            }
            let mut mine = Vec::new();
            for (_, name) in attached {
                if !nads.contains(&name) {
                    continue;
                }
                let network = find(&mut networks, NetworkKind::Nad, "", &name);
                if !mine.contains(&network) {
                    networks[network].members.push(index);
                    mine.push(network);
                }
            }
            secondary.push(mine);
        }
        // Order: the pod network, then by kind and name; renumber the references.
        let mut order: Vec<usize> = (0..networks.len()).collect();
        order.sort_by(|a, b| {
            let (x, y) = (&networks[*a], &networks[*b]);
            (&x.kind, &x.name).cmp(&(&y.kind, &y.name))
        });
        if let Some(position) = order.iter().position(|index| *index == 0) {
            let pod_network = order.remove(position);
            order.insert(0, pod_network);
        }
        let mut renumber = vec![0; networks.len()];
        for (new, old) in order.iter().enumerate() {
            renumber[*old] = new;
        }
        let networks: Vec<Network> = order.iter().map(|old| networks[*old].clone()).collect();
        for network in &mut primary {
            *network = renumber[*network];
        }
        for list in &mut secondary {
            for network in list.iter_mut() {
                *network = renumber[*network];
            }
            list.sort_by(|a, b| networks[*a].name.cmp(&networks[*b].name));
        }
        Networks {
            networks,
            primary,
            secondary,
        }
    }

    /// The cluster as one network sees it: its workloads, and the policies that apply on it.
    pub fn cluster_of(&self, inventory: &Inventory, cluster: &Cluster, network: usize) -> Cluster {
        let Some(net) = self.networks.get(network) else {
            return Cluster::default();
        };
        let mut view = Cluster {
            namespaces: cluster.namespaces.clone(),
            ..Cluster::default()
        };
        view.pods = net
            .members
            .iter()
            .map(|index| cluster.pods[*index].clone())
            .collect();
        if net.kind == NetworkKind::Nad {
            let static_addresses = nad_static_addresses(inventory, &net.name);
            for pod in &mut view.pods {
                pod.addresses = addresses_on(inventory, pod, &net.name);
                pod.addresses.extend(&static_addresses);
                pod.addresses.sort_unstable();
                pod.addresses.dedup();
            }
            view.policies = multi_network_policies(inventory, net, &mut view.warnings);
        } else {
            view.policies = cluster.policies.clone();
            view.admin = cluster.admin.clone();
            view.baseline = cluster.baseline.clone();
            // The ingress controller reaches the targets of Ingresses and Routes on this network.
            if let Some(controller) = cluster.ingress_controller {
                let targets: Vec<(usize, crate::conn::ConnSet)> = cluster
                    .ingress_targets
                    .iter()
                    .filter_map(|(pod, conns)| {
                        let at = net.members.iter().position(|member| member == pod)?;
                        Some((at, conns.clone()))
                    })
                    .collect();
                if !targets.is_empty() {
                    view.ingress_controller = Some(view.pods.len());
                    view.pods.push(cluster.pods[controller].clone());
                    view.ingress_targets = targets;
                }
            }
        }
        view
    }
}

/// A VirtualMachine's multus networks: `spec.template.spec.networks[].multus.networkName`.
fn vm_networks(object: &Object, namespace: &str) -> Vec<(String, String)> {
    object
        .value
        .pointer("/spec/template/spec/networks")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|network| network.pointer("/multus/networkName")?.as_str())
        .flat_map(|name| attachments(name, namespace))
        .collect()
}

/// `10.200.0.1/24` or `10.200.0.1`: the address, without its prefix length (IPv4 only).
fn host_address(text: &str) -> Option<u32> {
    let address = text.split('/').next()?.trim();
    address.parse::<std::net::Ipv4Addr>().ok().map(u32::from)
}

/// A workload's addresses on the secondary network `name`, as its manifest fixes them: the
/// `ips` of its entry in the `k8s.v1.cni.cncf.io/networks` annotation (JSON form), and for a
/// VirtualMachine the `ethernets.*.addresses` of its cloud-init `networkData` (the guest's
/// interface names say nothing of which network they are on, so they count on each of the
/// VM's secondary networks).
fn addresses_on(inventory: &Inventory, pod: &crate::model::Pod, name: &str) -> Vec<u32> {
    let mut addresses = Vec::new();
    if let Some(Ok(Value::Array(entries))) = pod
        .annotations
        .get(NETWORKS_ANNOTATION)
        .map(|value| serde_json::from_str::<Value>(value.trim()))
    {
        for entry in &entries {
            if entry.get("name").and_then(Value::as_str) != Some(name) {
                continue;
            }
            addresses.extend(
                entry
                    .get("ips")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .filter_map(host_address),
            );
        }
    }
    if pod.kind == "VirtualMachine"
        && let Some(object) = inventory.objects.get(pod.object)
    {
        addresses.extend(cloud_init_addresses(object));
    }
    addresses
}

/// The addresses a VirtualMachine's cloud-init `networkData` (netplan version 2 YAML, in a
/// `cloudInitNoCloud` or `cloudInitConfigDrive` volume) gives its interfaces.
fn cloud_init_addresses(object: &Object) -> Vec<u32> {
    use saphyr::{LoadableYamlNode, Yaml};
    let mut addresses = Vec::new();
    let volumes = object
        .value
        .pointer("/spec/template/spec/volumes")
        .and_then(Value::as_array);
    for volume in volumes.into_iter().flatten() {
        let text = ["cloudInitNoCloud", "cloudInitConfigDrive"]
            .iter()
            .find_map(|source| volume.get(*source)?.get("networkData")?.as_str());
        let Some(text) = text else {
            continue;
        };
        let Ok(documents) = Yaml::load_from_str(text) else {
            continue;
        };
        let Some(ethernets) = documents
            .first()
            .and_then(|document| document.as_mapping_get("ethernets"))
            .and_then(Yaml::as_mapping)
        else {
            continue;
        };
        for interface in ethernets.values() {
            let listed = interface
                .as_mapping_get("addresses")
                .and_then(Yaml::as_vec)
                .into_iter()
                .flatten()
                .filter_map(Yaml::as_str)
                .filter_map(host_address);
            addresses.extend(listed);
        }
    }
    addresses
}

/// The addresses a NetworkAttachmentDefinition named `name` assigns itself: the
/// `addresses[].address` of a `static` IPAM in its CNI `config` (at the top level or in one of
/// its `plugins`). Every workload attached to it has them.
fn nad_static_addresses(inventory: &Inventory, name: &str) -> Vec<u32> {
    let mut addresses = Vec::new();
    for object in &inventory.objects {
        if object.kind != "NetworkAttachmentDefinition" || object.name != name {
            continue;
        }
        let Some(Ok(config)) = object
            .value
            .pointer("/spec/config")
            .and_then(Value::as_str)
            .map(serde_json::from_str::<Value>)
        else {
            continue;
        };
        let plugins = config.get("plugins").and_then(Value::as_array);
        for plugin in std::iter::once(&config).chain(plugins.into_iter().flatten()) {
            let Some(ipam) = plugin.get("ipam") else {
                continue;
            };
            if ipam.get("type").and_then(Value::as_str) != Some("static") {
                continue;
            }
            addresses.extend(
                ipam.get("addresses")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|entry| entry.get("address")?.as_str())
                    .filter_map(host_address),
            );
        }
    }
    addresses
}

/// The MultiNetworkPolicies whose `policy-for` annotation names the NAD.
fn multi_network_policies(
    inventory: &Inventory,
    network: &Network,
    warnings: &mut Vec<String>,
) -> Vec<NetPol> {
    let mut policies = Vec::new();
    for object in &inventory.objects {
        if object.kind != "MultiNetworkPolicy" {
            continue;
        }
        let namespace = object
            .namespace
            .clone()
            .unwrap_or_else(|| "default".to_string());
        let targets = object
            .metadata()
            .and_then(|metadata| metadata.get("annotations"))
            .and_then(|annotations| annotations.get(POLICY_FOR_ANNOTATION))
            .and_then(Value::as_str)
            .map(|value| attachments(value, &namespace))
            .unwrap_or_default();
        // netpol-analyzer tells NADs apart by name only.
        if !targets.iter().any(|(_, name)| *name == network.name) {
            continue;
        }
        // Same spec as a NetworkPolicy: decode it as one.
        let mut as_network_policy = object.clone();
        if let Some(fields) = as_network_policy.value.as_object_mut() {
            fields.insert("apiVersion".to_string(), "networking.k8s.io/v1".into());
            fields.insert("kind".to_string(), "NetworkPolicy".into());
        }
        match crate::model::network_policy(&as_network_policy) {
            Ok(policy) => policies.push(policy),
            Err(error) => warnings.push(format!(
                "MultiNetworkPolicy {namespace}/{} skipped: {error}",
                object.name
            )),
        }
    }
    policies
}

/// One network's part of the list.
#[derive(Clone, Debug)]
pub struct Section {
    pub network: usize,
    pub rows: Vec<crate::output::Row>,
    /// For dot: workloads drawn, as (namespace, node id, label).
    pub nodes: Vec<(String, String, String)>,
    /// For dot: (source id, destination id, connections).
    pub edges: Vec<(String, String, String)>,
    /// For dot: external address ranges drawn.
    pub external: Vec<String>,
}

/// The list of every network, with the focus applied in each.
pub fn sections(
    inventory: &Inventory,
    cluster: &Cluster,
    networks: &Networks,
    focus: &crate::output::Focus,
) -> Vec<Section> {
    let mut out = Vec::new();
    for (index, network) in networks.networks.iter().enumerate() {
        let view = networks.cluster_of(inventory, cluster, index);
        let analyzer = crate::eval::Analyzer::new(&view);
        let mut connections = analyzer.connections();
        let mut nodes = analyzer.pods();
        focus.apply(&analyzer, &mut connections, &mut nodes);
        if network.kind == NetworkKind::Nad {
            // Secondary networks carry no traffic with external addresses.
            connections.retain(|connection| {
                !matches!(connection.src, crate::eval::Peer::Ip(..))
                    && !matches!(connection.dst, crate::eval::Peer::Ip(..))
            });
        }
        // A workload drawn in a secondary network's cluster: its id names the network.
        let suffix = if network.kind == NetworkKind::Nad {
            network.name.clone()
        } else {
            String::new()
        };
        let id = |peer: crate::eval::Peer| match peer {
            crate::eval::Peer::Pod(_) => format!("{}{suffix}", analyzer.display(peer)),
            _ => analyzer.display(peer),
        };
        let mut drawn = std::collections::BTreeSet::new();
        let mut external = std::collections::BTreeSet::new();
        let mut edges = Vec::new();
        for connection in &connections {
            for peer in [connection.src, connection.dst] {
                match peer {
                    crate::eval::Peer::Pod(pod) => {
                        drawn.insert(pod);
                    }
                    _ => {
                        external.insert(analyzer.display(peer));
                    }
                }
            }
            edges.push((
                id(connection.src),
                id(connection.dst),
                connection.conns.to_string(),
            ));
        }
        for node in &nodes {
            if let crate::eval::Peer::Pod(pod) = node {
                drawn.insert(*pod);
            }
        }
        if let Some(controller) = view.ingress_controller
            && drawn.remove(&controller)
        {
            // Drawn outside the namespaces, in blue.
            external.insert(analyzer.display(crate::eval::Peer::Pod(controller)));
        }
        let nodes: Vec<(String, String, String)> = drawn
            .into_iter()
            .map(|pod| {
                let workload = &view.pods[pod];
                (
                    workload.namespace.clone(),
                    id(crate::eval::Peer::Pod(pod)),
                    format!("{}[{}]", workload.name, workload.kind),
                )
            })
            .collect();
        let mut rows = crate::output::rows(&analyzer, &connections);
        if network.kind == NetworkKind::Udn {
            let plain = format!("{}/", network.name);
            let tagged = format!("{}[udn]/", network.name);
            for row in &mut rows {
                for name in [&mut row.src, &mut row.dst] {
                    if let Some(rest) = name.strip_prefix(&plain) {
                        *name = format!("{tagged}{rest}");
                    }
                }
            }
        }
        out.push(Section {
            network: index,
            rows,
            nodes,
            edges,
            external: external.into_iter().collect(),
        });
    }
    out
}

/// `Workload-to-Networks Mapping:` and one entry per workload.
fn mapping(cluster: &Cluster, networks: &Networks) -> String {
    let mut entries: Vec<(String, String)> = Vec::new();
    for (index, pod) in cluster.pods.iter().enumerate() {
        if cluster.is_ingress_controller(index) {
            continue;
        }
        let mut text = format!(
            "\tPrimary Network: {}",
            networks.networks[networks.primary[index]].mapping_name()
        );
        let secondary: Vec<String> = networks.secondary[index]
            .iter()
            .map(|network| networks.networks[*network].mapping_name())
            .collect();
        if !secondary.is_empty() {
            text.push_str(&format!("\n\tSecondary Networks: {}", secondary.join(",")));
        }
        entries.push((pod.display(), text));
    }
    entries.sort();
    let mut lines = vec!["Workload-to-Networks Mapping:".to_string()];
    for (name, text) in entries {
        lines.push(format!("{name}: "));
        lines.push(text);
    }
    lines.join("\n")
}

/// Writes the multi-network list in one of netpol-analyzer's formats (not dot).
pub fn write(
    cluster: &Cluster,
    networks: &Networks,
    sections: &[Section],
    format: crate::output::Format,
    pairs: Option<(crate::Protocol, u32)>,
) -> String {
    use crate::output::Format;
    if let Some(conn) = pairs {
        // A --focus-conn list is one list of pairs over every network.
        let (protocol, port) = conn;
        let mut rows: Vec<(String, String, String)> = sections
            .iter()
            .flat_map(|section| {
                let network = networks.networks[section.network].column().to_string();
                section
                    .rows
                    .iter()
                    .map(move |row| (row.src.clone(), row.dst.clone(), network.clone()))
            })
            .collect();
        rows.sort();
        return match format {
            Format::Txt => {
                let mut parts = Vec::new();
                for section in sections.iter().filter(|section| !section.rows.is_empty()) {
                    let mut lines = vec![networks.networks[section.network].heading()];
                    lines.extend(
                        section
                            .rows
                            .iter()
                            .map(|row| format!("{} => {}", row.src, row.dst)),
                    );
                    parts.push(lines.join("\n"));
                }
                // The pod network's heading follows the title directly; any other first
                // section after a blank line.
                let pod_first = sections.first().is_some_and(|section| {
                    !section.rows.is_empty()
                        && networks.networks[section.network].kind == NetworkKind::Pod
                });
                let gap = if pod_first { "\n" } else { "\n\n" };
                format!(
                    "Permitted connections on {} {port}:{gap}{}",
                    protocol.name(),
                    parts.join("\n\n")
                )
            }
            Format::Csv => {
                let field = crate::output::csv_field;
                let mut lines = vec!["src,dst,network".to_string()];
                lines.extend(rows.iter().map(|(src, dst, network)| {
                    format!("{},{},{}", field(src), field(dst), field(network))
                }));
                lines.join("\n")
            }
            Format::Md => {
                let mut lines = vec![
                    "| src | dst | network |".to_string(),
                    "|-----|-----|------|".to_string(),
                ];
                lines.extend(
                    rows.iter()
                        .map(|(src, dst, network)| format!("| {src} | {dst} | {network} |")),
                );
                lines.join("\n")
            }
            Format::Json => {
                let plain: Vec<crate::output::Row> = rows
                    .iter()
                    .map(|(src, dst, _)| crate::output::Row {
                        src: src.clone(),
                        dst: dst.clone(),
                        conn: String::new(),
                    })
                    .collect();
                crate::output::pairs_text(&plain, format, conn)
            }
            Format::Dot => dot(networks, sections),
        };
    }
    let column = |section: &Section| networks.networks[section.network].column().to_string();
    match format {
        Format::Txt => {
            let mut parts = Vec::new();
            if networks.is_multi() {
                for section in sections {
                    let network = &networks.networks[section.network];
                    let mut lines = vec![network.heading()];
                    if network.members.is_empty() && network.kind == NetworkKind::Pod {
                        lines.push(
                            "all input workloads are configured with (C)UDN as their primary network interface"
                                .to_string(),
                        );
                    } else if section.rows.is_empty() {
                        lines.push(format!(
                            "All connections are not allowed for the workloads in the {}",
                            network.column()
                        ));
                    }
                    lines.extend(
                        section
                            .rows
                            .iter()
                            .map(|row| format!("{} => {} : {}", row.src, row.dst, row.conn)),
                    );
                    parts.push(lines.join("\n"));
                }
            } else {
                let lines: Vec<String> = sections
                    .iter()
                    .flat_map(|section| &section.rows)
                    .map(|row| format!("{} => {} : {}", row.src, row.dst, row.conn))
                    .collect();
                if !lines.is_empty() {
                    parts.push(lines.join("\n"));
                }
            }
            parts.push(mapping(cluster, networks));
            parts.join("\n\n")
        }
        Format::Json => {
            // By source, destination, then network (which the JSON does not write).
            let mut rows: Vec<(&str, &crate::output::Row)> = sections
                .iter()
                .flat_map(|section| {
                    let network = networks.networks[section.network].column();
                    section.rows.iter().map(move |row| (network, row))
                })
                .collect();
            rows.sort_by(|a, b| (&a.1.src, &a.1.dst, a.0).cmp(&(&b.1.src, &b.1.dst, b.0)));
            let rows: Vec<&crate::output::Row> = rows.into_iter().map(|(_, row)| row).collect();
            serde_json::to_string_pretty(&rows).unwrap_or_default()
        }
        Format::Csv | Format::Md => {
            let mut rows: Vec<(String, String, String, String)> = sections
                .iter()
                .flat_map(|section| {
                    let network = column(section);
                    section.rows.iter().map(move |row| {
                        (
                            row.src.clone(),
                            row.dst.clone(),
                            row.conn.clone(),
                            network.clone(),
                        )
                    })
                })
                .collect();
            // By source, destination, then network.
            rows.sort_by(|a, b| (&a.0, &a.1, &a.3, &a.2).cmp(&(&b.0, &b.1, &b.3, &b.2)));
            if format == Format::Csv {
                let field = crate::output::csv_field;
                let mut lines = vec!["src,dst,conn,network".to_string()];
                lines.extend(rows.iter().map(|(src, dst, conn, network)| {
                    format!(
                        "{},{},{},{}",
                        field(src),
                        field(dst),
                        field(conn),
                        field(network)
                    )
                }));
                lines.join("\n")
            } else {
                let mut lines = vec![
                    "| src | dst | conn | network |".to_string(),
                    "|-----|-----|------|------|".to_string(),
                ];
                lines.extend(rows.iter().map(|(src, dst, conn, network)| {
                    format!("| {src} | {dst} | {conn} | {network} |")
                }));
                lines.join("\n")
            }
        }
        Format::Dot => dot(networks, sections),
    }
}

fn quote(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_default()
}

/// Namespace clusters of workloads, as the single-network graph draws them.
fn namespace_clusters(nodes: &[(String, String, String)]) -> Vec<String> {
    let mut by_namespace: std::collections::BTreeMap<&str, Vec<String>> =
        std::collections::BTreeMap::new();
    for (namespace, id, label) in nodes {
        by_namespace.entry(namespace).or_default().push(format!(
            "\t\t{} [label={} color=\"blue\" fontcolor=\"blue\"]",
            quote(id),
            quote(label)
        ));
    }
    let mut lines = Vec::new();
    // Ordered as their workloads' `namespace/name` ids are (`a-b/` before `a/`).
    let mut by_namespace: Vec<(&str, Vec<String>)> = by_namespace.into_iter().collect();
    by_namespace.sort_by_key(|(namespace, _)| format!("{namespace}/"));
    for (namespace, mut members) in by_namespace {
        members.sort();
        lines.push(format!(
            "\tsubgraph {} {{",
            quote(&format!(
                "cluster_{}[namespace]",
                namespace.replace('-', "_")
            ))
        ));
        lines.push("\t\tcolor=\"black\"".to_string());
        lines.push("\t\tfontcolor=\"black\"".to_string());
        lines.extend(members);
        lines.push(format!(
            "\t\tlabel={}",
            quote(&format!("{namespace}[namespace]"))
        ));
        lines.push("\t}".to_string());
    }
    lines
}

/// The multi-network graph: one cluster per network (a primary UDN's is its namespace's).
fn dot(networks: &Networks, sections: &[Section]) -> String {
    let mut lines = vec!["digraph {".to_string()];
    let mut external = std::collections::BTreeSet::new();
    let mut edges = Vec::new();
    for section in sections {
        let network = &networks.networks[section.network];
        external.extend(section.external.iter().cloned());
        for (src, dst, conn) in &section.edges {
            let weight = if src <= dst { "0.5" } else { "1" };
            edges.push(format!(
                "\t{} -> {} [label={} color=\"gold2\" fontcolor=\"darkgreen\" weight={weight}]",
                quote(src),
                quote(dst),
                quote(conn)
            ));
        }
        if section.nodes.is_empty() {
            continue;
        }
        match &network.kind {
            NetworkKind::Udn => {
                let mut members: Vec<String> = section
                    .nodes
                    .iter()
                    .map(|(_, id, label)| {
                        format!(
                            "\t\t{} [label={} color=\"blue\" fontcolor=\"blue\"]",
                            quote(id),
                            quote(label)
                        )
                    })
                    .collect();
                members.sort();
                lines.push(format!(
                    "\tsubgraph {} {{",
                    quote(&format!("cluster_{}[udn]", network.name.replace('-', "_")))
                ));
                lines.push("\t\tcolor=\"black\"".to_string());
                lines.push("\t\tfontcolor=\"black\"".to_string());
                lines.extend(members);
                lines.push(format!(
                    "\t\tlabel={}",
                    quote(&format!("{}[udn]", network.name))
                ));
                lines.push("\t}".to_string());
            }
            NetworkKind::Pod if !networks.is_multi() => {
                lines.extend(namespace_clusters(&section.nodes));
            }
            kind => {
                let (name, label) = match kind {
                    NetworkKind::Pod => ("pod_network".to_string(), "pod network".to_string()),
                    NetworkKind::Cudn => (
                        network.name.clone(),
                        format!("{}[cluster-udn]", network.name),
                    ),
                    _ => (network.name.clone(), format!("{}[nad]", network.name)),
                };
                lines.push(format!(
                    "\tsubgraph {} {{",
                    quote(&format!("cluster_{name}"))
                ));
                lines.push(format!("\tlabel={}", quote(&label)));
                lines.extend(namespace_clusters(&section.nodes));
                lines.push("\t}".to_string());
            }
        }
    }
    for name in external {
        let color = if name.ends_with("[External]") {
            "red2"
        } else {
            "blue"
        };
        lines.push(format!(
            "\t{} [label={} color=\"{color}\" fontcolor=\"{color}\"]",
            quote(&name),
            quote(&name)
        ));
    }
    edges.sort();
    lines.extend(edges);
    lines.push("}".to_string());
    lines.join("\n")
}
