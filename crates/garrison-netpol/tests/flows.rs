//! `netpol flows` over a snapshot with known policies (`tests/data/flows-snapshot`): flow-log
//! files written here from the documented record format, in each delivery form.
//!
//! The shop namespace denies everything by default; web may reach api on its grpc port, api
//! may reach db on 5432, anyone outside 10.0.0.0/8 may reach web on http, and every shop pod may
//! resolve names (UDP/TCP 53). monitoring has no policies.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;

use garrison_core::{Inventory, LoadOptions, load_paths};
use garrison_netpol::flows::analyse::FlowReport;
use garrison_netpol::flows::{self, Analysis, Attribution, Endpoint, Format};
use garrison_netpol::{Analyzer, Cluster};

fn snapshot() -> String {
    format!("{}/tests/data/flows-snapshot", env!("CARGO_MANIFEST_DIR"))
}

const HEADER: &str = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status";

/// One record of the default format.
fn record(interface: &str, src: &str, dst: &str, sport: u16, dport: u16, proto: u8) -> String {
    format!(
        "2 111122223333 {interface} {src} {dst} {sport} {dport} {proto} 10 1000 1700000000 1700000060 ACCEPT OK"
    )
}

/// Allowed traffic, replies included: none of it may be reported.
fn allowed_records() -> Vec<String> {
    vec![
        // web -> api on grpc, and the reply.
        record("eni-web1", "10.0.1.10", "10.0.1.20", 40000, 9090, 6),
        record("eni-api", "10.0.1.20", "10.0.1.10", 9090, 40000, 6),
        // api -> db, and the reply.
        record("eni-api", "10.0.1.20", "10.0.2.30", 51000, 5432, 6),
        record("eni-db", "10.0.2.30", "10.0.1.20", 5432, 51000, 6),
        // The internet -> web on http, and the reply.
        record("eni-web2", "203.0.113.7", "10.0.2.10", 61000, 8080, 6),
        record("eni-web2", "10.0.2.10", "203.0.113.7", 8080, 61000, 6),
        // web asks the VPC resolver (an address nothing in the snapshot has), and the answer.
        record("eni-web1", "10.0.1.10", "10.0.0.2", 45000, 53, 17),
        record("eni-web1", "10.0.0.2", "10.0.1.10", 53, 45000, 17),
        // Something unknown inside the VPC reaches the unisolated scraper.
        record("eni-scr", "10.0.3.99", "10.0.1.40", 50500, 9000, 6),
        // The kubelet probes web from its node; the scraper reads a hostNetwork exporter.
        record("eni-web1", "10.0.1.5", "10.0.1.10", 33000, 8080, 6),
        record("eni-scr", "10.0.1.40", "10.0.1.5", 43500, 9100, 6),
    ]
}

/// Traffic the policies deny, and other things to report.
fn denied_records() -> Vec<String> {
    vec![
        // web -> db: web may only reach api; seen from both ends' interfaces.
        record("eni-web1", "10.0.1.10", "10.0.2.30", 42000, 5432, 6),
        record("eni-db", "10.0.1.10", "10.0.2.30", 42000, 5432, 6),
        // monitoring's scraper -> api's metrics port: api admits only web on 9090.
        record("eni-scr", "10.0.1.40", "10.0.1.20", 43000, 9100, 6),
        // The standalone debug pod -> the internet: shop denies egress.
        record("eni-dbg", "10.0.2.50", "198.51.100.9", 44000, 443, 6),
        // api -> the instance metadata service.
        record("eni-api", "10.0.1.20", "169.254.169.254", 50000, 80, 6),
        // Rejected, no data, skipped data: counted, never findings.
        "2 111122223333 eni-db 198.51.100.20 10.0.2.30 40001 5432 6 1 40 1700000000 1700000060 REJECT OK".to_string(),
        "2 111122223333 eni-x - - - - - - - 1700000000 1700000060 - NODATA".to_string(),
        "2 111122223333 eni-y - - - - - - - 1700000000 1700000060 - SKIPDATA".to_string(),
    ]
}

