//! Observed traffic against NetworkPolicy intent.
//!
//! Each accepted record is attributed at both ends, oriented (who opened the connection), and,
//! when a workload is involved, checked against the NetworkPolicy analysis on the server's port
//! and protocol. Verdicts are cached per (client, server, protocol, port), with external
//! addresses reduced to the address block every policy rule treats alike, so a large log costs
//! one hash lookup per record once its pairs are known.
//!
//! Orientation: a TCP record whose flags show SYN without ACK was sent by the client, one with
//! SYN-ACK by the server. Without flags the record may be either half of a connection, so a
//! flow counts as denied only when neither direction is allowed (reply traffic of an allowed
//! connection is allowed; NetworkPolicy is stateful). Such a flow is shown with the lower port as
//! the server's.
//!
//! The same flow is recorded by the interface of each end when both are logged; a record seen
//! from a second interface (or the other flow direction) shortly after the first is counted
//! once. This uses a fixed-size table of recent flows, so memory stays constant; a collision
//! can only let a duplicate through, never drop a flow.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, Hasher};
use std::net::IpAddr;

use foldhash::fast::{FixedState, RandomState};

use garrison_core::Diagnostic;
use serde::Serialize;

use super::attribute::{AddressKey, Attribution, Endpoint};
use super::reader::{FlowAction, FlowDirection, FlowRecord, LogStatus, Position, Sink};
use crate::conn::{ConnSet, Protocol};
use crate::eval::{Analyzer, Direction, Peer};

/// Slots of the duplicate table (16 bytes each).
const DEDUPE_SLOTS: usize = 1 << 18;
/// Ports listed per graph edge before the rest are counted.
const EDGE_PORTS: usize = 8;
/// The seed of the duplicate table's hash: fixed, so which flows share a slot, and so the
/// counts, are the same on every run.
const DEDUPE_SEED: u64 = 0x5f1a_7e3c_92d4_b061;

/// Hash maps of the per-record path: keys are small and come from the analysis, not from
/// whoever wrote the log, so a fast hash serves.
type FastMap<K, V> = HashMap<K, V, RandomState>;

/// One end of a connection: external and unattributed addresses are one party each.
pub type Party = Endpoint;

/// The NetworkPolicy verdict of one (client, server, protocol, port).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verdict {
    Allowed,
    Denied,
    /// The policies have no say: no workload at either end, a node, a Service address, or a
    /// protocol NetworkPolicy does not define.
    NotApplicable,
}

/// Totals of records.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Counts {
    /// Every record read (malformed lines are not records).
    pub records: u64,
    pub accepted: u64,
    pub rejected: u64,
    /// `NODATA`: no traffic on an interface during an interval.
    pub nodata: u64,
    /// `SKIPDATA`: AWS skipped records during an interval; those flows are not in the logs.
    pub skipdata: u64,
    /// Records of a flow already counted from the interface at its other end.
    pub duplicates: u64,
    /// Accepted records the NetworkPolicy verdict was looked up for.
    pub evaluated: u64,
    /// Lines or events that could not be read.
    pub malformed: u64,
}

/// Bytes, packets and records of some traffic, with when it was seen.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Traffic {
    pub records: u64,
    pub bytes: u64,
    pub packets: u64,
    /// Unix seconds of the first and last record's `start` and `end`, when the format has them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<u64>,
}

impl Traffic {
    fn add(&mut self, record: &FlowRecord<'_>) {
        self.records += 1;
        self.bytes += record.bytes;
        self.packets += record.packets;
        if let Some(start) = record.start {
            self.first_seen = Some(self.first_seen.map_or(start, |seen| seen.min(start)));
        }
        if let Some(end) = record.end.or(record.start) {
            self.last_seen = Some(self.last_seen.map_or(end, |seen| seen.max(end)));
        }
    }
}

/// An accepted flow the NetworkPolicies deny.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct DeniedFlow {
    pub client: String,
    pub server: String,
    /// An address of each end, as seen in a record.
    pub client_address: String,
    pub server_address: String,
    pub protocol: &'static str,
    pub port: u16,
    /// Whether TCP flags showed who opened the connection (otherwise neither direction is
    /// allowed on the ports seen).
    pub oriented_by_flags: bool,
    pub traffic: Traffic,
    /// Where the first record was read.
    pub first_record: String,
}

