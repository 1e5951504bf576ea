//! Connectivity lists in netpol-analyzer's formats (txt, json, csv, md, dot), so that the two
//! tools' outputs compare line by line.

use std::collections::BTreeMap;

use crate::eval::{Analyzer, Connection, Peer};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Txt,
    Json,
    Csv,
    Md,
    Dot,
}

impl Format {
    pub fn parse(text: &str) -> Option<Format> {
        match text {
            "txt" => Some(Format::Txt),
            "json" => Some(Format::Json),
            "csv" => Some(Format::Csv),
            "md" => Some(Format::Md),
            "dot" => Some(Format::Dot),
            _ => None,
        }
    }
}

/// One line of the list, with its peers written out.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Row {
    pub src: String,
    pub dst: String,
    pub conn: String,
}

pub fn rows(analyzer: &Analyzer<'_>, connections: &[Connection]) -> Vec<Row> {
    let mut rows: Vec<Row> = connections
        .iter()
        .map(|connection| Row {
            src: analyzer.display(connection.src),
            dst: analyzer.display(connection.dst),
            conn: connection.conns.to_string(),
        })
        .collect();
    rows.sort();
    rows
}

/// Writes the list. `nodes` are the workloads drawn in a dot graph even without connections.
pub fn write(
    analyzer: &Analyzer<'_>,
    connections: &[Connection],
    nodes: &[Peer],
    format: Format,
) -> String {
    let rows = rows(analyzer, connections);
    match format {
        Format::Txt => {
            let mut lines: Vec<String> = rows
                .iter()
                .map(|row| format!("{} => {} : {}", row.src, row.dst, row.conn))
                .collect();
            lines.sort();
            lines.join("\n")
        }
        Format::Json => serde_json::to_string_pretty(&rows).unwrap_or_default(),
        Format::Csv => {
            let mut lines = vec!["src,dst,conn".to_string()];
            lines.extend(rows.iter().map(|row| {
                format!(
                    "{},{},{}",
                    csv_field(&row.src),
                    csv_field(&row.dst),
                    csv_field(&row.conn)
                )
            }));
            lines.join("\n")
        }
        Format::Md => {
            let mut lines = vec![
                "| src | dst | conn |".to_string(),
                "|-----|-----|------|".to_string(),
            ];
            lines.extend(
                rows.iter()
                    .map(|row| format!("| {} | {} | {} |", row.src, row.dst, row.conn)),
            );
            lines.join("\n")
        }
        Format::Dot => dot(analyzer, connections, nodes),
    }
}