fn analyse(inputs: &[String], format: Option<&Format>) -> FlowReport {
    let loaded = load_paths(&[snapshot()], &LoadOptions::default());
    assert!(
        loaded.unreadable_inputs.is_empty(),
        "{:?}",
        loaded.unreadable_inputs
    );
    let inventory = Inventory::new(loaded);
    let cluster = Cluster::from_inventory(&inventory);
    assert!(cluster.warnings.is_empty(), "{:?}", cluster.warnings);
    let analyzer = Analyzer::new(&cluster);
    let attribution = Attribution::from_inventory(&inventory, &cluster);
    let mut analysis = Analysis::new(&analyzer, &attribution);
    flows::read_inputs(inputs, format, &mut analysis);
    analysis.finish()
}

fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path.display().to_string()
}

fn s3_file(records: &[String]) -> String {
    let mut text = format!("{HEADER}\n");
    for record in records {
        text.push_str(record);
        text.push('\n');
    }
    text
}

fn denied_set(report: &FlowReport) -> Vec<String> {
    report
        .denied
        .iter()
        .map(|flow| {
            format!(
                "{} => {} {} {}",
                flow.client, flow.server, flow.protocol, flow.port
            )
        })
        .collect()
}

const EXPECTED_DENIED: [&str; 3] = [
    "monitoring/scraper[DaemonSet] => shop/api[Deployment] TCP 9100",
    "shop/debug[Pod] => {external} TCP 443",
    "shop/web[Deployment] => shop/db[StatefulSet] TCP 5432",
];

fn all_records() -> Vec<String> {
    let mut records = allowed_records();
    records.extend(denied_records());
    records
}

#[test]
fn every_denied_flow_is_found_and_no_allowed_one() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(&dir, "flows.log", s3_file(&all_records()).as_bytes());
    let report = analyse(&[file], None);
    assert_eq!(denied_set(&report), EXPECTED_DENIED);
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let counts = &report.counts;
    assert_eq!(counts.records, 19);
    assert_eq!(counts.rejected, 1);
    assert_eq!(counts.nodata, 1);
    assert_eq!(counts.skipdata, 1);
    assert_eq!(
        counts.duplicates, 1,
        "web -> db seen from db's interface too"
    );
    assert_eq!(counts.accepted, 15);
    let web_db = report
        .denied
        .iter()
        .find(|flow| &*flow.server == "shop/db[StatefulSet]")
        .unwrap();
    assert_eq!(web_db.traffic.records, 1);
    assert_eq!(web_db.traffic.bytes, 1000);
    assert_eq!(web_db.client_address.to_string(), "10.0.1.10");
    assert!(
        web_db.first_record.to_string().ends_with("flows.log:13"),
        "{}",
        web_db.first_record
    );
    assert!(!web_db.oriented_by_flags);
    // The metadata service, reached by api.
    assert_eq!(report.metadata.len(), 1);
    assert_eq!(&*report.metadata[0].workload, "shop/api[Deployment]");
    assert_eq!(report.metadata[0].address.to_string(), "169.254.169.254");
    assert!(report.has_findings());
}

#[test]
fn allowed_traffic_alone_reports_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(&dir, "allowed.log", s3_file(&allowed_records()).as_bytes());
    let report = analyse(&[file], None);
    assert_eq!(denied_set(&report), Vec::<String>::new());
    assert!(report.metadata.is_empty());
    assert!(!report.has_findings());
    // Every record between a workload and a party the policies speak about was checked:
    // all but the node probe and the hostNetwork exporter.
    assert_eq!(report.counts.evaluated, 9);
}

#[test]
fn unattributed_addresses_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(&dir, "flows.log", s3_file(&all_records()).as_bytes());
    let report = analyse(&[file], None);
    let addresses: Vec<(String, u64)> = report
        .unattributed
        .iter()
        .map(|entry| (entry.address.to_string(), entry.records))
        .collect();
    assert_eq!(
        addresses,
        [("10.0.0.2".to_string(), 2), ("10.0.3.99".to_string(), 1)]
    );
    assert_eq!(report.unattributed_records, 3);
    // The VPC is the cluster's subnets, not the other VPC's.
    assert_eq!(
        report.vpc,
        ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"]
    );
    // 198.51.100.9 and 203.0.113.7 are outside: external, not unattributed.
    assert!(
        report
            .unattributed
            .iter()
            .all(|entry| !entry.address.to_string().starts_with("198."))
    );
}

