//! Connections added, removed and changed between two clusters, as netpol-analyzer's `diff`
//! reports them (txt, csv, md).

use std::collections::BTreeMap;

use crate::output::Row;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum DiffKind {
    Changed,
    Added,
    Removed,
}

impl DiffKind {
    pub fn name(self) -> &'static str {
        match self {
            DiffKind::Changed => "changed",
            DiffKind::Added => "added",
            DiffKind::Removed => "removed",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiffRow {
    pub kind: DiffKind,
    pub src: String,
    pub dst: String,
    /// The connections in the old cluster (`No Connections` when added).
    pub old: String,
    /// The connections in the new cluster (`No Connections` when removed).
    pub new: String,
    /// `workload ns/name[Kind] added` when an end exists on one side only.
    pub info: String,
}

/// Pairs whose connections differ, changed first, then added, then removed, each sorted by
/// source and destination. `old_workloads` and `new_workloads` name the workloads of each side,
/// to say which ends were added or removed.
pub fn diff(
    old: &[Row],
    new: &[Row],
    old_workloads: &std::collections::BTreeSet<String>,
    new_workloads: &std::collections::BTreeSet<String>,
) -> Vec<DiffRow> {
    let index = |rows: &[Row]| -> BTreeMap<(String, String), String> {
        rows.iter()
            .map(|row| ((row.src.clone(), row.dst.clone()), row.conn.clone()))
            .collect()
    };
    let (old, new) = align_ranges(old, new);
    let (old, new) = (index(&old), index(&new));
    let none = "No Connections".to_string();
    let mut rows = Vec::new();
    for (key, old_conn) in &old {
        match new.get(key) {
            Some(new_conn) if new_conn == old_conn => {}
            Some(new_conn) => rows.push(row(DiffKind::Changed, key, old_conn, new_conn)),
            None => rows.push(row(DiffKind::Removed, key, old_conn, &none)),
        }
    }
    for (key, new_conn) in &new {
        if !old.contains_key(key) {
            rows.push(row(DiffKind::Added, key, &none, new_conn));
        }
    }
    for row in &mut rows {
        let mut added = Vec::new();
        let mut removed = Vec::new();
        for end in [&row.src, &row.dst] {
            if end.ends_with("[External]") || end.starts_with('{') {
                continue;
            }
            match (old_workloads.contains(end), new_workloads.contains(end)) {
                (false, true) => added.push(end.as_str()),
                (true, false) => removed.push(end.as_str()),
                _ => {}
            }
        }
        row.info = match (added.as_slice(), removed.as_slice()) {
            ([one], []) => format!("workload {one} added"),
            ([a, b], []) => format!("workload {a} and {b} added"),
            ([], [one]) => format!("workload {one} removed"),
            ([], [a, b]) => format!("workload {a} and {b} removed"),
            _ => String::new(),
        };
    }
    // The ingress controller's rows come after the others, as netpol-analyzer appends them.
    rows.sort_by(|a, b| {
        (a.src.starts_with('{'), a.kind, &a.src, &a.dst).cmp(&(
            b.src.starts_with('{'),
            b.kind,
            &b.src,
            &b.dst,
        ))
    });
    rows
}

/// `a.b.c.d-e.f.g.h[External]` as an interval.
fn ip_range(end: &str) -> Option<(u32, u32)> {
    let range = end.strip_suffix("[External]")?;
    let (low, high) = range.split_once('-')?;
    let low: std::net::Ipv4Addr = low.parse().ok()?;
    let high: std::net::Ipv4Addr = high.parse().ok()?;
    Some((u32::from(low), u32::from(high)))
}

/// The workload end and direction of a row with an address range, and the range.
fn range_key(row: &Row) -> Option<((bool, String), (u32, u32))> {
    if let Some(range) = ip_range(&row.src) {
        return Some(((true, row.dst.clone()), range));
    }
    ip_range(&row.dst).map(|range| ((false, row.src.clone()), range))
}

/// Both sides' rows with their address ranges re-cut so that both name the same ranges, as
/// netpol-analyzer does: for each workload and direction, the address space is cut into the
/// largest ranges over which the connections of both sides stay the same (so adjacent ranges
/// with equal connections are joined, and a range is split only where one side's connections
/// change). Rows without an address range are kept as they are.
fn align_ranges(old: &[Row], new: &[Row]) -> (Vec<Row>, Vec<Row>) {
    type Ranges = Vec<(u32, u32, String)>;
    let mut by_key: BTreeMap<(bool, String), (Ranges, Ranges)> = BTreeMap::new();
    let mut out = (Vec::new(), Vec::new());
    for (side, rows) in [(0, old), (1, new)] {
        for row in rows {
            let Some((key, (low, high))) = range_key(row) else {
                let target = if side == 0 { &mut out.0 } else { &mut out.1 };
                target.push(row.clone());
                continue;
            };
            let entry = by_key.entry(key).or_default();
            let ranges = if side == 0 {
                &mut entry.0
            } else {
                &mut entry.1
            };
            ranges.push((low, high, row.conn.clone()));
        }
    }
    for ((ingress, workload), (old_ranges, new_ranges)) in by_key {
        let mut cuts: Vec<u64> = old_ranges
            .iter()
            .chain(&new_ranges)
            .flat_map(|(low, high, _)| [u64::from(*low), u64::from(*high) + 1])
            .collect();
        cuts.sort_unstable();
        cuts.dedup();
        let conn_at = |ranges: &Ranges, address: u64| -> Option<String> {
            ranges
                .iter()
                .find(|(low, high, _)| u64::from(*low) <= address && address <= u64::from(*high))
                .map(|(_, _, conn)| conn.clone())
        };
        // Elementary pieces between consecutive cuts, joined while both sides stay the same.
        let mut pieces: Vec<(u64, u64, Option<String>, Option<String>)> = Vec::new();
        for pair in cuts.windows(2) {
            let (low, end) = (pair[0], pair[1] - 1);
            let conns = (conn_at(&old_ranges, low), conn_at(&new_ranges, low));
            match pieces.last_mut() {
                Some(last) if last.1 + 1 == low && (&last.2, &last.3) == (&conns.0, &conns.1) => {
                    last.1 = end;
                }
                _ => pieces.push((low, end, conns.0, conns.1)),
            }
        }
        for (low, high, old_conn, new_conn) in pieces {
            let (Ok(low), Ok(high)) = (u32::try_from(low), u32::try_from(high)) else {
                continue;
            };
            let range = format!("{}[External]", crate::conn::format_ip_range(low, high));
            let row_with = |conn: String| {
                let (src, dst) = if ingress {
                    (range.clone(), workload.clone())
                } else {
                    (workload.clone(), range.clone())
                };
                Row { src, dst, conn }
            };
            if let Some(conn) = old_conn {
                out.0.push(row_with(conn));
            }
            if let Some(conn) = new_conn {
                out.1.push(row_with(conn));
            }
        }
    }
    out
}

fn row(kind: DiffKind, key: &(String, String), old: &str, new: &str) -> DiffRow {
    DiffRow {
        kind,
        src: key.0.clone(),
        dst: key.1.clone(),
        old: old.to_string(),
        new: new.to_string(),
        info: String::new(),
    }
}

pub fn write_txt(rows: &[DiffRow]) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let mut lines = vec!["Connectivity diff:".to_string()];
    for row in rows {
        let info = if row.info.is_empty() {
            String::new()
        } else {
            format!(", workloads-diff-info: {}", row.info)
        };
        lines.push(format!(
            "diff-type: {}, source: {}, destination: {}, ref1: {}, ref2: {}{info}",
            row.kind.name(),
            row.src,
            row.dst,
            row.old,
            row.new
        ));
    }
    lines.join("\n")
}

pub fn write_csv(rows: &[DiffRow]) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let mut lines = vec!["diff-type,source,destination,ref1,ref2,workloads-diff-info".to_string()];
    for row in rows {
        lines.push(format!(
            "{},{},{},{},{},{}",
            row.kind.name(),
            crate::output::csv_field(&row.src),
            crate::output::csv_field(&row.dst),
            crate::output::csv_field(&row.old),
            crate::output::csv_field(&row.new),
            crate::output::csv_field(&row.info)
        ));
    }
    lines.join("\n")
}