/// A CSV field as Go's encoding/csv writes it: quoted when it holds a comma, quote or newline.
pub(crate) fn csv_field(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) || field.starts_with(' ') {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

fn quote(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_default()
}

fn dot(analyzer: &Analyzer<'_>, connections: &[Connection], nodes: &[Peer]) -> String {
    dot_with(analyzer, connections, nodes, None)
}

fn dot_with(
    analyzer: &Analyzer<'_>,
    connections: &[Connection],
    nodes: &[Peer],
    exposure: Option<&crate::exposure::Exposure>,
) -> String {
    let mut namespaces: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut external: Vec<String> = Vec::new();
    let mut visited = std::collections::HashSet::new();
    let mut add = |peer: Peer| {
        if !visited.insert(peer) {
            return;
        }
        let name = analyzer.display(peer);
        let controller =
            matches!(peer, Peer::Pod(index) if analyzer.cluster.is_ingress_controller(index));
        match analyzer.pod(peer) {
            Some(_) if controller => external.push(format!(
                "\t{} [label={} color=\"blue\" fontcolor=\"blue\"]",
                quote(&name),
                quote(&name)
            )),
            Some(pod) => {
                let label = format!("{}[{}]", pod.name, pod.kind);
                namespaces
                    .entry(pod.namespace.clone())
                    .or_default()
                    .push(format!(
                        "\t\t{} [label={} color=\"blue\" fontcolor=\"blue\"]",
                        quote(&name),
                        quote(&label)
                    ));
            }
            None => external.push(format!(
                "\t{} [label={} color=\"red2\" fontcolor=\"red2\"]",
                quote(&name),
                quote(&name)
            )),
        }
    };
    let mut edges = Vec::new();
    for connection in connections {
        add(connection.src);
        add(connection.dst);
        let src = analyzer.display(connection.src);
        let dst = analyzer.display(connection.dst);
        let weight = if src <= dst { "0.5" } else { "1" };
        edges.push(format!(
            "\t{} -> {} [label={} color=\"gold2\" fontcolor=\"darkgreen\" weight={weight}]",
            quote(&src),
            quote(&dst),
            quote(&connection.conns.to_string())
        ));
    }
    for node in nodes {
        if matches!(node, Peer::Pod(_)) {
            add(*node);
        }
    }
    // Exposure: representative peers in red namespaces of their own, the entire cluster as a
    // diamond, dashed edges.
    let mut represented: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if let Some(exposure) = exposure {
        use crate::exposure::Other;
        let mut entire = false;
        let mut node_of = |other: &Other| -> Option<String> {
            match other {
                Other::EntireCluster => {
                    entire = true;
                    Some("entire-cluster".to_string())
                }
                Other::Rep(index) => {
                    let rep = &analyzer.cluster.representatives[*index];
                    let namespace = rep.namespace_text(false);
                    let pod = rep.pod_text(false);
                    let id = format!("{pod}_in_{namespace}");
                    let line = format!(
                        "\t\t{} [label={} color=\"red2\" fontcolor=\"red2\"]",
                        quote(&id),
                        quote(&pod)
                    );
                    let members = represented.entry(namespace).or_default();
                    if !members.contains(&line) {
                        members.push(line);
                    }
                    Some(id)
                }
                Other::Ip(..) => None,
            }
        };
        for (rows, ingress) in [(&exposure.egress, false), (&exposure.ingress, true)] {
            for row in rows {
                let Some(other) = node_of(&row.other) else {
                    continue;
                };
                let (src, dst, color, weight) = if ingress {
                    (other, row.peer_text.clone(), "darkorange2", "1")
                } else {
                    (row.peer_text.clone(), other, "darkorange4", "0.5")
                };
                add(Peer::Pod(row.pod));
                edges.push(format!(
                    "\t{} -> {} [label={} color=\"{color}\" fontcolor=\"darkgreen\" weight={weight} style=dashed]",
                    quote(&src),
                    quote(&dst),
                    quote(&row.conn)
                ));
            }
        }
        if entire {
            external.push(
                "\t\"entire-cluster\" [label=\"entire-cluster\" color=\"red2\" fontcolor=\"red2\" shape=diamond]"
                    .to_string(),
            );
        }
    }
    edges.sort();
    external.sort();
    let mut lines = vec!["digraph {".to_string()];
    for (namespace, mut peers) in namespaces {
        peers.sort();
        lines.push(format!(
            "\tsubgraph {} {{",
            quote(&format!(
                "cluster_{}[namespace]",
                namespace.replace('-', "_")
            ))
        ));
        lines.push("\t\tcolor=\"black\"".to_string());
        lines.push("\t\tfontcolor=\"black\"".to_string());
        lines.extend(peers);
        lines.push(format!(
            "\t\tlabel={}",
            quote(&format!("{namespace}[namespace]"))
        ));
        lines.push("\t}".to_string());
    }
    for (namespace, mut peers) in represented {
        peers.sort();
        lines.push(format!(
            "\tsubgraph {} {{",
            quote(&format!(
                "cluster_{}[namespace]",
                namespace.replace('-', "_")
            ))
        ));
        lines.push("\t\tcolor=\"red2\"".to_string());
        lines.push("\t\tfontcolor=\"red2\"".to_string());
        lines.extend(peers);
        lines.push(format!(
            "\t\tlabel={}",
            quote(&format!("{namespace}[namespace]"))
        ));
        lines.push("\t}".to_string());
    }
    lines.extend(external);
    lines.extend(edges);
    lines.push("}".to_string());
    lines.join("\n")
}

/// netpol-analyzer's `--focusworkload`, `--focusworkload-peer`, `--focus-direction` and
/// `--focus-conn`.
#[derive(Clone, Debug, Default)]
pub struct Focus {
    /// Workloads (`name` or `namespace/name`) one end of each connection must be.
    pub workloads: Vec<String>,
    /// Workloads the other end must be.
    pub peers: Vec<String>,
    /// With `workloads`: only their ingress (they are the destination) or egress (the source).
    pub direction: Option<crate::eval::Direction>,
    /// Only connections on this protocol and port, written without their connection set.
    pub conn: Option<(crate::conn::Protocol, u32)>,
}

impl Focus {
    /// Parses `tcp-8080`.
    pub fn parse_conn(text: &str) -> Option<(crate::conn::Protocol, u32)> {
        let (protocol, port) = text.split_once('-')?;
        Some((crate::conn::Protocol::parse(protocol)?, port.parse().ok()?))
    }

    /// Whether `peer` is one of the focus workloads.
    pub fn selects(&self, analyzer: &Analyzer<'_>, peer: Peer) -> bool {
        Focus::names(analyzer, peer, &self.workloads)
    }

    fn names(analyzer: &Analyzer<'_>, peer: Peer, names: &[String]) -> bool {
        let Peer::Pod(index) = peer else {
            return false;
        };
        if analyzer.cluster.is_ingress_controller(index) {
            return names
                .iter()
                .any(|name| name == crate::ingress::CONTROLLER_NAME);
        }
        let pod = &analyzer.cluster.pods[index];
        names.iter().any(|name| match name.split_once('/') {
            Some((namespace, name)) => pod.namespace == namespace && pod.name == name,
            None => pod.name == *name,
        })
    }

    /// Keeps the connections the focus selects (restricted to the focus port), and the dot
    /// graph's nodes.
    pub fn apply(
        &self,
        analyzer: &Analyzer<'_>,
        connections: &mut Vec<Connection>,
        nodes: &mut Vec<Peer>,
    ) {
        use crate::eval::Direction;
        if let Some((protocol, port)) = self.conn {
            let only = crate::conn::ConnSet::ports(protocol, port, port);
            connections.retain_mut(|c| {
                c.conns = c.conns.intersect(&only);
                !c.conns.is_empty()
            });
        }
        if !self.workloads.is_empty() {
            let focused = |peer: Peer| Focus::names(analyzer, peer, &self.workloads);
            let other =
                |peer: Peer| self.peers.is_empty() || Focus::names(analyzer, peer, &self.peers);
            connections.retain(|c| {
                let as_src = focused(c.src) && other(c.dst);
                let as_dst = focused(c.dst) && other(c.src);
                match self.direction {
                    Some(Direction::Egress) => as_src,
                    Some(Direction::Ingress) => as_dst,
                    None => as_src || as_dst,
                }
            });
            // The focus workloads and focus peers are drawn even when no connection of theirs
            // remains (netpol-analyzer's dot).
            let named_peer =
                |peer: Peer| !self.peers.is_empty() && Focus::names(analyzer, peer, &self.peers);
            let mut kept: Vec<Peer> = nodes
                .iter()
                .copied()
                .filter(|peer| focused(*peer) || named_peer(*peer))
                .collect();
            for connection in connections.iter() {
                for peer in [connection.src, connection.dst] {
                    if matches!(peer, Peer::Pod(_)) && !kept.contains(&peer) {
                        kept.push(peer);
                    }
                }
            }
            *nodes = kept;
        }
    }
}

/// Writes the list of a `--focus-conn` query: pairs only, under a header naming the port.
pub fn write_pairs(
    analyzer: &Analyzer<'_>,
    connections: &[Connection],
    nodes: &[Peer],
    format: Format,
    conn: (crate::conn::Protocol, u32),
) -> String {
    match format {
        Format::Dot => dot(analyzer, connections, nodes),
        _ => pairs_text(&rows(analyzer, connections), format, conn),
    }
}

/// The pairs of rows in a text format (not dot).
pub fn pairs_text(
    rows: &[Row],
    format: Format,
    (protocol, port): (crate::conn::Protocol, u32),
) -> String {
    match format {
        Format::Txt => {
            let mut lines = vec![format!(
                "Permitted connections on {} {port}:",
                protocol.name()
            )];
            lines.extend(rows.iter().map(|row| format!("{} => {}", row.src, row.dst)));
            lines.join("\n")
        }
        Format::Json => {
            #[derive(serde::Serialize)]
            struct Pair<'a> {
                src: &'a str,
                dst: &'a str,
            }
            let pairs: Vec<Pair<'_>> = rows
                .iter()
                .map(|row| Pair {
                    src: &row.src,
                    dst: &row.dst,
                })
                .collect();
            serde_json::to_string_pretty(&pairs).unwrap_or_default()
        }
        Format::Csv => {
            let mut lines = vec!["src,dst".to_string()];
            lines.extend(
                rows.iter()
                    .map(|row| format!("{},{}", csv_field(&row.src), csv_field(&row.dst))),
            );
            lines.join("\n")
        }
        Format::Md | Format::Dot => {
            let mut lines = vec!["| src | dst |".to_string(), "|-----|-----|".to_string()];
            lines.extend(
                rows.iter()
                    .map(|row| format!("| {} | {} |", row.src, row.dst)),
            );
            lines.join("\n")
        }
    }
}

