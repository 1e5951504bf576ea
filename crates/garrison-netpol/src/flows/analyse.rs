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
use std::sync::Arc;

use foldhash::fast::{FixedState, RandomState};

use garrison_core::Diagnostic;
use serde::{Serialize, Serializer};

use super::attribute::{AddressKey, Attribution, Endpoint};
use super::reader::{FlowAction, FlowDirection, FlowRecord, LogStatus, Position, Sink};
use crate::conn::{ConnSet, Protocol};
use crate::eval::{Analyzer, Direction, Peer};

/// Slots of the duplicate table (8 bytes each: 2 MiB, a size caches keep).
const DEDUPE_SLOTS: usize = 1 << 18;
/// The low bits of a duplicate table slot, which identify the interface that logged a flow.
const OBSERVER_BITS: u64 = (1 << 24) - 1;
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
    fn add(&mut self, record: &Flow) {
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

/// A party's name in the report (`shop/web[Deployment]`, `{external}`, ...): shared by every
/// entry that names the party.
pub type Name = Arc<str>;

/// Where a record was read: a line of a file, or an event of a CloudWatch Logs document.
/// Serialised as its text (`flows.log:13`, `events.json (event 12)`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordRef {
    pub file: Arc<str>,
    pub line: u64,
    /// Whether `line` counts CloudWatch Logs events rather than lines.
    pub event: bool,
}

impl std::fmt::Display for RecordRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        Position {
            file: &self.file,
            line: self.line,
            event: self.event,
        }
        .fmt(f)
    }
}

impl Serialize for RecordRef {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// An accepted flow the NetworkPolicies deny.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct DeniedFlow {
    pub client: Name,
    pub server: Name,
    /// An address of each end, as seen in a record.
    pub client_address: IpAddr,
    pub server_address: IpAddr,
    pub protocol: &'static str,
    pub port: u16,
    /// Whether TCP flags showed who opened the connection (otherwise neither direction is
    /// allowed on the ports seen).
    pub oriented_by_flags: bool,
    pub traffic: Traffic,
    /// Where the first record was read.
    pub first_record: RecordRef,
}

/// Traffic from a pod to the instance metadata service.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct MetadataFlow {
    pub workload: Name,
    pub address: IpAddr,
    pub traffic: Traffic,
    pub first_record: RecordRef,
}

/// A workload's share of the traffic.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Talker {
    pub workload: Name,
    pub bytes_out: u64,
    pub bytes_in: u64,
    pub packets_out: u64,
    pub packets_in: u64,
    /// The peers it exchanged the most bytes with (up to five), and those bytes.
    pub top_peers: Vec<(Name, u64)>,
}

/// One edge of the communication graph: a client and a server, the server's ports.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Edge {
    pub client: Name,
    pub server: Name,
    /// Namespaces of the ends, when they are workloads (for grouping in the graph).
    pub client_namespace: Option<Name>,
    pub server_namespace: Option<Name>,
    /// `TCP 5432`, ... (at most eight; `more_ports` counts the rest).
    pub ports: Vec<PortLabel>,
    pub more_ports: usize,
    pub traffic: Traffic,
    /// Whether some of this traffic is denied by the policies.
    pub denied: bool,
}

/// A protocol and port of a graph edge, shown (and serialised) as `TCP 5432`, or the protocol
/// alone when the record had no port.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PortLabel {
    /// The IANA protocol number, 0 when the record had none.
    pub protocol: u8,
    pub port: u16,
}

impl std::fmt::Display for PortLabel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&protocol_name(self.protocol))?;
        if self.port != 0 {
            write!(f, " {}", self.port)?;
        }
        Ok(())
    }
}

impl Serialize for PortLabel {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// The report's slot of each party, by kind and index (parties are small indices: no hashing).
#[derive(Debug, Default)]
struct PartySlots {
    /// By the variant of the party (`Endpoint::word`'s upper half), then its index.
    by_kind: [Vec<u32>; 7],
}

impl PartySlots {
    fn place(party: Party) -> (usize, usize) {
        let word = party.word();
        ((word >> 32) as usize, word as u32 as usize)
    }

