//! Which connections are allowed between two peers, tier by tier: AdminNetworkPolicies by
//! priority (Allow, Deny, Pass; first match wins), then NetworkPolicies (a union of allows, for
//! pods they isolate), then the BaselineAdminNetworkPolicy (first match wins), then allow.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::conn::{ConnSet, Intervals};
use crate::model::{Action, Cluster, NamespaceSel, PeerSel, Pod, Rule};

/// An endpoint: a workload, or an interval of external IPv4 addresses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Peer {
    Pod(usize),
    Ip(u32, u32),
    /// A representative peer of exposure analysis (index into `Cluster::representatives`).
    Rep(usize),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Ingress,
    Egress,
}

impl Direction {
    pub fn name(self) -> &'static str {
        match self {
            Direction::Ingress => "Ingress",
            Direction::Egress => "Egress",
        }
    }
}

/// Which tier decided part of a connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tier {
    Admin,
    NetworkPolicy,
    Baseline,
    /// No policy of any tier applies in this direction.
    Default,
}

/// One rule (or the absence of one) that decided some connections in one direction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reason {
    pub direction: Direction,
    pub tier: Tier,
    /// `ns/name` for a NetworkPolicy, the name for an admin policy, empty for the default.
    pub policy: String,
    /// `Ingress rule #1`, an admin rule's name, or a description of the default.
    pub rule: String,
    pub action: Action,
    /// The connections this reason decided.
    pub conns: ConnSet,
}

#[derive(Clone, Debug)]
enum Matcher {
    Any,
    /// One bit per pod.
    Pods(Vec<u64>),
    /// External addresses, and the pods (one bit each) whose known addresses lie in them.
    Ips(Intervals, Vec<u64>),
    Nothing,
}

#[derive(Clone, Debug)]
struct CompiledRule {
    matchers: Vec<Matcher>,
    /// The rule's connections when they do not depend on the destination (no named ports).
    fixed: Option<ConnSet>,
}

/// Which peers any rule of a set of NetworkPolicies could match: a cheap first test.
#[derive(Clone, Debug, Default)]
struct Reach {
    /// A rule without peers: every peer.
    any: bool,
    /// A rule with an address peer.
    ips: bool,
    /// Pods some rule's selectors match, one bit each.
    pods: Vec<u64>,
}

impl Reach {
    fn may_match(&self, other: Peer) -> bool {
        self.any
            || match other {
                Peer::Pod(index) => self.pods[index / 64] & (1 << (index % 64)) != 0,
                Peer::Ip(..) => self.ips,
                Peer::Rep(_) => true,
            }
    }
}

#[derive(Clone, Debug, Default)]
struct CompiledPolicy {
    ingress: Vec<CompiledRule>,
    egress: Vec<CompiledRule>,
}

/// A cluster prepared for many questions: which policies select which pods, and which pods
/// each rule's peers match.
#[derive(Debug)]
pub struct Analyzer<'a> {
    pub cluster: &'a Cluster,
    /// The address space split by the CIDRs of every ingress / egress rule, into blocks that
    /// each rule either wholly matches or not.
    ingress_blocks: Vec<(u32, u32)>,
    egress_blocks: Vec<(u32, u32)>,
    np: Vec<CompiledPolicy>,
    admin: Vec<CompiledPolicy>,
    baseline: Option<CompiledPolicy>,
    /// Per pod: NetworkPolicies isolating it for ingress / egress.
    np_ingress: Vec<Vec<usize>>,
    np_egress: Vec<Vec<usize>>,
    /// Per pod: admin policies whose subject it is.
    admin_of: Vec<Vec<usize>>,
    baseline_of: Vec<bool>,
    /// Per direction: for each pod, its reach profile (pods with the same isolating policies
    /// share one), and per profile which peers any rule of those policies could match.
    reach_of: [Vec<usize>; 2],
    reach: [Vec<Reach>; 2],
}