/// Writes the list followed by its exposure analysis, as netpol-analyzer's `list --exposure`;
/// with `--focus-conn` (`pairs`), both as pairs without connections.
pub fn write_exposure(
    analyzer: &Analyzer<'_>,
    connections: &[Connection],
    nodes: &[Peer],
    exposure: &crate::exposure::Exposure,
    format: Format,
    pairs: Option<(crate::conn::Protocol, u32)>,
) -> String {
    use crate::exposure::ExposureRow;
    let list = match pairs {
        Some(conn) => write_pairs(analyzer, connections, nodes, format, conn),
        None => write(analyzer, connections, nodes, format),
    };
    let title = match pairs {
        Some((protocol, port)) => {
            format!("Exposure Analysis Result On {} {port}:", protocol.name())
        }
        None => "Exposure Analysis Result:".to_string(),
    };
    // A row's cells in the order of its section's columns: the workload first.
    let cells = |row: &ExposureRow| -> Vec<String> {
        let mut cells = vec![row.peer_text.clone(), row.other_text.clone()];
        if pairs.is_none() {
            cells.push(row.conn.clone());
        }
        cells
    };
    match format {
        Format::Txt => {
            let width = exposure
                .egress
                .iter()
                .chain(&exposure.ingress)
                .map(|row| row.peer_text.len())
                .max()
                .unwrap_or(0);
            let section = |header: &str, rows: &[ExposureRow], arrow: &str| {
                let mut lines = vec![header.to_string()];
                lines.extend(rows.iter().map(|row| {
                    let line = format!("{:<width$} \t{arrow} \t{}", row.peer_text, row.other_text);
                    match pairs {
                        Some(_) => line,
                        None => format!("{line} : {}", row.conn),
                    }
                }));
                lines.join("\n")
            };
            let mut sections = Vec::new();
            if !exposure.egress.is_empty() {
                sections.push(section("Egress Exposure:", &exposure.egress, "=>"));
            }
            if !exposure.ingress.is_empty() {
                sections.push(section("Ingress Exposure:", &exposure.ingress, "<="));
            }
            if !exposure.unprotected.is_empty() {
                let mut lines = vec!["Workloads not protected by network policies:".to_string()];
                lines.extend(exposure.unprotected.iter().cloned());
                sections.push(lines.join("\n"));
            }
            let result = format!("{title}\n{}", sections.join("\n\n"));
            if list.is_empty() {
                result
            } else {
                format!("{list}\n\n{result}")
            }
        }
        Format::Json => {
            #[derive(serde::Serialize)]
            struct Line {
                src: String,
                dst: String,
                #[serde(skip_serializing_if = "Option::is_none")]
                conn: Option<String>,
            }
            /// An empty section is `null`, as Go writes a nil slice.
            #[derive(serde::Serialize)]
            struct Sections {
                egress_exposure: Option<Vec<Line>>,
                ingress_exposure: Option<Vec<Line>>,
            }
            let line = |src: &str, dst: &str, conn: &str| Line {
                src: src.to_string(),
                dst: dst.to_string(),
                conn: pairs.is_none().then(|| conn.to_string()),
            };
            let section = |rows: &[ExposureRow], ingress: bool| {
                let lines: Vec<Line> = rows
                    .iter()
                    .map(|row| {
                        if ingress {
                            line(&row.other_text, &row.peer_text, &row.conn)
                        } else {
                            line(&row.peer_text, &row.other_text, &row.conn)
                        }
                    })
                    .collect();
                // A --focus-conn section is filtered into a new (empty, not nil) list.
                (!lines.is_empty() || pairs.is_some()).then_some(lines)
            };
            let list_lines: Vec<Line> = rows(analyzer, connections)
                .iter()
                .map(|row| line(&row.src, &row.dst, &row.conn))
                .collect();
            let sections = Sections {
                egress_exposure: section(&exposure.egress, false),
                ingress_exposure: section(&exposure.ingress, true),
            };
            let (list_key, exposure_key) = match pairs {
                Some(_) => ("connlist_conn_focus_results", "exposure_conn_focus_results"),
                None => ("connlist_results", "exposure_results"),
            };
            let list_json = serde_json::to_string_pretty(&list_lines).unwrap_or_default();
            let sections_json = serde_json::to_string_pretty(&sections).unwrap_or_default();
            // Nest the two documents under their keys, indented one level.
            let indent = |text: &str| text.replace('\n', "\n  ");
            format!(
                "{{\n  \"{list_key}\": {},\n  \"{exposure_key}\": {}\n}}",
                indent(&list_json),
                indent(&sections_json)
            )
        }
        Format::Csv => {
            let mut lines = vec![list, format!("{title},,")];
            let (egress_columns, ingress_columns) = match pairs {
                Some(_) => ("src,dst", "dst,src"),
                None => ("src,dst,conn", "dst,src,conn"),
            };
            let mut section = |header: &str, columns: &str, rows: &[ExposureRow]| {
                if rows.is_empty() {
                    return;
                }
                lines.push(header.to_string());
                lines.push(columns.to_string());
                for row in rows {
                    let fields: Vec<String> = cells(row).iter().map(|c| csv_field(c)).collect();
                    lines.push(fields.join(","));
                }
            };
            section("Egress Exposure:,,", egress_columns, &exposure.egress);
            section("Ingress Exposure:,,", ingress_columns, &exposure.ingress);
            lines.join("\n")
        }
        Format::Md => {
            let (egress_columns, ingress_columns, rule) = match pairs {
                Some(_) => ("| src | dst |", "| dst | src |", "|-----|-----|"),
                None => (
                    "| src | dst | conn |",
                    "| dst | src | conn |",
                    "|-----|-----|------|",
                ),
            };
            let table = |header: &str, columns: &str, rows: &[ExposureRow]| {
                let mut out = vec![header.to_string(), columns.to_string(), rule.to_string()];
                out.extend(
                    rows.iter()
                        .map(|row| format!("| {} |", cells(row).join(" | "))),
                );
                out.join("\n")
            };
            let mut text = format!("{list}\n## {title}");
            if !exposure.egress.is_empty() {
                text.push('\n');
                text.push_str(&table(
                    "### Egress Exposure:",
                    egress_columns,
                    &exposure.egress,
                ));
            }
            if !exposure.ingress.is_empty() {
                text.push_str("\n\n");
                text.push_str(&table(
                    "### Ingress Exposure:",
                    ingress_columns,
                    &exposure.ingress,
                ));
            }
            text
        }
        Format::Dot => dot_exposure(analyzer, connections, nodes, exposure),
    }
}

fn dot_exposure(
    analyzer: &Analyzer<'_>,
    connections: &[Connection],
    nodes: &[Peer],
    exposure: &crate::exposure::Exposure,
) -> String {
    dot_with(analyzer, connections, nodes, Some(exposure))
}