/// Traffic from a pod to the instance metadata service.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct MetadataFlow {
    pub workload: String,
    pub address: String,
    pub traffic: Traffic,
    pub first_record: String,
}

/// A workload's share of the traffic.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Talker {
    pub workload: String,
    pub bytes_out: u64,
    pub bytes_in: u64,
    pub packets_out: u64,
    pub packets_in: u64,
    /// The peers it exchanged the most bytes with (up to five), and those bytes.
    pub top_peers: Vec<(String, u64)>,
}

/// One edge of the communication graph: a client and a server, the server's ports.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Edge {
    pub client: String,
    pub server: String,
    /// Namespaces of the ends, when they are workloads (for grouping in the graph).
    pub client_namespace: Option<String>,
    pub server_namespace: Option<String>,
    /// `TCP 5432`, ... (at most eight; `more_ports` counts the rest).
    pub ports: Vec<String>,
    pub more_ports: usize,
    pub traffic: Traffic,
    /// Whether some of this traffic is denied by the policies.
    pub denied: bool,
}

/// An address inside the VPC nothing in the snapshot has.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Unattributed {
    pub address: String,
    pub records: u64,
}

/// Everything `garrison netpol flows` reports.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct FlowReport {
    pub counts: Counts,
    pub denied: Vec<DeniedFlow>,
    pub metadata: Vec<MetadataFlow>,
    pub talkers: Vec<Talker>,
    pub edges: Vec<Edge>,
    pub unattributed: Vec<Unattributed>,
    /// Records with an unattributed address at one end or both.
    pub unattributed_records: u64,
    /// The VPC ranges addresses were judged by, and where they came from.
    pub vpc: Vec<String>,
    pub vpc_source: String,
    pub problems: Vec<String>,
}

impl FlowReport {
    /// Whether there is anything to act on: denied flows observed, or pods reaching the
    /// instance metadata service.
    pub fn has_findings(&self) -> bool {
        !self.denied.is_empty() || !self.metadata.is_empty()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct FlowKey {
    client: Party,
    server: Party,
    protocol: u8,
    port: u16,
}

impl FlowKey {
    /// A number that orders keys as `Ord` does (client, server, protocol, port).
    fn order(&self) -> u128 {
        (u128::from(self.client.word()) << 64)
            | (u128::from(self.server.word()) << 24)
            | (u128::from(self.protocol) << 16)
            | u128::from(self.port)
    }
}

// Two words: flow keys are looked up for every accepted record.
impl Hash for FlowKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.client.word());
        state.write_u64(
            self.server.word() ^ (u64::from(self.protocol) << 40) ^ (u64::from(self.port) << 48),
        );
    }
}

/// A (client, server) pair of the verdict cache, hashed as two words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct PeerPair(Peer, Peer);

impl Hash for PeerPair {
    fn hash<H: Hasher>(&self, state: &mut H) {
        let word = |peer: Peer| match peer {
            Peer::Pod(index) => index as u64,
            Peer::Ip(low, high) => (1 << 63) ^ (u64::from(low) << 32) ^ u64::from(high),
            Peer::Rep(index) => (1 << 62) ^ index as u64,
        };
        state.write_u64(word(self.0));
        state.write_u64(word(self.1));
    }
}

#[derive(Debug, Default)]
struct EdgeStats {
    traffic: Traffic,
    ports: Vec<(u8, u16)>,
    more_ports: usize,
    denied: bool,
}

#[derive(Debug)]
struct DeniedStats {
    traffic: Traffic,
    client_address: IpAddr,
    server_address: IpAddr,
    oriented_by_flags: bool,
    first_record: String,
}

#[derive(Debug, Default, Clone, Copy)]
struct TalkerStats {
    bytes_out: u64,
    bytes_in: u64,
    packets_out: u64,
    packets_in: u64,
}

/// The analysis of a stream of records; feed it with [`super::reader`] and [`Analysis::finish`].
#[derive(Debug)]
pub struct Analysis<'a> {
    analyzer: &'a Analyzer<'a>,
    attribution: &'a Attribution,
    /// What the policies allow from a client to a server: an index into `conn_sets`, which
    /// holds each distinct set once (a cluster has few), so a record costs one lookup.
    verdicts: FastMap<PeerPair, u32>,
    conn_sets: Vec<ConnSet>,
    conn_set_ids: FastMap<ConnSet, u32>,
    edges: FastMap<FlowKey, EdgeStats>,
    denied: FastMap<FlowKey, DeniedStats>,
    metadata: FastMap<(u32, IpAddr), (Traffic, String)>,
    /// By workload index.
    talkers: Vec<Option<TalkerStats>>,
    unattributed: FastMap<AddressKey, u64>,
    unattributed_records: u64,
    dedupe: Vec<(u64, u64)>,
    hasher: FixedState,
    counts: Counts,
    problems: Vec<Diagnostic>,
    /// Problems kept in the report; the rest are counted.
    keep_problems: usize,
}