    /// The slot of `party`, `UNKNOWN` until set.
    fn slot(&mut self, party: Party) -> &mut u32 {
        let (kind, index) = PartySlots::place(party);
        let slots = &mut self.by_kind[kind];
        if index >= slots.len() {
            slots.resize(index + 1, UNKNOWN);
        }
        &mut slots[index]
    }

    fn get(&self, party: Party) -> Option<u32> {
        let (kind, index) = PartySlots::place(party);
        self.by_kind
            .get(kind)
            .and_then(|slots| slots.get(index))
            .copied()
            .filter(|slot| *slot != UNKNOWN)
    }
}

/// An address inside the VPC nothing in the snapshot has.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Unattributed {
    pub address: IpAddr,
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

/// The traffic of one flow key (client, server, protocol, port).
#[derive(Debug)]
struct EdgeStats {
    traffic: Traffic,
    /// Index into `Analysis::denied` of this key's denied traffic, `NOT_DENIED` if none.
    denied: u32,
    /// Whether the key has both denied and other records. Until it has, its denied traffic is
    /// `traffic` (most keys: the verdict rarely differs between records of one key), so a
    /// record does not also update the `DeniedStats`, which lie elsewhere in memory.
    mixed: bool,
}

const NOT_DENIED: u32 = u32::MAX;

impl Default for EdgeStats {
    fn default() -> EdgeStats {
        EdgeStats {
            traffic: Traffic::default(),
            denied: NOT_DENIED,
            mixed: false,
        }
    }
}

/// A denied key's flow: the rest of what the report shows of it (its traffic is its edge's, or
/// in `Analysis::mixed_traffic`).
#[derive(Debug)]
struct DeniedStats {
    client_address: IpAddr,
    server_address: IpAddr,
    oriented_by_flags: bool,
    first_record: RecordRef,
}

#[derive(Debug, Default, Clone, Copy)]
struct TalkerStats {
    bytes_out: u64,
    bytes_in: u64,
    packets_out: u64,
    packets_in: u64,
}

/// The verdicts between workloads, both directions of a pair in one place: a dense matrix for
/// clusters up to `DENSE_PODS` workloads (an index, no hashing), a hash map above. Each entry
/// is an index into `Analysis::conn_sets`, `UNKNOWN` until first needed.
#[derive(Debug)]
enum PodVerdicts {
    Dense { pods: usize, ids: Vec<u32> },
    Sparse(FastMap<(u32, u32), u32>),
}

/// Workloads up to which the pod verdicts are a matrix (2,048² entries are 16 MiB).
const DENSE_PODS: usize = 2048;
const UNKNOWN: u32 = u32::MAX;
/// The index in `Analysis::conn_sets` of the empty set, put there first.
const NOTHING_ALLOWED: u32 = 0;

impl PodVerdicts {
    fn new(pods: usize) -> PodVerdicts {
        if pods <= DENSE_PODS {
            PodVerdicts::Dense {
                pods,
                ids: vec![UNKNOWN; pods * pods],
            }
        } else {
            PodVerdicts::Sparse(FastMap::default())
        }
    }

    /// The cached id of `client` → `server`, `UNKNOWN` if not computed yet.
    #[inline]
    fn get(&self, client: u32, server: u32) -> u32 {
        match self {
            PodVerdicts::Dense { pods, ids } => ids
                .get(client as usize * pods + server as usize)
                .copied()
                .unwrap_or(UNKNOWN),
            PodVerdicts::Sparse(map) => map.get(&(client, server)).copied().unwrap_or(UNKNOWN),
        }
    }

