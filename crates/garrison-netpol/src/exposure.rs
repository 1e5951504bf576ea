//! Exposure analysis (netpol-analyzer's `list --exposure`): besides the connections between the
//! workloads of the input, which pods a cluster may hold could reach each workload, or be
//! reached by it, as the policies' rules describe them: the entire cluster, namespaces and pods
//! by labels ("representative peers"), external addresses; and which workloads no policy
//! protects in a direction.

use crate::conn::ConnSet;
use crate::eval::{Analyzer, Connection, Direction, Peer};
use crate::output::Focus;

/// The far end of an exposure line.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Other {
    /// Every pod of every namespace.
    EntireCluster,
    /// A representative peer (index into `Cluster::representatives`).
    Rep(usize),
    /// External addresses.
    Ip(u32, u32),
}

/// One line of an exposure section: `pod` is the workload of the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExposureRow {
    pub pod: usize,
    pub other: Other,
    /// The workload, `ns/name[Kind]`.
    pub peer_text: String,
    /// The far end as written: `entire-cluster`, `[all namespaces]/[pod with {k=v}]`, an address range.
    pub other_text: String,
    pub conn: String,
    /// The connections, less any named ports `conn` also shows.
    pub conns: ConnSet,
    /// An unprotected workload's line: always written as all connections.
    pub unprotected: bool,
}

#[derive(Clone, Debug, Default)]
pub struct Exposure {
    /// Sorted by workload, then far end.
    pub egress: Vec<ExposureRow>,
    /// Sorted by workload (the destination), then far end.
    pub ingress: Vec<ExposureRow>,
    /// `ns/name[Kind] is not protected on Egress`, sorted.
    pub unprotected: Vec<String>,
}

impl Exposure {
    pub fn is_empty(&self) -> bool {
        self.egress.is_empty() && self.ingress.is_empty()
    }
}

/// `TCP 8080`, and the named ports the destination could not resolve (`TCP http`).
fn conn_text(conns: &ConnSet, names: &[(Option<crate::Protocol>, String)]) -> String {
    if names.is_empty() || conns.is_all() {
        return conns.to_string();
    }
    let mut names: Vec<(Option<crate::Protocol>, String)> = names.to_vec();
    names.sort_by(|a, b| a.1.cmp(&b.1));
    let mut by_protocol: Vec<(&str, Vec<String>)> = Vec::new();
    let unnamed: Vec<String> = names
        .iter()
        .filter(|(protocol, _)| protocol.is_none())
        .map(|(_, name)| name.clone())
        .collect();
    if !unnamed.is_empty() {
        // An admin policy's namedPort names no protocol.
        by_protocol.push(("", unnamed));
    }
    for protocol in crate::Protocol::ALL {
        let mut items: Vec<String> = conns
            .of(protocol)
            .ranges()
            .iter()
            .map(|(low, high)| {
                if low == high {
                    low.to_string()
                } else {
                    format!("{low}-{high}")
                }
            })
            .collect();
        for (named_protocol, name) in &names {
            if *named_protocol == Some(protocol) {
                items.push(name.clone());
            }
        }
        if !items.is_empty() {
            by_protocol.push((protocol.name(), items));
        }
    }
    by_protocol
        .iter()
        .map(|(protocol, items)| format!("{protocol} {}", items.join(",")))
        .collect::<Vec<_>>()
        .join(",")
}