impl<'a> Analysis<'a> {
    pub fn new(analyzer: &'a Analyzer<'a>, attribution: &'a Attribution) -> Analysis<'a> {
        Analysis {
            analyzer,
            attribution,
            verdicts: FastMap::default(),
            conn_sets: Vec::new(),
            conn_set_ids: FastMap::default(),
            edges: FastMap::default(),
            denied: FastMap::default(),
            metadata: FastMap::default(),
            talkers: Vec::new(),
            unattributed: FastMap::default(),
            unattributed_records: 0,
            dedupe: vec![(0, 0); DEDUPE_SLOTS],
            hasher: FixedState::with_seed(DEDUPE_SEED),
            counts: Counts::default(),
            problems: Vec::new(),
            keep_problems: 100,
        }
    }

    /// The problems reported so far (malformed lines, unreadable files).
    pub fn problems(&self) -> &[Diagnostic] {
        &self.problems
    }

    fn talker(&mut self, workload: u32) -> &mut TalkerStats {
        let index = workload as usize;
        if index >= self.talkers.len() {
            self.talkers.resize(index + 1, None);
        }
        self.talkers[index].get_or_insert_with(TalkerStats::default)
    }

    /// Whether this record was already counted from the other end's interface.
    fn duplicate(&mut self, record: &FlowRecord<'_>, source: IpAddr, destination: IpAddr) -> bool {
        let observer = match (record.interface_id, record.flow_direction) {
            (Some(interface), _) => self.hasher.hash_one(interface) | 1,
            (None, Some(FlowDirection::Ingress)) => 2,
            (None, Some(FlowDirection::Egress)) => 4,
            // Nothing tells the two ends' records apart.
            (None, None) => return false,
        };
        // Ports and protocol in one word, an absent value distinct from every present one.
        let numbers = record.srcport.map_or(1 << 16, u64::from)
            | (record.dstport.map_or(1 << 16, u64::from) << 17)
            | (record.protocol.map_or(1 << 8, u64::from) << 34);
        let flow = self
            .hasher
            .hash_one((AddressKey(source), AddressKey(destination), numbers))
            | 1;
        let slot = &mut self.dedupe[(flow as usize) & (DEDUPE_SLOTS - 1)];
        if slot.0 == flow {
            return slot.1 != observer;
        }
        *slot = (flow, observer);
        false
    }

    /// The analysis's peer for an end, if the policies can speak about it.
    fn peer(&self, party: Party, address: IpAddr, direction: Direction) -> Option<Peer> {
        match party {
            Endpoint::Workload(index) => {
                let pod = self.analyzer.cluster.pods.get(index as usize)?;
                (!pod.host_network).then_some(Peer::Pod(index as usize))
            }
            Endpoint::External | Endpoint::Unattributed | Endpoint::VpcEndpoint(_) => {
                let IpAddr::V4(v4) = address else {
                    return None;
                };
                let value = u32::from(v4);
                // The block of the address space every rule treats alike.
                let blocks = self.analyzer.ip_blocks(direction);
                let index = blocks.partition_point(|(low, _)| *low <= value);
                let (low, high) = blocks.get(index.checked_sub(1)?)?;
                Some(Peer::Ip(*low, *high))
            }
            // Node-local and host traffic, Service addresses rewritten before they leave the
            // node, and the metadata service are not what NetworkPolicy rules are written for.
            Endpoint::Node(_) | Endpoint::Service(_) | Endpoint::Metadata => None,
        }
    }

    fn verdict(
        &mut self,
        client: (Party, IpAddr),
        server: (Party, IpAddr),
        protocol: Option<Protocol>,
        port: Option<u16>,
    ) -> Verdict {
        let (Some(protocol), Some(port)) = (protocol, port) else {
            return Verdict::NotApplicable;
        };
        // A pod cannot block traffic to itself; replicas of one workload can be isolated.
        if client.1 == server.1
            || !matches!(client.0, Endpoint::Workload(_))
                && !matches!(server.0, Endpoint::Workload(_))
        {
            return Verdict::NotApplicable;
        }
        // A client's address is a source for ingress rules, a server's a destination of egress.
        let (Some(client), Some(server)) = (
            self.peer(client.0, client.1, Direction::Ingress),
            self.peer(server.0, server.1, Direction::Egress),
        ) else {
            return Verdict::NotApplicable;
        };
        if matches!(client, Peer::Ip(..)) && matches!(server, Peer::Ip(..)) {
            return Verdict::NotApplicable;
        }
        let id = match self.verdicts.get(&PeerPair(client, server)) {
            Some(id) => *id,
            None => {
                let allowed = self.analyzer.allowed(client, server);
                let next = self.conn_sets.len() as u32;
                let id = *self
                    .conn_set_ids
                    .entry(allowed)
                    .or_insert_with_key(|allowed| {
                        self.conn_sets.push(allowed.clone());
                        next
                    });
                self.verdicts.insert(PeerPair(client, server), id);
                id
            }
        };
        let allowed = self
            .conn_sets
            .get(id as usize)
            .is_some_and(|set| set.contains(protocol, u32::from(port)));
        if allowed {
            Verdict::Allowed
        } else {
            Verdict::Denied
        }
    }

    fn accepted(
        &mut self,
        record: &FlowRecord<'_>,
        source: IpAddr,
        destination: IpAddr,
        position: Position<'_>,
    ) {
        let source_party = self.attribution.resolve(source);
        let destination_party = self.attribution.resolve(destination);
        let mut unattributed = false;
        for (party, address) in [(source_party, source), (destination_party, destination)] {
            if party == Endpoint::Unattributed {
                *self.unattributed.entry(AddressKey(address)).or_insert(0) += 1;
                unattributed = true;
            }
        }
        if unattributed {
            self.unattributed_records += 1;
        }
        if let Endpoint::Workload(index) = source_party {
            let talker = self.talker(index);
            talker.bytes_out += record.bytes;
            talker.packets_out += record.packets;
        }
        if let Endpoint::Workload(index) = destination_party {
            let talker = self.talker(index);
            talker.bytes_in += record.bytes;
            talker.packets_in += record.packets;
        }
        if destination_party == Endpoint::Metadata
            && let Endpoint::Workload(index) = source_party
        {
            let entry = self
                .metadata
                .entry((index, destination))
                .or_insert_with(|| (Traffic::default(), position_text(position)));
            entry.0.add(record);
        }
        let protocol = match record.protocol {
            Some(6) => Some(Protocol::Tcp),
            Some(17) => Some(Protocol::Udp),
            Some(132) => Some(Protocol::Sctp),
            _ => None,
        };
        let forward = (
            (source_party, source),
            (destination_party, destination),
            record.dstport,
        );
        let reverse = (
            (destination_party, destination),
            (source_party, source),
            record.srcport,
        );
        let flags = match (protocol, record.tcp_flags) {
            (Some(Protocol::Tcp), Some(flags)) if flags & 0x12 == 0x02 => Some(true),
            (Some(Protocol::Tcp), Some(flags)) if flags & 0x12 == 0x12 => Some(false),
            _ => None,
        };
        let (oriented, denied) = match flags {
            Some(true) => {
                let verdict = self.verdict(forward.0, forward.1, protocol, forward.2);
                (forward, verdict)
            }
            Some(false) => {
                let verdict = self.verdict(reverse.0, reverse.1, protocol, reverse.2);
                (reverse, verdict)
            }
            None => {
                let there = self.verdict(forward.0, forward.1, protocol, forward.2);
                let back = self.verdict(reverse.0, reverse.1, protocol, reverse.2);
                // The lower port is taken for the server's, unless only one way is allowed.
                let by_port = match (record.srcport, record.dstport) {
                    (Some(src), Some(dst)) if src < dst => reverse,
                    _ => forward,
                };
                match (there, back) {
                    (Verdict::Allowed, Verdict::Allowed) => (by_port, Verdict::Allowed),
                    (Verdict::Allowed, _) => (forward, Verdict::Allowed),
                    (_, Verdict::Allowed) => (reverse, Verdict::Allowed),
                    (Verdict::Denied, _) | (_, Verdict::Denied) => (by_port, Verdict::Denied),
                    _ => (by_port, Verdict::NotApplicable),
                }
            }
        };
        if denied != Verdict::NotApplicable {
            self.counts.evaluated += 1;
        }
        let ((client, client_address), (server, server_address), port) = oriented;
        let key = FlowKey {
            client,
            server,
            protocol: record.protocol.unwrap_or(0),
            port: port.unwrap_or(0),
        };
        let edge = self.edges.entry(key).or_default();
        edge.traffic.add(record);
        let port_key = (key.protocol, key.port);
        if !edge.ports.contains(&port_key) {
            if edge.ports.len() < EDGE_PORTS {
                edge.ports.push(port_key);
            } else {
                edge.more_ports += 1;
            }
        }
        if denied == Verdict::Denied {
            edge.denied = true;
            let stats = self.denied.entry(key).or_insert_with(|| DeniedStats {
                traffic: Traffic::default(),
                client_address,
                server_address,
                oriented_by_flags: flags.is_some(),
                first_record: position_text(position),
            });
            stats.traffic.add(record);
        }
    }

    /// The report, in a stable order.
    pub fn finish(mut self) -> FlowReport {
        let denied_stats = std::mem::take(&mut self.denied);
        // Every party of the report is an end of some edge; each is named once.
        let mut names: FastMap<Party, String> = FastMap::default();
        for key in self.edges.keys() {
            for party in [key.client, key.server] {
                names.entry(party).or_insert_with(|| self.name(party));
            }
        }
        let name = |party: Party| match names.get(&party) {
            Some(name) => name.clone(),
            None => self.name(party),
        };
        // Parties ranked by name (equal names, equal rank), to sort by name without comparing
        // strings.
        let mut by_name: Vec<(&str, Party)> = names
            .iter()
            .map(|(party, name)| (name.as_str(), *party))
            .collect();
        by_name.sort_unstable();
        let mut rank: FastMap<Party, u32> = FastMap::default();
        let mut previous: Option<&str> = None;
        let mut current = 0;
        for (index, (text, party)) in by_name.iter().enumerate() {
            if previous != Some(*text) {
                previous = Some(*text);
                current = index as u32;
            }
            rank.insert(*party, current);
        }
        let rank_of = |party: Party| rank.get(&party).copied().unwrap_or(u32::MAX);
        let protocol_name = |protocol: u8| -> std::borrow::Cow<'static, str> {
            match protocol {
                6 => "TCP".into(),
                17 => "UDP".into(),
                132 => "SCTP".into(),
                1 => "ICMP".into(),
                58 => "ICMPv6".into(),
                0 => "-".into(),
                other => format!("protocol {other}").into(),
            }
        };
        let denied_protocol = |protocol: u8| match protocol {
            6 => "TCP",
            17 => "UDP",
            _ => "SCTP",
        };
        // By client, server, protocol name and port.
        // The protocols' names sort SCTP, TCP, UDP.
        let protocol_rank = |protocol: u8| match protocol {
            6 => 1u128,
            17 => 2,
            _ => 0,
        };
        let mut denied_entries: Vec<Option<(FlowKey, DeniedStats)>> =
            denied_stats.into_iter().map(Some).collect();
        let mut denied_order: Vec<(u128, u32)> = denied_entries
            .iter()
            .enumerate()
            .filter_map(|(index, entry)| {
                let (key, _) = entry.as_ref()?;
                let order = (u128::from(rank_of(key.client)) << 64)
                    | (u128::from(rank_of(key.server)) << 32)
                    | (protocol_rank(key.protocol) << 16)
                    | u128::from(key.port);
                Some((order, index as u32))
            })
            .collect();
        denied_order.sort_unstable();
        let denied: Vec<DeniedFlow> = denied_order
            .into_iter()
            .filter_map(|(_, index)| denied_entries.get_mut(index as usize)?.take())
            .map(|(key, stats)| DeniedFlow {
                client: name(key.client),
                server: name(key.server),
                client_address: address_text(stats.client_address),
                server_address: address_text(stats.server_address),
                protocol: denied_protocol(key.protocol),
                port: key.port,
                oriented_by_flags: stats.oriented_by_flags,
                traffic: stats.traffic,
                first_record: stats.first_record,
            })
            .collect();
        let mut metadata: Vec<MetadataFlow> = self
            .metadata
            .iter()
            .map(|((workload, address), (traffic, first))| MetadataFlow {
                workload: name(Endpoint::Workload(*workload)),
                address: address.to_string(),
                traffic: traffic.clone(),
                first_record: first.clone(),
            })
            .collect();
        metadata.sort_by(|a, b| (&a.workload, &a.address).cmp(&(&b.workload, &b.address)));
        // Peers of each workload by bytes, from the edges in both directions, and each
        // workload's top five (most bytes first, then by party).
        let mut peer_totals: FastMap<(u32, Party), u64> = FastMap::default();
        peer_totals.reserve(self.edges.len() * 2);
        for (key, edge) in &self.edges {
            if let Endpoint::Workload(index) = key.client {
                *peer_totals.entry((index, key.server)).or_insert(0) += edge.traffic.bytes;
            }
            if let Endpoint::Workload(index) = key.server {
                *peer_totals.entry((index, key.client)).or_insert(0) += edge.traffic.bytes;
            }
        }
        let mut peers: FastMap<u32, Vec<(Party, u64)>> = FastMap::default();
        for ((workload, party), bytes) in peer_totals {
            let top = peers.entry(workload).or_default();
            let before =
                |entry: &(Party, u64)| bytes > entry.1 || (bytes == entry.1 && party < entry.0);
            let at = top.iter().position(before).unwrap_or(top.len());
            if at < 5 {
                top.insert(at, (party, bytes));
                top.truncate(5);
            }
        }
        let mut talkers: Vec<Talker> = self
            .talkers
            .iter()
            .enumerate()
            .filter_map(|(index, stats)| Some((index as u32, (*stats)?)))
            .map(|(index, stats)| {
                let top: Vec<(Party, u64)> = peers.remove(&index).unwrap_or_default();
                Talker {
                    workload: name(Endpoint::Workload(index)),
                    bytes_out: stats.bytes_out,
                    bytes_in: stats.bytes_in,
                    packets_out: stats.packets_out,
                    packets_in: stats.packets_in,
                    top_peers: top.into_iter().map(|(p, b)| (name(p), b)).collect(),
                }
            })
            .collect();
        talkers.sort_by(|a, b| {
            (b.bytes_out + b.bytes_in)
                .cmp(&(a.bytes_out + a.bytes_in))
                .then_with(|| a.workload.cmp(&b.workload))
        });
        // The graph joins the ports of a client and server into one edge.
        let mut joined: Vec<Edge> = Vec::new();
        let mut keys: Vec<(u128, &FlowKey, &EdgeStats)> = self
            .edges
            .iter()
            .map(|(key, stats)| (key.order(), key, stats))
            .collect();
        keys.sort_unstable_by_key(|(order, _, _)| *order);
        let mut last: Option<(Party, Party)> = None;
        for (_, key, stats) in keys {
            if last != Some((key.client, key.server)) {
                last = Some((key.client, key.server));
                joined.push(Edge {
                    client: name(key.client),
                    server: name(key.server),
                    client_namespace: self.namespace(key.client),
                    server_namespace: self.namespace(key.server),
                    ports: Vec::new(),
                    more_ports: 0,
                    traffic: Traffic::default(),
                    denied: false,
                });
            }
            let Some(edge) = joined.last_mut() else {
                continue;
            };
            for (protocol, port) in &stats.ports {
                let mut text = String::with_capacity(12);
                text.push_str(&protocol_name(*protocol));
                if *port != 0 {
                    text.push(' ');
                    push_decimal(&mut text, u64::from(*port));
                }
                if edge.ports.len() < EDGE_PORTS {
                    if !edge.ports.contains(&text) {
                        edge.ports.push(text);
                    }
                } else {
                    edge.more_ports += 1;
                }
            }
            edge.more_ports += stats.more_ports;
            edge.traffic.records += stats.traffic.records;
            edge.traffic.bytes += stats.traffic.bytes;
            edge.traffic.packets += stats.traffic.packets;
            edge.traffic.first_seen = min_some(edge.traffic.first_seen, stats.traffic.first_seen);
            edge.traffic.last_seen = max_some(edge.traffic.last_seen, stats.traffic.last_seen);
            edge.denied |= stats.denied;
        }
        let mut unattributed: Vec<Unattributed> = self
            .unattributed
            .iter()
            .map(|(address, records)| Unattributed {
                address: address_text(address.0),
                records: *records,
            })
            .collect();
        // Addresses are unique: an unstable sort orders them alike.
        unattributed.sort_unstable_by(|a, b| {
            b.records
                .cmp(&a.records)
                .then_with(|| a.address.cmp(&b.address))
        });
        FlowReport {
            counts: self.counts.clone(),
            denied,
            metadata,
            talkers,
            edges: joined,
            unattributed,
            unattributed_records: self.unattributed_records,
            vpc: self
                .attribution
                .vpc
                .iter()
                .map(ToString::to_string)
                .collect(),
            vpc_source: self.attribution.vpc_source.clone(),
            problems: self.problems.iter().map(ToString::to_string).collect(),
        }
    }