#[test]
fn addresses_are_attributed_to_workloads_nodes_and_services() {
    let loaded = load_paths(&[snapshot()], &LoadOptions::default());
    let inventory = Inventory::new(loaded);
    let cluster = Cluster::from_inventory(&inventory);
    let attribution = Attribution::from_inventory(&inventory, &cluster);
    let workload = |address: &str| match attribution.resolve(address.parse().unwrap()) {
        Endpoint::Workload(index) => cluster.pods[index as usize].display(),
        other => format!("{other:?}"),
    };
    // Pods of a ReplicaSet count as its Deployment.
    assert_eq!(workload("10.0.1.10"), "shop/web[Deployment]");
    assert_eq!(workload("10.0.2.10"), "shop/web[Deployment]");
    // A finished pod does not take the address of a running one.
    assert_eq!(workload("10.0.1.20"), "shop/api[Deployment]");
    // A standalone pod keeps its status through the inventory.
    assert_eq!(workload("10.0.2.50"), "shop/debug[Pod]");
    // A hostNetwork pod is its node.
    assert_eq!(workload("10.0.1.5"), "Node(0)");
    assert_eq!(attribution.nodes[0], "ip-10-0-1-5.ec2.internal");
    assert_eq!(workload("172.20.10.10"), "Service(0)");
    assert_eq!(attribution.services, ["shop/api"]);
    assert_eq!(workload("10.0.3.99"), "Unattributed");
    assert_eq!(workload("10.9.0.1"), "External");
    assert_eq!(workload("169.254.169.254"), "Metadata");
}

#[test]
fn custom_format_header_with_packet_addresses_flags_and_direction() {
    let header = "version interface-id srcaddr dstaddr pkt-srcaddr pkt-dstaddr srcport dstport protocol packets bytes start end action log-status tcp-flags flow-direction traffic-path";
    let records = [
        // web -> db through the node's primary address: pkt-srcaddr names the pod. SYN only.
        "5 eni-node1 10.0.1.5 10.0.2.30 10.0.1.10 10.0.2.30 42000 5432 6 3 180 1700000000 1700000060 ACCEPT OK 2 egress 1",
        // db's SYN-ACK back to web: the same denied connection, not db -> web.
        "5 eni-db 10.0.2.30 10.0.1.5 10.0.2.30 10.0.1.10 5432 42000 6 3 180 1700000000 1700000060 ACCEPT OK 18 egress 1",
        // api's SYN-ACK to web on grpc: a reply of an allowed connection.
        "5 eni-api 10.0.1.20 10.0.1.5 10.0.1.20 10.0.1.10 9090 40000 6 3 180 1700000000 1700000060 ACCEPT OK 18 egress -",
        // web -> api seen from api's interface as ingress, fields missing: '-'.
        "5 eni-api 10.0.1.5 10.0.1.20 10.0.1.10 10.0.1.20 40000 9090 6 3 180 - - ACCEPT OK 2 ingress -",
    ];
    let mut text = format!("{header}\n");
    for record in records {
        text.push_str(record);
        text.push('\n');
    }
    let dir = tempfile::tempdir().unwrap();
    let file = write(&dir, "custom.log", text.as_bytes());
    let report = analyse(&[file], None);
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(
        denied_set(&report),
        ["shop/web[Deployment] => shop/db[StatefulSet] TCP 5432"]
    );
    assert!(report.denied[0].oriented_by_flags);
    assert_eq!(report.denied[0].traffic.records, 2);
    // The node's address in srcaddr is not taken for the source.
    assert!(
        report
            .edges
            .iter()
            .all(|edge| !edge.client.starts_with("node/"))
    );
    assert!(report.unattributed.is_empty());
}

