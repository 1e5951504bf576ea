//! `garrison netpol flows` output: text for a terminal, JSON, a DOT graph, and one
//! self-contained HTML page (no scripts, no external resources, a strict content security
//! policy) with the findings, the top talkers and the communication graph as inline SVG.

use std::fmt::Write as _;

use super::analyse::{Edge, FlowReport, Traffic};

/// What AWS leaves out of flow logs, said wherever metadata traffic is reported.
pub const METADATA_NOTE: &str = "AWS does not record traffic to the instance metadata service (169.254.169.254, fd00:ec2::254) in VPC flow logs, so finding none proves nothing; `garrison netpol coverage` says whether policies allow it";

fn time(seconds: Option<u64>) -> String {
    seconds
        .and_then(|s| i64::try_from(s).ok())
        .and_then(|s| jiff::Timestamp::from_second(s).ok())
        .map_or_else(|| "-".to_string(), |t| t.to_string())
}

fn bytes(count: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = count as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{count} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

fn traffic_text(traffic: &Traffic) -> String {
    format!(
        "{} records, {}, {} packets, {} to {}",
        traffic.records,
        bytes(traffic.bytes),
        traffic.packets,
        time(traffic.first_seen),
        time(traffic.last_seen)
    )
}

/// The report for a terminal; `top` limits the talkers listed.
pub fn write_txt(report: &FlowReport, top: usize) -> String {
    let mut out = String::new();
    let counts = &report.counts;
    let _ = writeln!(
        out,
        "{} records: {} accepted, {} rejected, {} NODATA, {} SKIPDATA, {} seen again from the other end's interface; {} checked against the policies; {} lines unreadable",
        counts.records,
        counts.accepted,
        counts.rejected,
        counts.nodata,
        counts.skipdata,
        counts.duplicates,
        counts.evaluated,
        counts.malformed
    );
    if counts.skipdata > 0 {
        let _ = writeln!(
            out,
            "warning: {} SKIPDATA records: AWS skipped records in those intervals; flows may be missing",
            counts.skipdata
        );
    }
    let _ = writeln!(
        out,
        "\nAccepted flows the NetworkPolicies deny: {}",
        report.denied.len()
    );
    for flow in &report.denied {
        let _ = writeln!(
            out,
            "  DENIED-BUT-SEEN {} => {} : {} {} ({} -> {}; {}{}), first at {}",
            flow.client,
            flow.server,
            flow.protocol,
            flow.port,
            flow.client_address,
            flow.server_address,
            traffic_text(&flow.traffic),
            if flow.oriented_by_flags {
                ""
            } else {
                "; no TCP flags: neither direction is allowed"
            },
            flow.first_record
        );
    }
    let _ = writeln!(
        out,
        "\nPod egress to the instance metadata service: {}",
        report.metadata.len()
    );
    for flow in &report.metadata {
        let _ = writeln!(
            out,
            "  METADATA {} => {} ({}), first at {}",
            flow.workload,
            flow.address,
            traffic_text(&flow.traffic),
            flow.first_record
        );
    }
    let _ = writeln!(out, "  note: {METADATA_NOTE}");
    let _ = writeln!(out, "\nTop talkers (bytes out / in, packets out / in):");
    for talker in report.talkers.iter().take(top) {
        let peers: Vec<String> = talker
            .top_peers
            .iter()
            .map(|(peer, count)| format!("{peer} {}", bytes(*count)))
            .collect();
        let _ = writeln!(
            out,
            "  {}  {} / {}  {} / {}  peers: {}",
            talker.workload,
            bytes(talker.bytes_out),
            bytes(talker.bytes_in),
            talker.packets_out,
            talker.packets_in,
            peers.join(", ")
        );
    }
    if report.talkers.len() > top {
        let _ = writeln!(out, "  ... {} more", report.talkers.len() - top);
    }
    let _ = writeln!(
        out,
        "\nCommunication graph: {} edges (--format dot or html draws it)",
        report.edges.len()
    );
    let _ = writeln!(
        out,
        "\nUnattributed addresses inside the VPC ({} from {}): {} addresses in {} records",
        report.vpc.join(", "),
        report.vpc_source,
        report.unattributed.len(),
        report.unattributed_records
    );
    for address in report.unattributed.iter().take(top) {
        let _ = writeln!(out, "  {}  {} records", address.address, address.records);
    }
    if report.unattributed.len() > top {
        let _ = writeln!(out, "  ... {} more", report.unattributed.len() - top);
    }
    out
}

/// The whole report as JSON.
pub fn write_json(report: &FlowReport) -> String {
    let mut value = serde_json::to_value(report).unwrap_or_default();
    if let Some(object) = value.as_object_mut() {
        object.insert(
            "metadata_note".to_string(),
            serde_json::Value::String(METADATA_NOTE.to_string()),
        );
    }
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

fn dot_quote(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

fn edge_label(edge: &Edge) -> String {
    let mut label = String::new();
    for (index, port) in edge.ports.iter().enumerate() {
        if index > 0 {
            label.push(',');
        }
        let _ = write!(label, "{port}");
    }
    if edge.more_ports > 0 {
        let _ = write!(label, " +{}", edge.more_ports);
    }
    let _ = write!(label, " ({})", bytes(edge.traffic.bytes));
    label
}

/// The workload-level communication graph in DOT: workloads grouped by namespace, other
/// parties outside; denied edges red.
pub fn write_dot(report: &FlowReport) -> String {
    let mut out = String::from("digraph {\n");
    let mut namespaces: std::collections::BTreeMap<&str, std::collections::BTreeSet<&str>> =
        std::collections::BTreeMap::new();
    let mut others: std::collections::BTreeSet<&str> = std::collections::BTreeSet::new();
    for edge in &report.edges {
        for (name, namespace) in [
            (&edge.client, &edge.client_namespace),
            (&edge.server, &edge.server_namespace),
        ] {
            match namespace {
                Some(namespace) => {
                    namespaces.entry(namespace).or_default().insert(name);
                }
                None => {
                    others.insert(name);
                }
            }
        }
    }
    for (namespace, names) in &namespaces {
        let _ = writeln!(
            out,
            "\tsubgraph {} {{\n\t\tlabel={}",
            dot_quote(&format!("cluster_{namespace}")),
            dot_quote(namespace)
        );
        for name in names {
            let _ = writeln!(
                out,
                "\t\t{} [label={} color=\"blue\" fontcolor=\"blue\"]",
                dot_quote(name),
                dot_quote(name.rsplit('/').next().unwrap_or(name))
            );
        }
        out.push_str("\t}\n");
    }
    for name in &others {
        let _ = writeln!(
            out,
            "\t{} [label={} shape=box color=\"red2\" fontcolor=\"red2\"]",
            dot_quote(name),
            dot_quote(name)
        );
    }
    for edge in &report.edges {
        let color = if edge.denied { "red" } else { "darkgreen" };
        let _ = writeln!(
            out,
            "\t{} -> {} [label={} color=\"{color}\" fontcolor=\"{color}\"]",
            dot_quote(&edge.client),
            dot_quote(&edge.server),
            dot_quote(&edge_label(edge))
        );
    }
    out.push_str("}\n");
    out
}

fn html_escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '&' => escaped.push_str("&amp;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    escaped
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;font-size:.9em}th{background:#f3f3f3}.denied{color:#b00020;font-weight:600}.note{color:#555;font-size:.9em}svg{border:1px solid #ddd;background:#fcfcfc}text{font-size:11px}";

/// One self-contained page: findings, talkers, unattributed addresses and the graph.
pub fn write_html(report: &FlowReport, top: usize) -> String {
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'\">\n");
    let _ = writeln!(
        out,
        "<title>garrison netpol flows</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>Observed traffic against NetworkPolicy intent</h1>"
    );
    let counts = &report.counts;
    let _ = writeln!(
        out,
        "<p>{} records: {} accepted, {} rejected, {} NODATA, {} SKIPDATA, {} seen again from the other end's interface; {} checked against the policies; {} lines unreadable.</p>",
        counts.records,
        counts.accepted,
        counts.rejected,
        counts.nodata,
        counts.skipdata,
        counts.duplicates,
        counts.evaluated,
        counts.malformed
    );
    let _ = writeln!(
        out,
        "<h2>Accepted flows the NetworkPolicies deny ({})</h2>",
        report.denied.len()
    );
    if !report.denied.is_empty() {
        out.push_str("<table><tr><th>client</th><th>server</th><th>port</th><th>addresses</th><th>records</th><th>bytes</th><th>first seen</th><th>last seen</th><th>first record</th></tr>\n");
        for flow in &report.denied {
            let _ = writeln!(
                out,
                "<tr class=\"denied\"><td>{}</td><td>{}</td><td>{} {}</td><td>{} &rarr; {}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                html_escape(&flow.client),
                html_escape(&flow.server),
                flow.protocol,
                flow.port,
                html_escape(&flow.client_address.to_string()),
                html_escape(&flow.server_address.to_string()),
                flow.traffic.records,
                bytes(flow.traffic.bytes),
                time(flow.traffic.first_seen),
                time(flow.traffic.last_seen),
                html_escape(&flow.first_record.to_string())
            );
        }
        out.push_str("</table>\n");
    }
    let _ = writeln!(
        out,
        "<h2>Pod egress to the instance metadata service ({})</h2>",
        report.metadata.len()
    );
    if !report.metadata.is_empty() {
        out.push_str("<table><tr><th>workload</th><th>address</th><th>records</th><th>bytes</th><th>first record</th></tr>\n");
        for flow in &report.metadata {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                html_escape(&flow.workload),
                html_escape(&flow.address.to_string()),
                flow.traffic.records,
                bytes(flow.traffic.bytes),
                html_escape(&flow.first_record.to_string())
            );
        }
        out.push_str("</table>\n");
    }
    let _ = writeln!(out, "<p class=\"note\">{}</p>", html_escape(METADATA_NOTE));
    out.push_str("<h2>Top talkers</h2>\n<table><tr><th>workload</th><th>bytes out</th><th>bytes in</th><th>packets out</th><th>packets in</th><th>top peers</th></tr>\n");
    for talker in report.talkers.iter().take(top) {
        let peers: Vec<String> = talker
            .top_peers
            .iter()
            .map(|(peer, count)| format!("{} ({})", html_escape(peer), bytes(*count)))
            .collect();
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            html_escape(&talker.workload),
            bytes(talker.bytes_out),
            bytes(talker.bytes_in),
            talker.packets_out,
            talker.packets_in,
            peers.join("<br>")
        );
    }
    out.push_str("</table>\n");
    let _ = writeln!(
        out,
        "<h2>Communication graph ({} edges)</h2>",
        report.edges.len()
    );
    out.push_str(&svg_graph(&report.edges));
    let _ = writeln!(
        out,
        "<h2>Unattributed addresses inside the VPC ({})</h2>\n<p>{} addresses in {} records; VPC ranges {} from {}.</p>",
        report.unattributed.len(),
        report.unattributed.len(),
        report.unattributed_records,
        html_escape(&report.vpc.join(", ")),
        html_escape(&report.vpc_source)
    );
    if !report.unattributed.is_empty() {
        out.push_str("<table><tr><th>address</th><th>records</th></tr>\n");
        for address in report.unattributed.iter().take(top) {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td></tr>",
                html_escape(&address.address.to_string()),
                address.records
            );
        }
        out.push_str("</table>\n");
    }
    out.push_str("</body>\n</html>\n");
    out
}

/// The graph as inline SVG: parties on a circle, edges as arrows (red when denied).
fn svg_graph(edges: &[Edge]) -> String {
    let mut names: Vec<&str> = Vec::new();
    for edge in edges {
        for name in [&*edge.client, &*edge.server] {
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }
    names.sort_unstable();
    let count = names.len().max(1) as f64;
    let radius = (60.0 * count / std::f64::consts::PI).clamp(120.0, 900.0);
    let size = 2.0 * radius + 420.0;
    let center = size / 2.0;
    let position = |name: &str| -> (f64, f64) {
        let index = names.iter().position(|n| *n == name).unwrap_or(0) as f64;
        let angle = 2.0 * std::f64::consts::PI * index / count - std::f64::consts::FRAC_PI_2;
        (center + radius * angle.cos(), center + radius * angle.sin())
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{size:.0}\" height=\"{size:.0}\" viewBox=\"0 0 {size:.0} {size:.0}\" role=\"img\" aria-label=\"communication graph\">"
    );
    out.push_str("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"6\" markerHeight=\"6\" orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"#666\"/></marker></defs>\n");
    for edge in edges {
        let (x1, y1) = position(&edge.client);
        let (x2, y2) = position(&edge.server);
        let color = if edge.denied { "#b00020" } else { "#2e7d32" };
        let _ = writeln!(
            out,
            "<line x1=\"{x1:.1}\" y1=\"{y1:.1}\" x2=\"{x2:.1}\" y2=\"{y2:.1}\" stroke=\"{color}\" stroke-width=\"{}\" marker-end=\"url(#arrow)\"><title>{} &#8594; {}: {}</title></line>",
            if edge.denied { 2.5 } else { 1.2 },
            html_escape(&edge.client),
            html_escape(&edge.server),
            html_escape(&edge_label(edge))
        );
    }
    for name in &names {
        let (x, y) = position(name);
        let anchor = if x < center - 1.0 {
            "end"
        } else if x > center + 1.0 {
            "start"
        } else {
            "middle"
        };
        let offset = match anchor {
            "end" => -8.0,
            "start" => 8.0,
            _ => 0.0,
        };
        let _ = writeln!(
            out,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"5\" fill=\"#1f4e9e\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\">{}</text>",
            x + offset,
            y + 4.0,
            html_escape(name)
        );
    }
    out.push_str("</svg>\n");
    out
}