    fn name(&self, party: Party) -> String {
        match party {
            Endpoint::Workload(index) => self.analyzer.display(Peer::Pod(index as usize)),
            Endpoint::Node(index) => format!(
                "node/{}",
                self.attribution
                    .nodes
                    .get(index as usize)
                    .map_or("?", String::as_str)
            ),
            Endpoint::Service(index) => format!(
                "{}[Service]",
                self.attribution
                    .services
                    .get(index as usize)
                    .map_or("?", String::as_str)
            ),
            Endpoint::VpcEndpoint(index) => format!(
                "{}[VPC endpoint]",
                self.attribution
                    .vpc_endpoints
                    .get(index as usize)
                    .map_or("?", String::as_str)
            ),
            Endpoint::Metadata => "{instance-metadata}".to_string(),
            Endpoint::Unattributed => "{unattributed in VPC}".to_string(),
            Endpoint::External => "{external}".to_string(),
        }
    }

    fn namespace(&self, party: Party) -> Option<String> {
        match party {
            Endpoint::Workload(index) => self
                .analyzer
                .cluster
                .pods
                .get(index as usize)
                .map(|pod| pod.namespace.clone()),
            _ => None,
        }
    }
}

/// Where a record was read, as the report shows it (`Position`'s display, without the
/// formatting machinery for the common case: a line of a file).
fn position_text(position: Position<'_>) -> String {
    if position.event {
        return position.to_string();
    }
    let mut text = String::with_capacity(position.file.len() + 8);
    text.push_str(position.file);
    text.push(':');
    push_decimal(&mut text, position.line);
    text
}