/// Computes the exposure of every workload the focus selects. `connections` are the list's
/// connections (after the focus), whose lines with external addresses are repeated in the
/// exposure sections.
pub fn analyze(analyzer: &Analyzer<'_>, connections: &[Connection], focus: &Focus) -> Exposure {
    let cluster = analyzer.cluster;
    let mut exposure = Exposure::default();
    let mut exposed = std::collections::HashSet::new();
    let focused =
        |pod: usize| focus.workloads.is_empty() || focus.selects(analyzer, Peer::Pod(pod));
    for pod in 0..cluster.pods.len() {
        if cluster.is_ingress_controller(pod) || !focused(pod) {
            continue;
        }
        let peer_text = analyzer.display(Peer::Pod(pod));
        for direction in [Direction::Egress, Direction::Ingress] {
            if focus.direction.is_some_and(|only| only != direction) && !focus.workloads.is_empty()
            {
                continue;
            }
            let rows = match direction {
                Direction::Egress => &mut exposure.egress,
                Direction::Ingress => &mut exposure.ingress,
            };
            // With --focus-conn only that port is analysed.
            let between = |rep: usize| {
                let conns = match direction {
                    Direction::Egress => analyzer.allowed(Peer::Pod(pod), Peer::Rep(rep)),
                    Direction::Ingress => analyzer.allowed(Peer::Rep(rep), Peer::Pod(pod)),
                };
                match focus.conn {
                    Some((protocol, port)) => {
                        conns.intersect(&ConnSet::ports(protocol, port, port))
                    }
                    None => conns,
                }
            };
            if !analyzer.protected(pod, direction) {
                exposed.insert(pod);
                rows.push(ExposureRow {
                    pod,
                    other: Other::EntireCluster,
                    peer_text: peer_text.clone(),
                    other_text: "entire-cluster".to_string(),
                    conn: ConnSet::all().to_string(),
                    conns: ConnSet::all(),
                    unprotected: true,
                });
                exposure.unprotected.push(format!(
                    "{peer_text} is not protected on {}",
                    direction.name()
                ));
                continue;
            }
            let entire = between(0);
            let entire_names = match direction {
                Direction::Egress => analyzer.named_ports_to(pod, 0),
                Direction::Ingress => Vec::new(),
            };
            if !entire.is_empty() || !entire_names.is_empty() {
                exposed.insert(pod);
                rows.push(ExposureRow {
                    pod,
                    other: Other::EntireCluster,
                    peer_text: peer_text.clone(),
                    other_text: "entire-cluster".to_string(),
                    conn: conn_text(&entire, &entire_names),
                    conns: entire.clone(),
                    unprotected: false,
                });
            }
            for rep in 1..cluster.representatives.len() {
                let conns = between(rep);
                let names = match direction {
                    Direction::Egress => analyzer.named_ports_to(pod, rep),
                    Direction::Ingress => Vec::new(),
                };
                let singled_out =
                    analyzer.admin_singles_out(pod, rep, direction) && conns != entire;
                if !singled_out && (conns.is_empty() && names.is_empty()) {
                    continue;
                }
                if !singled_out && names.is_empty() && conns.subtract(&entire).is_empty() {
                    continue;
                }
                exposed.insert(pod);
                rows.push(ExposureRow {
                    pod,
                    other: Other::Rep(rep),
                    peer_text: peer_text.clone(),
                    other_text: analyzer.display(Peer::Rep(rep)),
                    conn: conn_text(&conns, &names),
                    conns,
                    unprotected: false,
                });
            }
        }
    }
    // The connections with external addresses of every workload listed above.
    for connection in connections {
        let (pod, other, rows) = match (connection.src, connection.dst) {
            (Peer::Pod(pod), Peer::Ip(low, high)) => {
                (pod, Other::Ip(low, high), &mut exposure.egress)
            }
            (Peer::Ip(low, high), Peer::Pod(pod)) => {
                (pod, Other::Ip(low, high), &mut exposure.ingress)
            }
            _ => continue,
        };
        if !exposed.contains(&pod) || connection.conns.is_empty() {
            continue;
        }
        let Other::Ip(low, high) = other else {
            continue;
        };
        rows.push(ExposureRow {
            pod,
            other,
            peer_text: analyzer.display(Peer::Pod(pod)),
            other_text: analyzer.display(Peer::Ip(low, high)),
            conn: connection.conns.to_string(),
            conns: connection.conns.clone(),
            unprotected: false,
        });
    }
    for rows in [&mut exposure.egress, &mut exposure.ingress] {
        rows.sort_by(|a, b| {
            a.peer_text
                .cmp(&b.peer_text)
                .then_with(|| a.other_text.cmp(&b.other_text))
        });
    }
    exposure.unprotected.sort();
    // `--focus-conn`: only what includes that port, written as pairs.
    if let Some((protocol, port)) = focus.conn {
        let only = ConnSet::ports(protocol, port, port);
        for rows in [&mut exposure.egress, &mut exposure.ingress] {
            rows.retain_mut(|row| {
                row.conns = row.conns.intersect(&only);
                if !row.unprotected {
                    row.conn = row.conns.to_string();
                }
                !row.conns.is_empty()
            });
        }
        exposure.unprotected.clear();
    }
    exposure
}