#[test]
fn gzip_reads_as_plain() {
    let dir = tempfile::tempdir().unwrap();
    let text = s3_file(&all_records());
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(text.as_bytes()).unwrap();
    let compressed = encoder.finish().unwrap();
    // Named without .gz: detection is by content.
    let gz = write(
        &dir,
        "111122223333_vpcflowlogs_us-east-1_fl-1_20231114T2210Z_abcd.log",
        &compressed,
    );
    let plain = write(&dir, "plain.log", text.as_bytes());
    let from_gzip = analyse(&[gz], None);
    let from_plain = analyse(&[plain], None);
    assert_eq!(denied_set(&from_gzip), EXPECTED_DENIED);
    assert_eq!(from_gzip.counts, from_plain.counts);
    assert_eq!(from_gzip.edges, from_plain.edges);
}

#[test]
fn cloudwatch_filter_log_events_output() {
    let events: Vec<serde_json::Value> = all_records()
        .iter()
        .enumerate()
        .map(|(index, message)| {
            serde_json::json!({
                "logStreamName": "eni-web1-all",
                "timestamp": 1_700_000_000_000u64 + index as u64,
                "message": message,
                "ingestionTime": 1_700_000_100_000u64,
                "eventId": format!("3766{index:04}")
            })
        })
        .collect();
    let document = serde_json::json!({
        "events": events,
        "searchedLogStreams": [{"logStreamName": "eni-web1-all", "searchedCompletely": true}]
    });
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        &dir,
        "events.json",
        serde_json::to_string_pretty(&document).unwrap().as_bytes(),
    );
    let report = analyse(&[file], None);
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(denied_set(&report), EXPECTED_DENIED);
    assert_eq!(report.counts.records, 19);
    // The first record of web -> db is the 12th event.
    let web_db = report
        .denied
        .iter()
        .find(|flow| &*flow.server == "shop/db[StatefulSet]")
        .unwrap();
    assert!(
        web_db
            .first_record
            .to_string()
            .ends_with("events.json (event 12)"),
        "{}",
        web_db.first_record
    );
}

#[test]
fn cloudwatch_export_lines_and_a_given_format() {
    // An S3 export of a log group: a timestamp before each record, no header; the flow log's
    // custom format given by the user.
    let format = Format::parse(
        "${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${bytes} ${packets} ${action}",
    )
    .unwrap();
    let text = "2023-11-14T22:13:20.000Z 10.0.1.40 10.0.1.20 43000 9100 6 500 5 ACCEPT\n\
                2023-11-14T22:13:21.000Z 10.0.1.10 10.0.1.20 40000 9090 6 500 5 ACCEPT\n";
    let dir = tempfile::tempdir().unwrap();
    let file = write(&dir, "000000.gz.txt", text.as_bytes());
    let report = analyse(&[file], Some(&format));
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(
        denied_set(&report),
        ["monitoring/scraper[DaemonSet] => shop/api[Deployment] TCP 9100"]
    );
    assert_eq!(report.denied[0].traffic.bytes, 500);
}

#[test]
fn malformed_lines_are_reported_with_file_and_line_and_skipped() {
    let mut records = all_records();
    records.insert(
        2,
        "2 111122223333 eni-web1 10.0.1.10 not-an-address 1 2 6 1 1 1 1 ACCEPT OK".to_string(),
    );
    records.insert(5, "2 111122223333 eni-web1 10.0.1.10".to_string());
    let dir = tempfile::tempdir().unwrap();
    let file = write(&dir, "broken.log", s3_file(&records).as_bytes());
    let report = analyse(std::slice::from_ref(&file), None);
    assert_eq!(report.counts.malformed, 2);
    assert_eq!(report.problems.len(), 2);
    assert!(
        report.problems[0].starts_with(&format!(
            "error: {file}:4: field dstaddr: \"not-an-address\""
        )),
        "{}",
        report.problems[0]
    );
    assert!(
        report.problems[1].starts_with(&format!(
            "error: {file}:7: 4 fields where the format has 14"
        )),
        "{}",
        report.problems[1]
    );
    // The rest is still read.
    assert_eq!(denied_set(&report), EXPECTED_DENIED);
    assert_eq!(report.counts.records, 19);
}