impl<'a> Analyzer<'a> {
    pub fn new(cluster: &'a Cluster) -> Analyzer<'a> {
        Analyzer::build(cluster, true)
    }

    /// [`Analyzer::new`] on the calling thread alone. For callers inside a rayon task that hold
    /// a lock (a `OnceLock` being initialised): waiting for a parallel job there could make the
    /// thread run another task that waits for the same lock.
    pub fn new_sequential(cluster: &'a Cluster) -> Analyzer<'a> {
        Analyzer::build(cluster, false)
    }

    fn build(cluster: &'a Cluster, parallel: bool) -> Analyzer<'a> {
        // Pods by namespace: a peer's namespaces are matched once each, then only their pods.
        let mut by_namespace: std::collections::BTreeMap<&str, Vec<usize>> =
            std::collections::BTreeMap::new();
        for (index, pod) in cluster.pods.iter().enumerate() {
            by_namespace
                .entry(pod.namespace.as_str())
                .or_default()
                .push(index);
        }
        let addressed = cluster.pods.iter().any(|pod| !pod.addresses.is_empty());
        let select = |peer: &PeerSel| -> Vec<u64> {
            let mut selected = vec![0u64; cluster.pods.len().div_ceil(64)];
            let PeerSel::Pods { namespaces, pods } = peer else {
                if let PeerSel::Ips(block) = peer
                    && addressed
                {
                    // Only pods of a secondary network's view have known addresses.
                    for (index, pod) in cluster.pods.iter().enumerate() {
                        if pod.addresses.iter().any(|address| block.contains(*address)) {
                            selected[index / 64] |= 1 << (index % 64);
                        }
                    }
                }
                return selected;
            };
            for (namespace, members) in &by_namespace {
                let namespace_matches = match namespaces {
                    NamespaceSel::Named(name) => name == namespace,
                    NamespaceSel::Selector(selector) => {
                        selector.is_everything()
                            || cluster
                                .namespace_labels(namespace)
                                .is_some_and(|labels| selector.matches(labels))
                    }
                };
                if !namespace_matches {
                    continue;
                }
                for &index in members {
                    if pods.matches(&cluster.pods[index].labels) {
                        selected[index / 64] |= 1 << (index % 64);
                    }
                }
            }
            selected
        };
        let compile_rules = |rules: &[Rule]| -> Vec<CompiledRule> {
            rules
                .iter()
                .map(|rule| CompiledRule {
                    matchers: match &rule.peers {
                        None => vec![Matcher::Any],
                        Some(peers) => peers
                            .iter()
                            .map(|peer| match peer {
                                PeerSel::Pods { .. } => Matcher::Pods(select(peer)),
                                PeerSel::Ips(intervals) => {
                                    Matcher::Ips(intervals.clone(), select(peer))
                                }
                                PeerSel::Nothing => Matcher::Nothing,
                            })
                            .collect(),
                    },
                    fixed: match &rule.ports {
                        Some(ports)
                            if ports
                                .iter()
                                .any(|p| matches!(p, crate::model::PortSpec::Named { .. })) =>
                        {
                            None
                        }
                        _ => Some(rule.conns(None)),
                    },
                })
                .collect()
        };
        let compile = |policy: &crate::model::NetPol| CompiledPolicy {
            ingress: compile_rules(&policy.ingress),
            egress: compile_rules(&policy.egress),
        };
        let np: Vec<CompiledPolicy> = if parallel {
            cluster.policies.par_iter().map(compile).collect()
        } else {
            cluster.policies.iter().map(compile).collect()
        };
        let admin: Vec<CompiledPolicy> = cluster
            .admin
            .iter()
            .map(|policy| CompiledPolicy {
                ingress: compile_rules(&policy.ingress),
                egress: compile_rules(&policy.egress),
            })
            .collect();
        let baseline = cluster.baseline.as_ref().map(|policy| CompiledPolicy {
            ingress: compile_rules(&policy.ingress),
            egress: compile_rules(&policy.egress),
        });
        let mut np_ingress = vec![Vec::new(); cluster.pods.len()];
        let mut np_egress = vec![Vec::new(); cluster.pods.len()];
        for (index, policy) in cluster.policies.iter().enumerate() {
            let members = by_namespace.get(policy.namespace.as_str());
            for &pod_index in members.into_iter().flatten() {
                let pod = &cluster.pods[pod_index];
                if policy.selector.matches(&pod.labels) {
                    if policy.isolates_ingress {
                        np_ingress[pod_index].push(index);
                    }
                    if policy.isolates_egress {
                        np_egress[pod_index].push(index);
                    }
                }
            }
        }
        let admin_of: Vec<Vec<usize>> = cluster
            .pods
            .iter()
            .map(|pod| {
                cluster
                    .admin
                    .iter()
                    .enumerate()
                    .filter(|(_, policy)| cluster.peer_selects(&policy.subject, pod))
                    .map(|(index, _)| index)
                    .collect()
            })
            .collect();
        let baseline_of: Vec<bool> = cluster
            .pods
            .iter()
            .map(|pod| {
                cluster
                    .baseline
                    .as_ref()
                    .is_some_and(|policy| cluster.peer_selects(&policy.subject, pod))
            })
            .collect();
        let blocks = |direction: Direction| -> Vec<(u32, u32)> {
            let mut intervals = Vec::new();
            let policies = cluster
                .policies
                .iter()
                .map(|p| (&p.ingress, &p.egress))
                .chain(
                    cluster
                        .admin
                        .iter()
                        .chain(&cluster.baseline)
                        .map(|p| (&p.ingress, &p.egress)),
                );
            for (ingress, egress) in policies {
                let rules = match direction {
                    Direction::Ingress => ingress,
                    Direction::Egress => egress,
                };
                for rule in rules {
                    for peer in rule.peers.iter().flatten() {
                        if let PeerSel::Ips(set) = peer {
                            intervals.push(set.clone());
                        }
                    }
                }
            }
            split_address_space(&intervals)
        };
        let ingress_blocks = blocks(Direction::Ingress);
        let egress_blocks = blocks(Direction::Egress);
        let reach_profiles = |isolating: &Vec<Vec<usize>>, direction: Direction| {
            let mut profiles: HashMap<&[usize], usize> = HashMap::new();
            let mut reach: Vec<Reach> = Vec::new();
            let words = cluster.pods.len().div_ceil(64);
            let of: Vec<usize> = isolating
                .iter()
                .map(|policies| {
                    *profiles.entry(policies.as_slice()).or_insert_with(|| {
                        let mut profile = Reach {
                            pods: vec![0; words],
                            ..Reach::default()
                        };
                        for &index in policies {
                            let rules = match direction {
                                Direction::Ingress => &np[index].ingress,
                                Direction::Egress => &np[index].egress,
                            };
                            for matcher in rules.iter().flat_map(|rule| &rule.matchers) {
                                match matcher {
                                    Matcher::Any => profile.any = true,
                                    Matcher::Nothing => {}
                                    Matcher::Ips(_, selected) | Matcher::Pods(selected) => {
                                        if matches!(matcher, Matcher::Ips(..)) {
                                            profile.ips = true;
                                        }
                                        for (word, bits) in profile.pods.iter_mut().zip(selected) {
                                            *word |= bits;
                                        }
                                    }
                                }
                            }
                        }
                        reach.push(profile);
                        reach.len() - 1
                    })
                })
                .collect();
            (of, reach)
        };
        let (ingress_reach_of, ingress_reach) = reach_profiles(&np_ingress, Direction::Ingress);
        let (egress_reach_of, egress_reach) = reach_profiles(&np_egress, Direction::Egress);
        Analyzer {
            cluster,
            reach_of: [ingress_reach_of, egress_reach_of],
            reach: [ingress_reach, egress_reach],
            ingress_blocks,
            egress_blocks,
            np,
            admin,
            baseline,
            np_ingress,
            np_egress,
            admin_of,
            baseline_of,
        }
    }

    /// Every workload of the input.
    pub fn pods(&self) -> Vec<Peer> {
        (0..self.cluster.pods.len())
            .filter(|pod| !self.cluster.is_ingress_controller(*pod))
            .map(Peer::Pod)
            .collect()
    }

    /// The external address blocks of a direction: the sources of ingress, the destinations
    /// of egress.
    pub fn ip_blocks(&self, direction: Direction) -> &[(u32, u32)] {
        match direction {
            Direction::Ingress => &self.ingress_blocks,
            Direction::Egress => &self.egress_blocks,
        }
    }

    pub fn pod(&self, peer: Peer) -> Option<&Pod> {
        match peer {
            Peer::Pod(index) => self.cluster.pods.get(index),
            Peer::Ip(..) | Peer::Rep(_) => None,
        }
    }

    /// `ns/name[Kind]` or `a.b.c.d-e.f.g.h[External]`.
    pub fn display(&self, peer: Peer) -> String {
        match peer {
            Peer::Pod(index) if self.cluster.is_ingress_controller(index) => {
                "{ingress-controller}".to_string()
            }
            Peer::Pod(index) => self.cluster.pods[index].display(),
            Peer::Ip(low, high) => format!("{}[External]", crate::conn::format_ip_range(low, high)),
            Peer::Rep(index) => self.cluster.representatives[index].display(),
        }
    }

    /// Whether a pod is isolated in a direction by NetworkPolicies.
    pub fn isolated(&self, pod: usize, direction: Direction) -> bool {
        match direction {
            Direction::Ingress => !self.np_ingress[pod].is_empty(),
            Direction::Egress => !self.np_egress[pod].is_empty(),
        }
    }

    /// The NetworkPolicies isolating `pod` in a direction (indexes into `cluster.policies`).
    pub fn isolating(&self, pod: usize, direction: Direction) -> &[usize] {
        match direction {
            Direction::Ingress => &self.np_ingress[pod],
            Direction::Egress => &self.np_egress[pod],
        }
    }

    /// Whether an AdminNetworkPolicy selects `pod`.
    pub fn admin_applies(&self, pod: usize) -> bool {
        !self.admin_of[pod].is_empty()
    }

    /// Whether any policy of any tier constrains the pod in a direction.
    pub fn protected(&self, pod: usize, direction: Direction) -> bool {
        let admin_rules = |policy: &crate::model::AdminPol| match direction {
            Direction::Ingress => !policy.ingress.is_empty(),
            Direction::Egress => !policy.egress.is_empty(),
        };
        self.isolated(pod, direction)
            || self.admin_of[pod]
                .iter()
                .any(|index| admin_rules(&self.cluster.admin[*index]))
            || (self.baseline_of[pod] && self.cluster.baseline.as_ref().is_some_and(admin_rules))
    }

    /// The connections allowed from `src` to `dst`: `src`'s egress and `dst`'s ingress both
    /// allow them. Traffic between two address blocks is not the cluster's business: none.
    pub fn allowed(&self, src: Peer, dst: Peer) -> ConnSet {
        self.allowed_explained(src, dst, None)
    }

    pub fn allowed_explained(
        &self,
        src: Peer,
        dst: Peer,
        mut reasons: Option<&mut Vec<Reason>>,
    ) -> ConnSet {
        if reasons.is_none()
            && (matches!(dst, Peer::Pod(pod) if self.surely_denied(pod, src, Direction::Ingress))
                || matches!(src, Peer::Pod(pod) if self.surely_denied(pod, dst, Direction::Egress)))
        {
            return ConnSet::none();
        }
        let egress = match src {
            Peer::Pod(pod) => self.direction(pod, dst, Direction::Egress, reasons.as_deref_mut()),
            Peer::Ip(..) | Peer::Rep(_) => ConnSet::all(),
        };
        if egress.is_empty() && reasons.is_none() {
            return egress;
        }
        let ingress = match dst {
            Peer::Pod(pod) => self.direction(pod, src, Direction::Ingress, reasons),
            Peer::Ip(..) if matches!(src, Peer::Ip(..)) => ConnSet::none(),
            Peer::Ip(..) | Peer::Rep(_) => ConnSet::all(),
        };
        egress.intersect(&ingress)
    }

    /// Whether `pod` certainly allows nothing with `other` in `direction`: NetworkPolicies
    /// isolate it, no admin policy applies, and no rule of theirs matches the peer. A cheap
    /// test of bits that spares most pairs of a large cluster any set algebra.
    fn surely_denied(&self, pod: usize, other: Peer, direction: Direction) -> bool {
        if !self.admin_of[pod].is_empty() {
            return false;
        }
        let (isolating, side) = match direction {
            Direction::Ingress => (&self.np_ingress[pod], 0),
            Direction::Egress => (&self.np_egress[pod], 1),
        };
        !isolating.is_empty() && !self.reach[side][self.reach_of[side][pod]].may_match(other)
    }

    fn matches(&self, rule: &CompiledRule, source: &Rule, other: Peer) -> bool {
        if let Peer::Rep(index) = other {
            let rep = &self.cluster.representatives[index];
            return match &source.peers {
                None => true,
                Some(peers) => peers.iter().any(|peer| rep.selected_by(peer)),
            };
        }
        rule.matchers.iter().any(|matcher| match (matcher, other) {
            (Matcher::Any, _) => true,
            (Matcher::Pods(pods), Peer::Pod(index)) => pods[index / 64] & (1 << (index % 64)) != 0,
            (Matcher::Ips(intervals, _), Peer::Ip(low, _)) => intervals.contains(low),
            (Matcher::Ips(_, pods), Peer::Pod(index)) => {
                pods[index / 64] & (1 << (index % 64)) != 0
            }
            _ => false,
        })
    }

    fn rule_conns(
        &self,
        compiled: &CompiledRule,
        rule: &Rule,
        destination: Option<&Pod>,
    ) -> ConnSet {
        match &compiled.fixed {
            Some(set) => set.clone(),
            None => rule.conns(destination),
        }
    }

    /// What `pod`'s policies allow in `direction` with `other` (the source for ingress, the
    /// destination for egress).
    fn direction<'s>(
        &'s self,
        pod: usize,
        other: Peer,
        direction: Direction,
        mut reasons: Option<&mut Vec<Reason>>,
    ) -> ConnSet {
        let cluster = self.cluster;
        // Named ports are the destination's: the selected pod for ingress, the peer for egress.
        let destination = match direction {
            Direction::Ingress => cluster.pods.get(pod),
            Direction::Egress => self.pod(other),
        };
        let pick = |policy: &'s CompiledPolicy| match direction {
            Direction::Ingress => &policy.ingress,
            Direction::Egress => &policy.egress,
        };
        let pick_rules = |ingress: &'s [Rule], egress: &'s [Rule]| match direction {
            Direction::Ingress => ingress,
            Direction::Egress => egress,
        };
        let mut allow = ConnSet::none();
        let mut deny = ConnSet::none();
        let mut decided = ConnSet::none();
        for &index in &self.admin_of[pod] {
            let policy = &cluster.admin[index];
            let rules = pick_rules(&policy.ingress, &policy.egress);
            for (compiled, rule) in pick(&self.admin[index]).iter().zip(rules) {
                if !self.matches(compiled, rule, other) {
                    continue;
                }
                let conns = self
                    .rule_conns(compiled, rule, destination)
                    .subtract(&decided);
                if conns.is_empty() {
                    continue;
                }
                decided.union_with(&conns);
                match rule.action {
                    Action::Allow => allow.union_with(&conns),
                    Action::Deny => deny.union_with(&conns),
                    Action::Pass => {}
                }
                if let Some(reasons) = reasons.as_deref_mut() {
                    reasons.push(Reason {
                        direction,
                        tier: Tier::Admin,
                        policy: policy.name.clone(),
                        rule: rule.name.clone(),
                        action: rule.action,
                        conns,
                    });
                }
            }
        }
        // Without admin policies everything is open to the lower tiers: skip the set algebra,
        // which is most of the cost of a pair.
        let admin_applies = !self.admin_of[pod].is_empty();
        let open = if admin_applies {
            ConnSet::all().subtract(&allow).subtract(&deny)
        } else {
            ConnSet::none()
        };
        if admin_applies && open.is_empty() {
            return allow;
        }
        let isolating = match direction {
            Direction::Ingress => &self.np_ingress[pod],
            Direction::Egress => &self.np_egress[pod],
        };
        let lower = if !isolating.is_empty() {
            let mut np_allow = ConnSet::none();
            for &index in isolating {
                let policy = &cluster.policies[index];
                let rules = pick_rules(&policy.ingress, &policy.egress);
                let mut matched_any = false;
                for (number, (compiled, rule)) in
                    pick(&self.np[index]).iter().zip(rules).enumerate()
                {
                    if !self.matches(compiled, rule, other) {
                        continue;
                    }
                    let conns = self.rule_conns(compiled, rule, destination);
                    if conns.is_empty() {
                        continue;
                    }
                    matched_any = true;
                    if let Some(reasons) = reasons.as_deref_mut() {
                        reasons.push(Reason {
                            direction,
                            tier: Tier::NetworkPolicy,
                            policy: policy.display(),
                            rule: format!("{} rule #{}", direction.name(), number + 1),
                            action: Action::Allow,
                            conns: if admin_applies {
                                conns.intersect(&open)
                            } else {
                                conns.clone()
                            },
                        });
                    }
                    np_allow.union_with(&conns);
                }
                if !matched_any && let Some(reasons) = reasons.as_deref_mut() {
                    reasons.push(Reason {
                        direction,
                        tier: Tier::NetworkPolicy,
                        policy: policy.display(),
                        rule: "isolates the pod; no rule of it matches this peer".to_string(),
                        action: Action::Deny,
                        conns: ConnSet::none(),
                    });
                }
            }
            np_allow
        } else if self.baseline_of[pod]
            && let (Some(policy), Some(compiled)) = (&cluster.baseline, &self.baseline)
        {
            let rules = pick_rules(&policy.ingress, &policy.egress);
            let mut banp_decided = ConnSet::none();
            let mut banp_deny = ConnSet::none();
            for (compiled, rule) in pick(compiled).iter().zip(rules) {
                if !self.matches(compiled, rule, other) {
                    continue;
                }
                let conns = self
                    .rule_conns(compiled, rule, destination)
                    .subtract(&banp_decided);
                if conns.is_empty() {
                    continue;
                }
                banp_decided.union_with(&conns);
                if rule.action == Action::Deny {
                    banp_deny.union_with(&conns);
                }
                if let Some(reasons) = reasons.as_deref_mut() {
                    reasons.push(Reason {
                        direction,
                        tier: Tier::Baseline,
                        policy: policy.name.clone(),
                        rule: rule.name.clone(),
                        action: rule.action,
                        conns: if admin_applies {
                            conns.intersect(&open)
                        } else {
                            conns.clone()
                        },
                    });
                }
            }
            ConnSet::all().subtract(&banp_deny)
        } else {
            ConnSet::all()
        };
        if let Some(reasons) = reasons
            && isolating.is_empty()
        {
            let open = if admin_applies {
                open.clone()
            } else {
                ConnSet::all()
            };
            let rest = open.subtract(&reasons_conns(reasons, direction));
            if !rest.is_empty() {
                reasons.push(Reason {
                    direction,
                    tier: Tier::Default,
                    policy: String::new(),
                    rule: "no policy isolates the pod: allowed by default".to_string(),
                    action: Action::Allow,
                    conns: rest,
                });
            }
        }
        if admin_applies {
            allow.union(&open.intersect(&lower))
        } else {
            lower
        }
    }

    /// What `pod`'s ingress allows from `src`, whatever `src`'s egress says.
    pub fn ingress_allowed(&self, src: Peer, pod: usize) -> ConnSet {
        self.direction(pod, src, Direction::Ingress, None)
    }

    /// What `pod`'s egress allows to `dst`, whatever `dst`'s ingress says.
    pub fn egress_allowed(&self, pod: usize, dst: Peer) -> ConnSet {
        self.direction(pod, dst, Direction::Egress, None)
    }
}

fn reasons_conns(reasons: &[Reason], direction: Direction) -> ConnSet {
    let mut set = ConnSet::none();
    for reason in reasons.iter().filter(|r| r.direction == direction) {
        set.union_with(&reason.conns);
    }
    set
}

/// Splits 0.0.0.0-255.255.255.255 at every boundary of the given intervals.
pub fn split_address_space(intervals: &[Intervals]) -> Vec<(u32, u32)> {
    let mut starts: Vec<u64> = vec![0];
    for set in intervals {
        for (low, high) in set.ranges() {
            starts.push(u64::from(*low));
            starts.push(u64::from(*high) + 1);
        }
    }
    starts.sort_unstable();
    starts.dedup();
    let end = u64::from(u32::MAX) + 1;
    starts.retain(|start| *start < end);
    let mut blocks = Vec::with_capacity(starts.len());
    for (index, start) in starts.iter().enumerate() {
        let next = starts.get(index + 1).copied().unwrap_or(end);
        blocks.push((*start as u32, (next - 1) as u32));
    }
    blocks
}

/// One allowed connection of the list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Connection {
    pub src: Peer,
    pub dst: Peer,
    pub conns: ConnSet,
}