/// An address as `Display` writes it; IPv4 digit by digit, as the report has many.
fn address_text(address: IpAddr) -> String {
    match address {
        IpAddr::V4(v4) => {
            let mut text = [0u8; 15];
            let mut length = 0;
            for (index, octet) in v4.octets().into_iter().enumerate() {
                if index > 0 {
                    text[length] = b'.';
                    length += 1;
                }
                if octet >= 100 {
                    text[length] = b'0' + octet / 100;
                    length += 1;
                }
                if octet >= 10 {
                    text[length] = b'0' + octet / 10 % 10;
                    length += 1;
                }
                text[length] = b'0' + octet % 10;
                length += 1;
            }
            std::str::from_utf8(&text[..length])
                .map(str::to_owned)
                .unwrap_or_default()
        }
        IpAddr::V6(_) => address.to_string(),
    }
}

/// Appends `value` in decimal.
fn push_decimal(text: &mut String, mut value: u64) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    text.push_str(std::str::from_utf8(&digits[start..]).unwrap_or_default());
}

fn min_some(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn max_some(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

impl Sink for Analysis<'_> {
    fn record(&mut self, record: &FlowRecord<'_>, position: Position<'_>) {
        self.counts.records += 1;
        match record.log_status {
            Some(LogStatus::NoData) => {
                self.counts.nodata += 1;
                return;
            }
            Some(LogStatus::SkipData) => {
                self.counts.skipdata += 1;
                return;
            }
            Some(LogStatus::Ok) | None => {}
        }
        let (Some(source), Some(destination)) = (record.source(), record.destination()) else {
            return;
        };
        if record.action == Some(FlowAction::Reject) {
            self.counts.rejected += 1;
            return;
        }
        if self.duplicate(record, source, destination) {
            self.counts.duplicates += 1;
            return;
        }
        // Records without an action field are taken as accepted: a flow log may capture
        // accepted traffic only.
        self.counts.accepted += 1;
        self.accepted(record, source, destination, position);
    }

    fn problem(&mut self, diagnostic: Diagnostic) {
        self.counts.malformed += 1;
        if self.problems.len() < self.keep_problems {
            self.problems.push(diagnostic);
        }
    }
}