#[test]
fn top_talkers_and_graph() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(&dir, "flows.log", s3_file(&all_records()).as_bytes());
    let report = analyse(&[file], None);
    let web = report
        .talkers
        .iter()
        .find(|talker| &*talker.workload == "shop/web[Deployment]")
        .unwrap();
    // Out: to api, resolver, internet reply, db. In: api reply, resolver reply, internet, node probe.
    assert_eq!(web.bytes_out, 4000);
    assert_eq!(web.bytes_in, 4000);
    // Edges go from client to server; replies join their connection's edge.
    let edge = |client: &str, server: &str| {
        report
            .edges
            .iter()
            .find(|edge| &*edge.client == client && &*edge.server == server)
    };
    let web_api = edge("shop/web[Deployment]", "shop/api[Deployment]").unwrap();
    assert_eq!(web_api.traffic.records, 2);
    let ports: Vec<String> = web_api.ports.iter().map(ToString::to_string).collect();
    assert_eq!(ports, ["TCP 9090"]);
    assert!(!web_api.denied);
    assert!(edge("shop/api[Deployment]", "shop/web[Deployment]").is_none());
    assert!(
        edge("shop/web[Deployment]", "shop/db[StatefulSet]")
            .unwrap()
            .denied
    );
    let dot = flows::report::write_dot(&report);
    assert!(dot.starts_with("digraph {\n"), "{dot}");
    assert!(dot.contains(
        "\t\"shop/web[Deployment]\" -> \"shop/db[StatefulSet]\" [label=\"TCP 5432 (1000 B)\" color=\"red\" fontcolor=\"red\"]\n"
    ), "{dot}");
    let html = flows::report::write_html(&report, 10);
    assert!(html.contains("Content-Security-Policy"));
    assert!(!html.contains("src=\"http"), "no external resources");
    assert!(html.contains("<svg"));
    assert!(html.contains("shop/web[Deployment]"));
}

/// Counts what the reader hands over.
#[derive(Default)]
struct Counter {
    records: usize,
    problems: usize,
}

impl flows::Sink for Counter {
    fn record(&mut self, _: &flows::FlowRecord<'_>, _: flows::reader::Position<'_>) {
        self.records += 1;
    }
    fn problem(&mut self, _: garrison_core::Diagnostic) {
        self.problems += 1;
    }
}

#[test]
fn mangled_input_is_reported_never_a_panic() {
    // Valid records with bytes replaced, cut or repeated, and random bytes after each kind of
    // opening (records, a header, JSON, gzip): every line is a record or a problem.
    let base = s3_file(&all_records()).into_bytes();
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let alphabet = b" -.:0123456789abcdefABCDEF{}[]\",\n\tTZ";
    for round in 0..3000 {
        let mut input = base.clone();
        for _ in 0..(next() % 8 + 1) {
            let at = (next() as usize) % input.len();
            match next() % 3 {
                0 => input[at] = alphabet[(next() as usize) % alphabet.len()],
                1 => {
                    input.remove(at);
                }
                _ => input.insert(at, alphabet[(next() as usize) % alphabet.len()]),
            }
        }
        if round % 4 == 1 {
            input = input[(next() as usize) % input.len()..].to_vec();
        }
        if round % 4 == 2 {
            let mut json = b"{\"events\": [{\"message\": \"".to_vec();
            json.extend(
                input
                    .iter()
                    .take(200)
                    .filter(|b| **b != b'"' && **b != b'\\' && **b != b'\n'),
            );
            json.extend_from_slice(b"\"}, ");
            json.extend((0..(next() % 64)).map(|_| alphabet[(next() as usize) % alphabet.len()]));
            input = json;
        }
        if round % 4 == 3 {
            input = [0x1f, 0x8b]
                .into_iter()
                .chain(input.into_iter().take(300))
                .collect();
        }
        let mut counter = Counter::default();
        flows::read_stream("mangled", input.as_slice(), None, &mut counter);
        let lines = input.iter().filter(|b| **b == b'\n').count() + 1;
        assert!(
            counter.records + counter.problems <= lines.max(1) + 64,
            "round {round}: {} records, {} problems from {lines} lines",
            counter.records,
            counter.problems
        );
    }
}