    fn set(&mut self, client: u32, server: u32, id: u32) {
        match self {
            PodVerdicts::Dense { pods, ids } => {
                if let Some(slot) = ids.get_mut(client as usize * *pods + server as usize) {
                    *slot = id;
                }
            }
            PodVerdicts::Sparse(map) => {
                map.insert((client, server), id);
            }
        }
    }
}

/// Records held back before they are analysed together (see `Analysis::flush`).
const BATCH: usize = 64;

/// What the analysis keeps of an accepted record until it is analysed.
#[derive(Clone, Copy, Debug)]
struct Flow {
    source: IpAddr,
    destination: IpAddr,
    srcport: Option<u16>,
    dstport: Option<u16>,
    protocol: Option<u8>,
    packets: u64,
    bytes: u64,
    start: Option<u64>,
    end: Option<u64>,
    tcp_flags: Option<u16>,
    /// The record's slot in the duplicate table and what the slot holds for it.
    dedupe: Option<(u32, u64)>,
    line: u64,
    event: bool,
}

/// The analysis of a stream of records; feed it with [`super::reader`] and [`Analysis::finish`].
#[derive(Debug)]
pub struct Analysis<'a> {
    analyzer: &'a Analyzer<'a>,
    attribution: &'a Attribution,
    /// What the policies allow from a client to a server: an index into `conn_sets`, which
    /// holds each distinct set once (a cluster has few), so a record costs one lookup.
    verdicts: FastMap<PeerPair, u32>,
    /// The same between two workloads (not hostNetwork), by workload index.
    pod_verdicts: PodVerdicts,
    conn_sets: Vec<ConnSet>,
    conn_set_ids: FastMap<ConnSet, u32>,
    edges: FastMap<FlowKey, EdgeStats>,
    denied: Vec<DeniedStats>,
    /// The denied traffic of keys with both denied and other records, by index into `denied`.
    mixed_traffic: FastMap<u32, Traffic>,
    metadata: FastMap<(u32, IpAddr), (Traffic, RecordRef)>,
    /// By workload index.
    talkers: Vec<Option<TalkerStats>>,
    unattributed: FastMap<AddressKey, u64>,
    unattributed_records: u64,
    dedupe: Vec<u64>,
    /// Accepted records not analysed yet, all read from `batch_file`.
    batch: Vec<Flow>,
    batch_file: String,
    hasher: FixedState,
    /// The name of the file records were last kept from, shared by their `RecordRef`s.
    file: Option<Arc<str>>,
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
            pod_verdicts: PodVerdicts::new(analyzer.cluster.pods.len()),
            conn_sets: vec![ConnSet::none()],
            conn_set_ids: FastMap::from_iter([(ConnSet::none(), NOTHING_ALLOWED)]),
            edges: FastMap::default(),
            denied: Vec::new(),
            mixed_traffic: FastMap::default(),
            metadata: FastMap::default(),
            talkers: Vec::new(),
            unattributed: FastMap::default(),
            unattributed_records: 0,
            dedupe: vec![0; DEDUPE_SLOTS],
            batch: Vec::with_capacity(BATCH),
            batch_file: String::new(),
            hasher: FixedState::with_seed(DEDUPE_SEED),
            file: None,
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

    /// Where a record goes in the duplicate table: its slot, and what the slot holds for it
    /// (`None` when nothing tells the two ends' records apart).
    fn dedupe_slot(
        &self,
        record: &FlowRecord<'_>,
        source: IpAddr,
        destination: IpAddr,
    ) -> Option<(u32, u64)> {
        let observer = match (record.interface_id, record.flow_direction) {
            (Some(interface), _) => self.hasher.hash_one(interface) | 1,
            (None, Some(FlowDirection::Ingress)) => 2,
            (None, Some(FlowDirection::Egress)) => 4,
            (None, None) => return None,
        };
        // Ports and protocol in one word, an absent value distinct from every present one.
        let numbers = record.srcport.map_or(1 << 16, u64::from)
            | (record.dstport.map_or(1 << 16, u64::from) << 17)
            | (record.protocol.map_or(1 << 8, u64::from) << 34);
        let flow = self
            .hasher
            .hash_one((AddressKey(source), AddressKey(destination), numbers));
        // A slot holds the flow's tag (the hash's top 40 bits, the top one set so that no tag
        // is an empty slot's) above the observer's 24 bits (never all zero). The slot index
        // comes from the hash's low bits, which the tag does not use.
        let tag = (flow | (1 << 63)) & !OBSERVER_BITS;
        let slot = (flow as usize) & (DEDUPE_SLOTS - 1);
        Some((slot as u32, tag | (observer & OBSERVER_BITS)))
    }