pub fn write_md(rows: &[DiffRow]) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let mut lines = vec![
        "| diff-type | source | destination | ref1 | ref2 | workloads-diff-info |".to_string(),
        "|-----------|--------|-------------|------|------|---------------------|".to_string(),
    ];
    for row in rows {
        lines.push(format!(
            "| {} | {} | {} | {} | {} | {} |",
            row.kind.name(),
            row.src,
            row.dst,
            row.old,
            row.new,
            row.info
        ));
    }
    lines.join("\n")
}

/// One side of a diff: its list rows and the names of its workloads.
pub type Side = (Vec<Row>, std::collections::BTreeSet<String>);

/// The list rows and workload names of one side of a diff.
pub fn side(analyzer: &crate::Analyzer<'_>) -> Side {
    let rows = crate::output::rows(analyzer, &analyzer.connections());
    let workloads = analyzer
        .pods()
        .into_iter()
        .map(|peer| analyzer.display(peer))
        .collect();
    (rows, workloads)
}

/// [`side`] with each network analysed apart (the pod network, primary (Cluster)UserDefinedNetworks,
/// secondary NetworkAttachmentDefinitions with their MultiNetworkPolicies), as netpol-analyzer's
/// `diff` does with `--multiple-networks`: the rows of every network, workloads named without
/// their network. A pair connected on several networks keeps the first network's connections
/// (the pod network, then the others in order).
pub fn side_of_networks(inventory: &garrison_core::Inventory, cluster: &crate::Cluster) -> Side {
    use crate::networks::{NetworkKind, Networks};
    let networks = Networks::of(inventory, cluster);
    let mut rows: Vec<Row> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (index, network) in networks.networks.iter().enumerate() {
        let view = networks.cluster_of(inventory, cluster, index);
        let analyzer = crate::Analyzer::new(&view);
        let mut connections = analyzer.connections();
        if network.kind == NetworkKind::Nad {
            // Secondary networks carry no traffic with external addresses.
            connections.retain(|connection| {
                !matches!(connection.src, crate::Peer::Ip(..))
                    && !matches!(connection.dst, crate::Peer::Ip(..))
            });
        }
        for row in crate::output::rows(&analyzer, &connections) {
            if seen.insert((row.src.clone(), row.dst.clone())) {
                rows.push(row);
            }
        }
    }
    let workloads = cluster
        .pods
        .iter()
        .enumerate()
        .filter(|(index, _)| !cluster.is_ingress_controller(*index))
        .map(|(_, pod)| pod.display())
        .collect();
    (rows, workloads)
}