#[test]
fn generated_records_read_back_exactly() {
    let format = Format::default();
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..2000 {
        let src: std::net::IpAddr = if next() % 4 == 0 {
            std::net::Ipv6Addr::from(u128::from(next()) << 64 | u128::from(next())).into()
        } else {
            std::net::Ipv4Addr::from(next() as u32).into()
        };
        let dst: std::net::IpAddr = std::net::Ipv4Addr::from(next() as u32).into();
        let (sport, dport, proto) = (next() as u16, next() as u16, next() as u8);
        let (packets, bytes, start) = (next() >> 20, next() >> 10, next() >> 32);
        let action = if next() % 2 == 0 { "ACCEPT" } else { "REJECT" };
        let line = format!(
            "2 123456789012 eni-{:x} {src} {dst} {sport} {dport} {proto} {packets} {bytes} {start} {} {action} OK",
            next(),
            start + 60
        );
        let record = format.record(line.as_bytes()).unwrap();
        assert_eq!(record.srcaddr, Some(src), "{line}");
        assert_eq!(record.dstaddr, Some(dst));
        assert_eq!(
            (record.srcport, record.dstport, record.protocol),
            (Some(sport), Some(dport), Some(proto))
        );
        assert_eq!((record.packets, record.bytes), (packets, bytes));
        assert_eq!((record.start, record.end), (Some(start), Some(start + 60)));
        assert_eq!(
            record.action == Some(flows::reader::FlowAction::Accept),
            action == "ACCEPT"
        );
    }
}

#[test]
fn replicas_of_one_workload_are_judged_a_pod_with_itself_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        &dir,
        "replicas.log",
        s3_file(&[
            // One web replica to the other: web admits only addresses outside 10.0.0.0/8.
            record("eni-web1", "10.0.1.10", "10.0.2.10", 40100, 8080, 6),
            // A pod to its own address never leaves it; were it logged, it is not judged.
            record("eni-web1", "10.0.1.10", "10.0.1.10", 40200, 8080, 6),
        ])
        .as_bytes(),
    );
    let report = analyse(&[file], None);
    assert_eq!(
        denied_set(&report),
        ["shop/web[Deployment] => shop/web[Deployment] TCP 8080"]
    );
    assert_eq!(report.denied[0].traffic.records, 1);
    assert_eq!(report.counts.evaluated, 1);
}

#[test]
fn edges_and_denied_flows_are_ordered_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(&dir, "flows.log", s3_file(&all_records()).as_bytes());
    let report = analyse(&[file], None);
    let edges: Vec<(String, String)> = report
        .edges
        .iter()
        .map(|edge| (edge.client.to_string(), edge.server.to_string()))
        .collect();
    assert!(edges.len() > 3, "{edges:?}");
    let mut sorted = edges.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(
        edges, sorted,
        "edges by client, then server name, each pair once"
    );
    let denied: Vec<(String, String, &str, u16)> = report
        .denied
        .iter()
        .map(|flow| {
            (
                flow.client.to_string(),
                flow.server.to_string(),
                flow.protocol,
                flow.port,
            )
        })
        .collect();
    assert!(denied.len() > 1, "{denied:?}");
    let mut sorted = denied.clone();
    sorted.sort();
    assert_eq!(denied, sorted);
}

