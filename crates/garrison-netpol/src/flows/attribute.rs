//! Who an address is: a workload's pod, a node, a Service, a VPC endpoint, the instance
//! metadata service, or nobody the snapshot knows, inside the VPC ("unattributed") or outside
//! it ("external").
//!
//! Pods are found by `status.podIPs` / `status.podIP` and counted as their owning workload
//! (a ReplicaSet's Pod as its Deployment, as the NetworkPolicy analysis names workloads);
//! pods on the host's network share their node's address and are attributed to the node. Nodes
//! by `status.addresses`, Services by their cluster IPs and load-balancer addresses, VPC
//! endpoints by the addresses of their network interfaces when the snapshot holds
//! `aws/ec2/describe-network-interfaces.json`. The VPC's ranges come from
//! `aws/ec2/describe-vpcs.json`, else from the subnets of `aws/ec2/describe-subnets.json`, else
//! the private ranges (RFC 1918, RFC 6598, IPv6 unique local) stand in for them.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use garrison_core::Inventory;
use serde_json::Value;

use crate::model::Cluster;

/// The instance metadata service's IPv4 address.
pub const METADATA_V4: Ipv4Addr = Ipv4Addr::new(169, 254, 169, 254);
/// The instance metadata service's IPv6 address (Nitro instances).
pub const METADATA_V6: Ipv6Addr = Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254);

/// What an address belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Endpoint {
    /// A workload of the NetworkPolicy analysis (index into `Cluster::pods`).
    Workload(u32),
    /// A node (index into [`Attribution::nodes`]), hostNetwork pods included.
    Node(u32),
    /// A Service's cluster or load-balancer address (index into [`Attribution::services`]).
    Service(u32),
    /// An interface VPC endpoint (index into [`Attribution::vpc_endpoints`]).
    VpcEndpoint(u32),
    /// The instance metadata service.
    Metadata,
    /// Inside the VPC, but nothing of the snapshot has the address.
    Unattributed,
    /// Outside the VPC.
    External,
}

impl Endpoint {
    /// The endpoint as one word: the variant above the index. Equal endpoints have equal
    /// words, and words order as endpoints do.
    pub fn word(self) -> u64 {
        let (variant, index) = match self {
            Endpoint::Workload(index) => (0, index),
            Endpoint::Node(index) => (1, index),
            Endpoint::Service(index) => (2, index),
            Endpoint::VpcEndpoint(index) => (3, index),
            Endpoint::Metadata => (4, 0),
            Endpoint::Unattributed => (5, 0),
            Endpoint::External => (6, 0),
        };
        (variant << 32) | u64::from(index)
    }

    /// The endpoint of a [`Endpoint::word`].
    pub fn from_word(word: u64) -> Endpoint {
        let index = word as u32;
        match word >> 32 {
            0 => Endpoint::Workload(index),
            1 => Endpoint::Node(index),
            2 => Endpoint::Service(index),
            3 => Endpoint::VpcEndpoint(index),
            4 => Endpoint::Metadata,
            5 => Endpoint::Unattributed,
            _ => Endpoint::External,
        }
    }
}

// Hashed as one word: endpoints key the maps of the per-record path.
impl std::hash::Hash for Endpoint {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_u64(self.word());
    }
}

/// An address as a hash key: IPv4 hashed as one word, IPv6 as two.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct AddressKey(pub(crate) IpAddr);

impl std::hash::Hash for AddressKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        match self.0 {
            IpAddr::V4(v4) => state.write_u64(u64::from(u32::from(v4))),
            IpAddr::V6(v6) => state.write_u128(u128::from(v6)),
        }
    }
}

/// An IPv4 or IPv6 network.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    address: IpAddr,
    prefix: u8,
}