    /// Whether this record was already counted from the other end's interface; if not, the
    /// table remembers it.
    fn duplicate(&mut self, flow: &Flow) -> bool {
        let Some((slot, entry)) = flow.dedupe else {
            return false;
        };
        let Some(slot) = self.dedupe.get_mut(slot as usize) else {
            return false;
        };
        if *slot & !OBSERVER_BITS == entry & !OBSERVER_BITS {
            return *slot & OBSERVER_BITS != entry & OBSERVER_BITS;
        }
        *slot = entry;
        false
    }

    /// Analyses the records held back: their duplicate table slots are read first, all at
    /// once, so that the memory accesses overlap instead of waiting one after another (the
    /// table is larger than the caches), then each record in the order it was read.
    fn flush(&mut self) {
        let mut batch = std::mem::take(&mut self.batch);
        let mut touched = 0u64;
        for flow in &batch {
            if let Some((slot, _)) = flow.dedupe {
                touched ^= self.dedupe.get(slot as usize).copied().unwrap_or(0);
            }
        }
        std::hint::black_box(touched);
        let file = std::mem::take(&mut self.batch_file);
        for flow in &batch {
            if self.duplicate(flow) {
                self.counts.duplicates += 1;
                continue;
            }
            // Records without an action field are taken as accepted: a flow log may capture
            // accepted traffic only.
            self.counts.accepted += 1;
            let position = Position {
                file: &file,
                line: flow.line,
                event: flow.event,
            };
            self.accepted(flow, position);
        }
        self.batch_file = file;
        batch.clear();
        self.batch = batch;
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
        let id = match (client, server) {
            (Peer::Pod(a), Peer::Pod(b)) => {
                let (a, b) = (a as u32, b as u32);
                match self.pod_verdicts.get(a, b) {
                    UNKNOWN => {
                        let id = self.conn_set_id(client, server);
                        self.pod_verdicts.set(a, b, id);
                        id
                    }
                    id => id,
                }
            }
            _ => match self.verdicts.get(&PeerPair(client, server)) {
                Some(id) => *id,
                None => {
                    let id = self.conn_set_id(client, server);
                    self.verdicts.insert(PeerPair(client, server), id);
                    id
                }
            },
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

    /// What the policies allow from `client` to `server`, as an index into `conn_sets`.
    fn conn_set_id(&mut self, client: Peer, server: Peer) -> u32 {
        let allowed = self.analyzer.allowed(client, server);
        // Most pairs of a cluster with policies allow nothing: no need to hash their set.
        if allowed.is_empty() {
            return NOTHING_ALLOWED;
        }
        let next = self.conn_sets.len() as u32;
        *self
            .conn_set_ids
            .entry(allowed)
            .or_insert_with_key(|allowed| {
                self.conn_sets.push(allowed.clone());
                next
            })
    }

    fn accepted(&mut self, record: &Flow, position: Position<'_>) {
        let (source, destination) = (record.source, record.destination);
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
                .or_insert_with(|| (Traffic::default(), record_ref(&mut self.file, position)));
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
        match (denied == Verdict::Denied, edge.denied) {
            (true, NOT_DENIED) => {
                // Mixed if records of the key came before that were not denied.
                edge.mixed = edge.traffic.records > 0;
                edge.denied = self.denied.len() as u32;
                if edge.mixed {
                    let mut traffic = Traffic::default();
                    traffic.add(record);
                    self.mixed_traffic.insert(edge.denied, traffic);
                }
                self.denied.push(DeniedStats {
                    client_address,
                    server_address,
                    oriented_by_flags: flags.is_some(),
                    first_record: record_ref(&mut self.file, position),
                });
            }
            (true, index) => {
                if edge.mixed {
                    self.mixed_traffic.entry(index).or_default().add(record);
                }
            }
            (false, NOT_DENIED) => {}
            (false, index) => {
                // The first record of a denied key that is not denied: its denied traffic is
                // the traffic so far, kept apart from now on.
                if !edge.mixed {
                    self.mixed_traffic.insert(index, edge.traffic.clone());
                    edge.mixed = true;
                }
            }
        }
        edge.traffic.add(record);
    }

    /// The report, in a stable order: denied flows and graph edges by client name, server
    /// name, protocol (SCTP, TCP, UDP, then the others by number) and port.
    pub fn finish(mut self) -> FlowReport {
        self.flush();
        let edges: Vec<(FlowKey, EdgeStats)> =
            std::mem::take(&mut self.edges).into_iter().collect();
        let mut mixed_traffic = std::mem::take(&mut self.mixed_traffic);
        let mut denied_stats: Vec<Option<DeniedStats>> = std::mem::take(&mut self.denied)
            .into_iter()
            .map(Some)
            .collect();
        // Every party of the report is an end of some edge (each accepted record makes one);
        // each is named once, and the names are shared by every entry showing them.
        let mut slots = PartySlots::default();
        let mut parties: Vec<Party> = Vec::new();
        let mut slot_of = |party: Party| -> u32 {
            let slot = slots.slot(party);
            if *slot == UNKNOWN {
                parties.push(party);
                *slot = (parties.len() - 1) as u32;
            }
            *slot
        };
        let ends: Vec<(u32, u32)> = edges
            .iter()
            .map(|(key, _)| (slot_of(key.client), slot_of(key.server)))
            .collect();
        let names: Vec<Name> = parties.iter().map(|party| self.name(*party)).collect();
        let mut namespace_names: FastMap<&str, Name> = FastMap::default();
        let namespaces: Vec<Option<Name>> = parties
            .iter()
            .map(|party| {
                let namespace = self.namespace(*party)?;
                Some(
                    namespace_names
                        .entry(namespace)
                        .or_insert_with(|| Name::from(namespace))
                        .clone(),
                )
            })
            .collect();
        // Parties ranked by name, then by party (unique ranks), to sort without comparing
        // strings.
        let mut by_name: Vec<u32> = (0..parties.len() as u32).collect();
        by_name.sort_unstable_by(|a, b| {
            let (a, b) = (*a as usize, *b as usize);
            names[a].cmp(&names[b]).then(parties[a].cmp(&parties[b]))
        });
        let mut rank = vec![0u32; parties.len()];
        for (position, slot) in by_name.iter().enumerate() {
            rank[*slot as usize] = position as u32;
        }
        let name_of = |party: Party| -> Name {
            match slots.get(party) {
                Some(slot) => names[slot as usize].clone(),
                None => self.name(party),
            }
        };
        let mut order: Vec<(u128, u32)> = edges
            .iter()
            .zip(&ends)
            .enumerate()
            .map(|(index, ((key, _), (client, server)))| {
                let order = (u128::from(rank[*client as usize]) << 96)
                    | (u128::from(rank[*server as usize]) << 64)
                    | (protocol_order(key.protocol) << 16)
                    | u128::from(key.port);
                (order, index as u32)
            })
            .collect();
        // A radix sort: the keys are integers, and only their bytes that differ are sorted on.
        radsort::sort_by_key(&mut order, |(order, _)| *order);
        // One pass in that order gives the denied flows and the graph, which joins the ports of
        // a client and server into one edge.
        let mut denied: Vec<DeniedFlow> = Vec::with_capacity(denied_stats.len());
        // At most one graph edge per key.
        let mut joined: Vec<Edge> = Vec::with_capacity(edges.len());
        let mut joined_ends: Vec<(u32, u32)> = Vec::with_capacity(edges.len());
        for (_, index) in order {
            let index = index as usize;
            let (Some((key, stats)), Some(&(client, server))) = (edges.get(index), ends.get(index))
            else {
                continue;
            };
            if joined_ends.last() != Some(&(client, server)) {
                joined_ends.push((client, server));
                joined.push(Edge {
                    client: names[client as usize].clone(),
                    server: names[server as usize].clone(),
                    client_namespace: namespaces[client as usize].clone(),
                    server_namespace: namespaces[server as usize].clone(),
                    // Most edges have one port.
                    ports: Vec::with_capacity(1),
                    more_ports: 0,
                    traffic: Traffic::default(),
                    denied: false,
                });
            }
            let Some(edge) = joined.last_mut() else {
                continue;
            };
            if edge.ports.len() < EDGE_PORTS {
                edge.ports.push(PortLabel {
                    protocol: key.protocol,
                    port: key.port,
                });
            } else {
                edge.more_ports += 1;
            }
            edge.traffic.records += stats.traffic.records;
            edge.traffic.bytes += stats.traffic.bytes;
            edge.traffic.packets += stats.traffic.packets;
            edge.traffic.first_seen = min_some(edge.traffic.first_seen, stats.traffic.first_seen);
            edge.traffic.last_seen = max_some(edge.traffic.last_seen, stats.traffic.last_seen);
            if let Some(flow) = denied_stats
                .get_mut(stats.denied as usize)
                .and_then(Option::take)
            {
                edge.denied = true;
                denied.push(DeniedFlow {
                    client: edge.client.clone(),
                    server: edge.server.clone(),
                    client_address: flow.client_address,
                    server_address: flow.server_address,
                    protocol: denied_protocol(key.protocol),
                    port: key.port,
                    oriented_by_flags: flow.oriented_by_flags,
                    traffic: if stats.mixed {
                        mixed_traffic.remove(&stats.denied).unwrap_or_default()
                    } else {
                        stats.traffic.clone()
                    },
                    first_record: flow.first_record,
                });
            }
        }
        let mut metadata: Vec<MetadataFlow> = self
            .metadata
            .iter()
            .map(|((workload, address), (traffic, first))| MetadataFlow {
                workload: name_of(Endpoint::Workload(*workload)),
                address: *address,
                traffic: traffic.clone(),
                first_record: first.clone(),
            })
            .collect();
        metadata.sort_by(|a, b| (&a.workload, &a.address).cmp(&(&b.workload, &b.address)));
        // Bytes between each two parties (either direction; traffic of a party with itself
        // counts for both of its ends), then each workload's top five peers (most bytes first,
        // then by party).
        let mut pair_bytes: FastMap<(u32, u32), u64> = FastMap::default();
        pair_bytes.reserve(joined.len());
        for ((client, server), edge) in joined_ends.iter().zip(&joined) {
            let pair = ((*client).min(*server), (*client).max(*server));
            let bytes = if client == server {
                2 * edge.traffic.bytes
            } else {
                edge.traffic.bytes
            };
            *pair_bytes.entry(pair).or_insert(0) += bytes;
        }
        // By workload index.
        let mut peers: Vec<Vec<(Party, u64)>> = Vec::new();
        let mut offer = |workload: u32, party: Party, bytes: u64| {
            let index = workload as usize;
            if index >= peers.len() {
                peers.resize_with(index + 1, Vec::new);
            }
            let top = &mut peers[index];
            let before =
                |entry: &(Party, u64)| bytes > entry.1 || (bytes == entry.1 && party < entry.0);
            let at = top.iter().position(before).unwrap_or(top.len());
            if at < 5 {
                top.insert(at, (party, bytes));
                top.truncate(5);
            }
        };
        for ((a, b), bytes) in pair_bytes {
            let (a, b) = (parties[a as usize], parties[b as usize]);
            if let Endpoint::Workload(index) = a {
                offer(index, b, bytes);
            }
            if a != b
                && let Endpoint::Workload(index) = b
            {
                offer(index, a, bytes);
            }
        }
        let mut talkers: Vec<Talker> = self
            .talkers
            .iter()
            .enumerate()
            .filter_map(|(index, stats)| Some((index as u32, (*stats)?)))
            .map(|(index, stats)| {
                let top: Vec<(Party, u64)> = peers
                    .get_mut(index as usize)
                    .map(std::mem::take)
                    .unwrap_or_default();
                Talker {
                    workload: name_of(Endpoint::Workload(index)),
                    bytes_out: stats.bytes_out,
                    bytes_in: stats.bytes_in,
                    packets_out: stats.packets_out,
                    packets_in: stats.packets_in,
                    top_peers: top.into_iter().map(|(p, b)| (name_of(p), b)).collect(),
                }
            })
            .collect();
        talkers.sort_by(|a, b| {
            (b.bytes_out + b.bytes_in)
                .cmp(&(a.bytes_out + a.bytes_in))
                .then_with(|| a.workload.cmp(&b.workload))
        });
        let mut unattributed: Vec<Unattributed> = self
            .unattributed
            .iter()
            .map(|(address, records)| Unattributed {
                address: address.0,
                records: *records,
            })
            .collect();
        // Most records first, then by address (IPv4 before IPv6, as `IpAddr` orders them).
        radsort::sort_by_key(&mut unattributed, |entry| {
            let (family, value) = match entry.address {
                IpAddr::V4(v4) => (0u8, u128::from(u32::from(v4))),
                IpAddr::V6(v6) => (1u8, u128::from(v6)),
            };
            (u64::MAX - entry.records, family, value)
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

    fn name(&self, party: Party) -> Name {
        let text = match party {
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
        };
        Name::from(text)
    }

    fn namespace(&self, party: Party) -> Option<&'a str> {
        match party {
            Endpoint::Workload(index) => self
                .analyzer
                .cluster
                .pods
                .get(index as usize)
                .map(|pod| pod.namespace.as_str()),
            _ => None,
        }
    }
}

/// The order of protocols in the report: by name for those NetworkPolicy knows (SCTP, TCP,
/// UDP), then the others by number.
fn protocol_order(protocol: u8) -> u128 {
    match protocol {
        132 => 0,
        6 => 1,
        17 => 2,
        other => 3 + u128::from(other),
    }
}

fn protocol_name(protocol: u8) -> std::borrow::Cow<'static, str> {
    match protocol {
        6 => "TCP".into(),
        17 => "UDP".into(),
        132 => "SCTP".into(),
        1 => "ICMP".into(),
        58 => "ICMPv6".into(),
        0 => "-".into(),
        other => format!("protocol {other}").into(),
    }
}

/// The protocol of a denied flow: NetworkPolicy verdicts exist for these three only.
fn denied_protocol(protocol: u8) -> &'static str {
    match protocol {
        6 => "TCP",
        17 => "UDP",
        _ => "SCTP",
    }
}

/// Where a record was read; `last` is the file name of the reference made before, shared when
/// the file is the same.
fn record_ref(last: &mut Option<Arc<str>>, position: Position<'_>) -> RecordRef {
    let file = match last {
        Some(file) if **file == *position.file => file.clone(),
        _ => {
            let file: Arc<str> = Arc::from(position.file);
            *last = Some(file.clone());
            file
        }
    };
    RecordRef {
        file,
        line: position.line,
        event: position.event,
    }
}

/// Appends `value` in decimal.
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
        if position.file != self.batch_file {
            self.flush();
            self.batch_file.clear();
            self.batch_file.push_str(position.file);
        }
        let flow = Flow {
            source,
            destination,
            srcport: record.srcport,
            dstport: record.dstport,
            protocol: record.protocol,
            packets: record.packets,
            bytes: record.bytes,
            start: record.start,
            end: record.end,
            tcp_flags: record.tcp_flags,
            dedupe: self.dedupe_slot(record, source, destination),
            line: position.line,
            event: position.event,
        };
        self.batch.push(flow);
        if self.batch.len() >= BATCH {
            self.flush();
        }
    }

    fn problem(&mut self, diagnostic: Diagnostic) {
        self.counts.malformed += 1;
        if self.problems.len() < self.keep_problems {
            self.problems.push(diagnostic);
        }
    }
}