#[test]
fn denied_traffic_of_a_key_counts_only_its_denied_records() {
    // Two clients outside the VPC share the party `{external}`: 203.0.113.7 may reach web on
    // http, 10.200.0.1 (inside 10.0.0.0/8, outside the VPC) may not. The key (external, web,
    // TCP 8080) thus has denied and allowed records, in every order.
    let line = |src: &str, bytes: u64, start: u64| {
        format!(
            "2 111122223333 eni-web2 {src} 10.0.2.10 {} 8080 6 1 {bytes} {start} {} ACCEPT OK",
            40000 + start % 1000,
            start + 10
        )
    };
    let allowed = |bytes, start| line("203.0.113.7", bytes, start);
    let denied = |bytes, start| line("10.200.0.1", bytes, start);
    let cases = [
        (
            "allowed first",
            vec![allowed(100, 1000), denied(200, 1100), denied(400, 1200)],
        ),
        (
            "allowed between",
            vec![denied(200, 1100), allowed(100, 1000), denied(400, 1200)],
        ),
        (
            "allowed last",
            vec![denied(200, 1100), denied(400, 1200), allowed(100, 1300)],
        ),
        ("denied only", vec![denied(200, 1100), denied(400, 1200)]),
    ];
    for (case, records) in cases {
        let dir = tempfile::tempdir().unwrap();
        let file = write(&dir, "flows.log", s3_file(&records).as_bytes());
        let report = analyse(&[file], None);
        assert_eq!(
            denied_set(&report),
            ["{external} => shop/web[Deployment] TCP 8080"],
            "{case}"
        );
        let traffic = &report.denied[0].traffic;
        assert_eq!(
            (traffic.records, traffic.bytes, traffic.packets),
            (2, 600, 2),
            "{case}"
        );
        assert_eq!(
            (traffic.first_seen, traffic.last_seen),
            (Some(1100), Some(1210)),
            "{case}"
        );
        let edge = report
            .edges
            .iter()
            .find(|edge| &*edge.client == "{external}" && &*edge.server == "shop/web[Deployment]")
            .unwrap();
        let all: u64 = records.len() as u64;
        assert_eq!(edge.traffic.records, all, "{case}");
        assert!(edge.denied, "{case}");
    }
}

#[test]
fn long_inputs_keep_their_order_positions_and_duplicates() {
    // Records are analysed in groups: hundreds of allowed records around the denied ones,
    // across two files, must give the same result as the records alone, with the first
    // denied record's file and line, and a duplicate recognised across a group's end and
    // across files.
    let filler = |count: usize| -> Vec<String> {
        (0..count)
            .map(|index| {
                record(
                    "eni-web1",
                    "10.0.1.10",
                    "10.0.1.20",
                    20000 + index as u16,
                    9090,
                    6,
                )
            })
            .collect()
    };
    let web_db = record("eni-web1", "10.0.1.10", "10.0.2.30", 42000, 5432, 6);
    let web_db_other_end = record("eni-db", "10.0.1.10", "10.0.2.30", 42000, 5432, 6);
    let mut first = filler(63);
    first.push(web_db.clone());
    first.push(web_db_other_end.clone());
    first.extend(filler(100));
    let mut second = filler(70);
    second.push(web_db_other_end);
    second.push(record("eni-scr", "10.0.1.40", "10.0.1.20", 43000, 9100, 6));
    let dir = tempfile::tempdir().unwrap();
    let one = write(&dir, "a.log", s3_file(&first).as_bytes());
    let two = write(&dir, "b.log", s3_file(&second).as_bytes());
    let report = analyse(&[one, two], None);
    assert_eq!(
        denied_set(&report),
        [
            "monitoring/scraper[DaemonSet] => shop/api[Deployment] TCP 9100",
            "shop/web[Deployment] => shop/db[StatefulSet] TCP 5432",
        ]
    );
    // The header is line 1: web -> db is line 65 of a.log, the scraper line 73 of b.log.
    let position = |needle: &str| {
        report
            .denied
            .iter()
            .find(|flow| flow.server.contains(needle))
            .unwrap()
            .first_record
            .to_string()
    };
    assert!(position("db").ends_with("a.log:65"), "{}", position("db"));
    assert!(position("api").ends_with("b.log:73"), "{}", position("api"));
    // The copy from the db's interface, right after the group's first 64 records and again
    // in the second file, is one duplicate each time.
    assert_eq!(report.counts.duplicates, 2);
    assert_eq!(report.counts.accepted, (63 + 1 + 100 + 70 + 1) as u64);
    let web_db_flow = report
        .denied
        .iter()
        .find(|flow| flow.server.contains("db"))
        .unwrap();
    assert_eq!(web_db_flow.traffic.records, 1);
}