impl Cidr {
    pub fn parse(text: &str) -> Option<Cidr> {
        let (address, prefix) = text.trim().split_once('/')?;
        let address: IpAddr = address.parse().ok()?;
        let prefix: u8 = prefix.parse().ok()?;
        let bits = if address.is_ipv4() { 32 } else { 128 };
        (prefix <= bits).then_some(Cidr { address, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.address, ip) {
            (IpAddr::V4(network), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(network) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(network), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(network) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl std::fmt::Display for Cidr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.address, self.prefix)
    }
}

/// Addresses and what they belong to.
#[derive(Debug, Default)]
pub struct Attribution {
    /// Looked up twice a record: a fast hash (the addresses are the snapshot's).
    by_address: HashMap<AddressKey, Endpoint, foldhash::fast::RandomState>,
    /// Node names.
    pub nodes: Vec<String>,
    /// Services as `namespace/name`.
    pub services: Vec<String>,
    /// VPC endpoints as `vpce-id (service name)`.
    pub vpc_endpoints: Vec<String>,
    /// The VPC's address ranges.
    pub vpc: Vec<Cidr>,
    /// Where the VPC's ranges came from.
    pub vpc_source: String,
    /// Pods of the snapshot with an address, and those the analysis has no workload for.
    pub pods_seen: usize,
    pub pods_without_workload: usize,
}

impl Attribution {
    /// An empty attribution with the given VPC ranges (tests and benches add addresses).
    pub fn with_vpc(vpc: Vec<Cidr>, source: &str) -> Attribution {
        Attribution {
            vpc,
            vpc_source: source.to_string(),
            ..Attribution::default()
        }
    }

    /// Records that `address` belongs to `endpoint`; the first claim of an address wins.
    pub fn add(&mut self, address: IpAddr, endpoint: Endpoint) {
        self.by_address
            .entry(AddressKey(address))
            .or_insert(endpoint);
    }

    pub fn add_node(&mut self, name: &str) -> Endpoint {
        match self.nodes.iter().position(|node| node == name) {
            Some(index) => Endpoint::Node(index as u32),
            None => {
                self.nodes.push(name.to_string());
                Endpoint::Node((self.nodes.len() - 1) as u32)
            }
        }
    }

    /// How many addresses are known.
    pub fn len(&self) -> usize {
        self.by_address.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_address.is_empty()
    }

    /// Who `address` is.
    pub fn resolve(&self, address: IpAddr) -> Endpoint {
        if let Some(endpoint) = self.by_address.get(&AddressKey(address)) {
            return *endpoint;
        }
        match address {
            IpAddr::V4(v4) if v4 == METADATA_V4 => return Endpoint::Metadata,
            IpAddr::V6(v6) if v6 == METADATA_V6 => return Endpoint::Metadata,
            _ => {}
        }
        if self.vpc.iter().any(|cidr| cidr.contains(address)) {
            Endpoint::Unattributed
        } else {
            Endpoint::External
        }
    }

    /// Reads the addresses of a snapshot (or of manifests: pods, nodes and Services).
    pub fn from_inventory(inventory: &Inventory, cluster: &Cluster) -> Attribution {
        let mut attribution = Attribution::default();
        attribution.read_vpc(inventory);
        let workloads: HashMap<(&str, &str, &str), usize> = cluster
            .pods
            .iter()
            .enumerate()
            .map(|(index, pod)| {
                (
                    (pod.namespace.as_str(), pod.kind.as_str(), pod.name.as_str()),
                    index,
                )
            })
            .collect();
        let present: HashMap<(&str, Option<&str>, &str), usize> = inventory
            .objects
            .iter()
            .enumerate()
            .map(|(index, object)| {
                (
                    (
                        object.kind.as_str(),
                        object.namespace.as_deref(),
                        object.name.as_str(),
                    ),
                    index,
                )
            })
            .collect();
        // Nodes first: a hostNetwork pod's address is its node's.
        for node in inventory.objects_of_kind("Node") {
            let endpoint = attribution.add_node(&node.name);
            for address in node
                .value
                .pointer("/status/addresses")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let kind = address.get("type").and_then(Value::as_str);
                if matches!(kind, Some("InternalIP" | "ExternalIP"))
                    && let Some(ip) = address
                        .get("address")
                        .and_then(Value::as_str)
                        .and_then(|text| text.parse().ok())
                {
                    attribution.add(ip, endpoint);
                }
            }
        }
        for (index, object) in inventory.objects.iter().enumerate() {
            if object.kind != "Pod" {
                continue;
            }
            let status = object.value.get("status");
            if matches!(
                status.and_then(|s| s.get("phase")).and_then(Value::as_str),
                Some("Succeeded" | "Failed")
            ) {
                // A finished pod's address may already be another's.
                continue;
            }
            let mut addresses: Vec<IpAddr> = status
                .and_then(|s| s.get("podIPs"))
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|entry| entry.get("ip")?.as_str()?.parse().ok())
                .collect();
            if let Some(ip) = status
                .and_then(|s| s.get("podIP"))
                .and_then(Value::as_str)
                .and_then(|text| text.parse().ok())
                && !addresses.contains(&ip)
            {
                addresses.push(ip);
            }
            if addresses.is_empty() {
                continue;
            }
            attribution.pods_seen += 1;
            let namespace = object.namespace.as_deref().unwrap_or("default");
            // The workload the analysis names this pod by: its topmost controller in the input.
            let mut top = index;
            for _ in 0..8 {
                let candidate = &inventory.objects[top];
                match candidate.controller_owner().and_then(|(kind, name)| {
                    present
                        .get(&(kind, candidate.namespace.as_deref(), name))
                        .copied()
                }) {
                    Some(owner) if owner != top => top = owner,
                    _ => break,
                }
            }
            let top_object = &inventory.objects[top];
            let key = if top == index {
                match object.controller_owner() {
                    Some(("Node", _)) | None => ("Pod", object.name.as_str()),
                    Some((kind, name)) => (kind, name),
                }
            } else {
                (top_object.kind.as_str(), top_object.name.as_str())
            };
            let workload = workloads.get(&(namespace, key.0, key.1)).copied();
            let host_network = object.value.pointer("/spec/hostNetwork")
                == Some(&Value::Bool(true))
                || workload.is_some_and(|w| cluster.pods[w].host_network);
            if host_network {
                let node = object
                    .value
                    .pointer("/spec/nodeName")
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .or_else(|| {
                        status
                            .and_then(|s| s.get("hostIP"))
                            .and_then(Value::as_str)
                            .map(|ip| format!("host {ip}"))
                    });
                for ip in &addresses {
                    let endpoint = match attribution.by_address.get(&AddressKey(*ip)) {
                        Some(endpoint) => *endpoint,
                        None => match &node {
                            Some(node) => attribution.add_node(node),
                            None => attribution.add_node(&format!("host {ip}")),
                        },
                    };
                    attribution.add(*ip, endpoint);
                }
                continue;
            }
            let Some(workload) = workload else {
                attribution.pods_without_workload += 1;
                continue;
            };
            for ip in addresses {
                attribution.add(ip, Endpoint::Workload(workload as u32));
            }
        }
        for service in inventory.objects_of_kind("Service") {
            let mut addresses: Vec<IpAddr> = Vec::new();
            let spec = service.value.get("spec");
            for ip in spec
                .and_then(|s| s.get("clusterIPs"))
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .chain(spec.and_then(|s| s.get("clusterIP")))
                .filter_map(Value::as_str)
            {
                if let Ok(ip) = ip.parse() {
                    addresses.push(ip);
                }
            }
            for ingress in service
                .value
                .pointer("/status/loadBalancer/ingress")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(ip) = ingress
                    .get("ip")
                    .and_then(Value::as_str)
                    .and_then(|text| text.parse().ok())
                {
                    addresses.push(ip);
                }
            }
            if addresses.is_empty() {
                continue;
            }
            attribution.services.push(format!(
                "{}/{}",
                service.namespace.as_deref().unwrap_or("default"),
                service.name
            ));
            let endpoint = Endpoint::Service((attribution.services.len() - 1) as u32);
            for ip in addresses {
                attribution.add(ip, endpoint);
            }
        }
        attribution.read_vpc_endpoints(inventory);
        attribution
    }

    fn read_vpc(&mut self, inventory: &Inventory) {
        let Some(snapshot) = &inventory.snapshot else {
            self.use_private_ranges("no snapshot");
            return;
        };
        let vpc_id = snapshot
            .aws("eks/describe-cluster.json")
            .ok()
            .and_then(|cluster| cluster.pointer("/cluster/resourcesVpcConfig/vpcId"))
            .and_then(Value::as_str)
            .map(str::to_string);
        let in_vpc = |item: &Value, key: &str| match &vpc_id {
            Some(id) => item.get(key).and_then(Value::as_str) == Some(id.as_str()),
            None => true,
        };
        let mut ranges = Vec::new();
        if let Ok(vpcs) = snapshot.aws("ec2/describe-vpcs.json") {
            for vpc in vpcs
                .get("Vpcs")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter(|vpc| in_vpc(vpc, "VpcId"))
            {
                ranges.extend(cidr_blocks(vpc));
            }
            if !ranges.is_empty() {
                self.vpc = ranges;
                self.vpc_source = "aws/ec2/describe-vpcs.json".to_string();
                return;
            }
        }
        if let Ok(subnets) = snapshot.aws("ec2/describe-subnets.json") {
            for subnet in subnets
                .get("Subnets")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter(|subnet| in_vpc(subnet, "VpcId"))
            {
                ranges.extend(cidr_blocks(subnet));
            }
            if !ranges.is_empty() {
                self.vpc = ranges;
                self.vpc_source = "the subnets of aws/ec2/describe-subnets.json".to_string();
                return;
            }
        }
        self.use_private_ranges("the snapshot has neither describe-vpcs nor describe-subnets");
    }

    fn use_private_ranges(&mut self, why: &str) {
        self.vpc = [
            "10.0.0.0/8",
            "172.16.0.0/12",
            "192.168.0.0/16",
            "100.64.0.0/10",
            "fc00::/7",
        ]
        .iter()
        .filter_map(|text| Cidr::parse(text))
        .collect();
        self.vpc_source = format!("private address ranges ({why})");
    }

    fn read_vpc_endpoints(&mut self, inventory: &Inventory) {
        let Some(snapshot) = &inventory.snapshot else {
            return;
        };
        let Ok(interfaces) = snapshot.aws("ec2/describe-network-interfaces.json") else {
            return;
        };
        // Endpoint ids and service names by their interfaces.
        let mut by_interface: HashMap<&str, String> = HashMap::new();
        if let Ok(endpoints) = snapshot.aws("ec2/describe-vpc-endpoints.json") {
            for endpoint in endpoints
                .get("VpcEndpoints")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let id = endpoint
                    .get("VpcEndpointId")
                    .and_then(Value::as_str)
                    .unwrap_or("vpce-?");
                let service = endpoint
                    .get("ServiceName")
                    .and_then(Value::as_str)
                    .unwrap_or("?");
                for interface in endpoint
                    .get("NetworkInterfaceIds")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                {
                    by_interface.insert(interface, format!("{id} ({service})"));
                }
            }
        }
        for interface in interfaces
            .get("NetworkInterfaces")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let id = interface
                .get("NetworkInterfaceId")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let description = interface
                .get("Description")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let name = match by_interface.get(id) {
                Some(name) => name.clone(),
                None if interface.get("InterfaceType").and_then(Value::as_str)
                    == Some("vpc_endpoint") =>
                {
                    description
                        .split_whitespace()
                        .find(|word| word.starts_with("vpce-"))
                        .unwrap_or(id)
                        .to_string()
                }
                None => continue,
            };
            let addresses: Vec<IpAddr> = interface
                .get("PrivateIpAddresses")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|entry| entry.get("PrivateIpAddress")?.as_str()?.parse().ok())
                .chain(
                    interface
                        .get("Ipv6Addresses")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .filter_map(|entry| entry.get("Ipv6Address")?.as_str()?.parse().ok()),
                )
                .collect();
            if addresses.is_empty() {
                continue;
            }
            self.vpc_endpoints.push(name);
            let endpoint = Endpoint::VpcEndpoint((self.vpc_endpoints.len() - 1) as u32);
            for address in addresses {
                self.add(address, endpoint);
            }
        }
    }
}

