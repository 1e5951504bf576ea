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
}

/// Pairs whose connections differ, changed first, then added, then removed, each sorted by
/// source and destination.
pub fn diff(old: &[Row], new: &[Row]) -> Vec<DiffRow> {
    let index = |rows: &[Row]| -> BTreeMap<(String, String), String> {
        rows.iter()
            .map(|row| ((row.src.clone(), row.dst.clone()), row.conn.clone()))
            .collect()
    };
    let (old, new) = (index(old), index(new));
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
    rows.sort_by(|a, b| (a.kind, &a.src, &a.dst).cmp(&(b.kind, &b.src, &b.dst)));
    rows
}

fn row(kind: DiffKind, key: &(String, String), old: &str, new: &str) -> DiffRow {
    DiffRow {
        kind,
        src: key.0.clone(),
        dst: key.1.clone(),
        old: old.to_string(),
        new: new.to_string(),
    }
}

pub fn write_txt(rows: &[DiffRow]) -> String {
    let mut lines = vec!["Connectivity diff:".to_string()];
    for row in rows {
        lines.push(format!(
            "diff-type: {}, source: {}, destination: {}, ref1: {}, ref2: {}",
            row.kind.name(),
            row.src,
            row.dst,
            row.old,
            row.new
        ));
    }
    if rows.is_empty() {
        lines.push("No connections diff".to_string());
    }
    lines.join("\n")
}

pub fn write_csv(rows: &[DiffRow]) -> String {
    let mut lines = vec!["diff-type,source,destination,ref1,ref2,workloads-diff-info".to_string()];
    for row in rows {
        lines.push(format!(
            "{},{},{},{},{},",
            row.kind.name(),
            crate::output::csv_field(&row.src),
            crate::output::csv_field(&row.dst),
            crate::output::csv_field(&row.old),
            crate::output::csv_field(&row.new)
        ));
    }
    lines.join("\n")
}

pub fn write_md(rows: &[DiffRow]) -> String {
    let mut lines = vec![
        "| diff-type | source | destination | ref1 | ref2 | workloads-diff-info |".to_string(),
        "|-----------|--------|-------------|------|------|---------------------|".to_string(),
    ];
    for row in rows {
        lines.push(format!(
            "| {} | {} | {} | {} | {} |  |",
            row.kind.name(),
            row.src,
            row.dst,
            row.old,
            row.new
        ));
    }
    lines.join("\n")
}