impl Analyzer<'_> {
    /// Every allowed connection between two different peers, at least one of them a workload.
    pub fn connections(&self) -> Vec<Connection> {
        let count = self.cluster.pods.len();
        let controller = self.cluster.ingress_controller;
        // What a pod's egress allows to an address block depends only on which policies apply
        // to it (named ports never match addresses): compute it once per set of policies.
        let mut profiles: HashMap<(&[usize], &[usize], bool), usize> = HashMap::new();
        let mut representatives: Vec<usize> = Vec::new();
        let profile_of: Vec<usize> = (0..count)
            .map(|pod| {
                let key = (
                    self.np_egress[pod].as_slice(),
                    self.admin_of[pod].as_slice(),
                    self.baseline_of[pod],
                );
                *profiles.entry(key).or_insert_with(|| {
                    representatives.push(pod);
                    representatives.len() - 1
                })
            })
            .collect();
        let to_blocks: Vec<Vec<ConnSet>> = representatives
            .par_iter()
            .map(|&pod| {
                self.egress_blocks
                    .iter()
                    .map(|(low, high)| self.allowed(Peer::Pod(pod), Peer::Ip(*low, *high)))
                    .collect()
            })
            .collect();
        let mut connections: Vec<Connection> = (0..count)
            .into_par_iter()
            .filter(|pod| controller != Some(*pod))
            .flat_map_iter(|pod| {
                let src = Peer::Pod(pod);
                let to_pods = (0..count)
                    .filter(move |other| *other != pod && controller != Some(*other))
                    .filter_map(move |other| {
                        let dst = Peer::Pod(other);
                        let conns = self.allowed(src, dst);
                        (!conns.is_empty()).then_some(Connection { src, dst, conns })
                    });
                let blocks = &to_blocks[profile_of[pod]];
                let to_ips = self
                    .egress_blocks
                    .iter()
                    .zip(blocks)
                    .filter(|(_, conns)| !conns.is_empty())
                    .map(move |((low, high), conns)| Connection {
                        src,
                        dst: Peer::Ip(*low, *high),
                        conns: conns.clone(),
                    });
                let incoming = self.ingress_blocks.iter().filter_map(move |(l, h)| {
                    let src = Peer::Ip(*l, *h);
                    let dst = Peer::Pod(pod);
                    let conns = self.allowed(src, dst);
                    (!conns.is_empty()).then_some(Connection { src, dst, conns })
                });
                to_pods.chain(to_ips).chain(incoming)
            })
            .collect();
        // What Ingresses and Routes open, as far as the target's policies let the controller in.
        if let Some(controller) = controller {
            for (pod, opened) in &self.cluster.ingress_targets {
                let src = Peer::Pod(controller);
                let dst = Peer::Pod(*pod);
                let conns = opened.intersect(&self.allowed(src, dst));
                if !conns.is_empty() {
                    connections.push(Connection { src, dst, conns });
                }
            }
        }
        connections
    }
}