/// The IPv4 and IPv6 blocks of a VPC or subnet document.
fn cidr_blocks(item: &Value) -> Vec<Cidr> {
    let mut blocks = Vec::new();
    let mut push = |text: Option<&str>| {
        if let Some(cidr) = text.and_then(Cidr::parse)
            && !blocks.contains(&cidr)
        {
            blocks.push(cidr);
        }
    };
    push(item.get("CidrBlock").and_then(Value::as_str));
    for association in item
        .get("CidrBlockAssociationSet")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        push(association.get("CidrBlock").and_then(Value::as_str));
    }
    for association in item
        .get("Ipv6CidrBlockAssociationSet")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        push(association.get("Ipv6CidrBlock").and_then(Value::as_str));
    }
    blocks
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn cidr_contains_only_its_addresses() {
        let v4 = Cidr::parse("10.0.0.0/16").unwrap();
        assert!(v4.contains("10.0.255.1".parse().unwrap()));
        assert!(!v4.contains("10.1.0.1".parse().unwrap()));
        assert!(!v4.contains("fd00::1".parse().unwrap()));
        let all = Cidr::parse("0.0.0.0/0").unwrap();
        assert!(all.contains("8.8.8.8".parse().unwrap()));
        let v6 = Cidr::parse("2600:1f18:1::/56").unwrap();
        assert!(v6.contains("2600:1f18:1:ff::5".parse().unwrap()));
        assert!(!v6.contains("2600:1f18:2::5".parse().unwrap()));
        assert!(Cidr::parse("10.0.0.0/33").is_none());
    }

    #[test]
    fn metadata_addresses_resolve_to_the_metadata_service() {
        let attribution = Attribution::with_vpc(vec![], "test");
        assert_eq!(
            attribution.resolve(IpAddr::V4(METADATA_V4)),
            Endpoint::Metadata
        );
        assert_eq!(
            attribution.resolve("fd00:ec2::254".parse().unwrap()),
            Endpoint::Metadata
        );
        assert_eq!(
            attribution.resolve("1.1.1.1".parse().unwrap()),
            Endpoint::External
        );
    }
}