impl Analyzer<'_> {
    /// Exposure analysis: whether an admin policy rule of `pod` in `direction` selects the
    /// representative `rep` without selecting the entire cluster, so that the connections
    /// with `rep` may differ from those with the entire cluster.
    pub fn admin_singles_out(&self, pod: usize, rep: usize, direction: Direction) -> bool {
        let cluster = self.cluster;
        let Some(entire) = cluster.representatives.first() else {
            return false;
        };
        let Some(target) = cluster.representatives.get(rep) else {
            return false;
        };
        let policies = self.admin_of[pod]
            .iter()
            .map(|index| &cluster.admin[*index])
            .chain(cluster.baseline.iter().filter(|_| self.baseline_of[pod]));
        policies
            .flat_map(|policy| match direction {
                Direction::Ingress => policy.ingress.iter(),
                Direction::Egress => policy.egress.iter(),
            })
            .flat_map(|rule| rule.peers.iter().flatten())
            .any(|peer| target.selected_by(peer) && !entire.selected_by(peer))
    }

    /// Exposure analysis: the named ports that egress rules of `pod` (NetworkPolicy rules, admin
    /// Allow rules) open towards the representative `rep` (they cannot be resolved: the pods
    /// are not known).
    pub fn named_ports_to(&self, pod: usize, rep: usize) -> Vec<(Option<crate::Protocol>, String)> {
        let mut names = Vec::new();
        let admin = self.admin_of[pod]
            .iter()
            .map(|index| (&self.cluster.admin[*index], &self.admin[*index]));
        let baseline = self
            .cluster
            .baseline
            .iter()
            .zip(&self.baseline)
            .filter(|_| self.baseline_of[pod]);
        for (policy, compiled) in admin.chain(baseline) {
            for (compiled, rule) in compiled.egress.iter().zip(&policy.egress) {
                if rule.action != Action::Allow || !self.matches(compiled, rule, Peer::Rep(rep)) {
                    continue;
                }
                for port in rule.ports.iter().flatten() {
                    if let crate::model::PortSpec::Named { protocol, name } = port
                        && !names.contains(&(*protocol, name.clone()))
                    {
                        names.push((*protocol, name.clone()));
                    }
                }
            }
        }
        for &index in &self.np_egress[pod] {
            let policy = &self.cluster.policies[index];
            for (compiled, rule) in self.np[index].egress.iter().zip(&policy.egress) {
                if !self.matches(compiled, rule, Peer::Rep(rep)) {
                    continue;
                }
                for port in rule.ports.iter().flatten() {
                    if let crate::model::PortSpec::Named { protocol, name } = port
                        && !names.contains(&(*protocol, name.clone()))
                    {
                        names.push((*protocol, name.clone()));
                    }
                }
            }
        }
        names
    }
}
