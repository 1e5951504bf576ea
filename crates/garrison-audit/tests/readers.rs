//! The readers on each input layout, written from the formats: JSON lines, EventList, CloudWatch
//! Logs `filter-log-events` output and S3 export, CloudTrail files, gzip; bad input reported
//! with file and line while the rest is read.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::path::Path;

use flate2::Compression;
use flate2::write::GzEncoder;
use garrison_audit::engine::Origin;
use garrison_audit::event::{AuditEvent, CloudTrailRecord};
use garrison_audit::reader::{Sink, read_inputs};
use garrison_core::Diagnostic;
use serde_json::{Value, json};

#[derive(Default)]
struct Seen {
    /// (auditID, file, line)
    events: Vec<(String, String, u32)>,
    records: Vec<String>,
    problems: Vec<Diagnostic>,
}

impl Sink for Seen {
    fn audit(&mut self, event: &AuditEvent<'_>, origin: &Origin) {
        self.events.push((
            event.audit_id.to_string(),
            origin.file.to_string(),
            origin.line,
        ));
    }
    fn cloudtrail(&mut self, record: &CloudTrailRecord<'_>, _origin: &Origin) {
        self.records.push(record.event_name.to_string());
    }
    fn problem(&mut self, diagnostic: Diagnostic) {
        self.problems.push(diagnostic);
    }
}

fn event(id: &str) -> Value {
    json!({
        "kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": id,
        "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/default/secrets/db",
        "verb": "get", "user": {"username": "alice", "groups": ["system:authenticated"]},
        "sourceIPs": ["10.0.0.1"], "userAgent": "kubectl/v1.33.0",
        "objectRef": {"resource": "secrets", "namespace": "default", "name": "db", "apiVersion": "v1"},
        "responseStatus": {"metadata": {}, "code": 200},
        "requestReceivedTimestamp": "2026-11-29T10:00:00.000000Z",
        "stageTimestamp": "2026-11-29T10:00:00.001000Z"
    })
}

fn read(paths: &[&Path]) -> Seen {
    let mut seen = Seen::default();
    let inputs: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    read_inputs(&inputs, false, &mut seen);
    seen
}

fn ids(seen: &Seen) -> Vec<&str> {
    seen.events.iter().map(|(id, _, _)| id.as_str()).collect()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

#[test]
fn json_lines_with_a_bad_line_in_the_middle() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.log");
    let text = format!(
        "{}\n{{\"kind\":\"Event\",\"verb\":\n\n{}\n{}\n",
        event("a"),
        json!({"kind": "Pod"}),
        event("b")
    );
    std::fs::write(&path, text).unwrap();
    let seen = read(&[&path]);
    assert_eq!(ids(&seen), ["a", "b"]);
    assert_eq!(seen.events[1].2, 5, "line numbers count blank lines");
    let lines: Vec<Option<u32>> = seen.problems.iter().map(|p| p.line).collect();
    assert_eq!(lines, [Some(2), Some(4)], "{:?}", seen.problems);
    assert!(seen.problems.iter().all(|p| p.file.ends_with("audit.log")));
}

#[test]
fn lines_longer_than_the_read_buffer_and_a_last_line_without_newline() {
    // Lines are read in place from a 64 KiB buffer; these straddle several fills.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.log");
    let mut big = event("big");
    big["requestObject"] = json!({"data": {"blob": "x".repeat(150_000)}});
    let text = format!(
        "{}\n{}\n\u{00ff}\u{00fe}not utf-8 below\n{}",
        event("a"),
        big,
        event("last")
    );
    let mut bytes = text.into_bytes();
    // An invalid UTF-8 byte on line 3: reported, the rest still read.
    let at = bytes.iter().position(|b| *b == 0xc3).unwrap();
    bytes[at] = 0xff;
    std::fs::write(&path, bytes).unwrap();
    let seen = read(&[&path]);
    assert_eq!(ids(&seen), ["a", "big", "last"]);
    assert_eq!(seen.events[2].2, 4);
    let lines: Vec<Option<u32>> = seen.problems.iter().map(|p| p.line).collect();
    assert_eq!(lines, [Some(3)], "{:?}", seen.problems);
    assert!(
        seen.problems[0].message.contains("UTF-8"),
        "{:?}",
        seen.problems
    );
}

#[test]
fn gzip_is_recognised_by_content() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit-2026-11-29.log");
    let text = format!("{}\n{}\n", event("a"), event("b"));
    std::fs::write(&path, gzip(text.as_bytes())).unwrap();
    assert_eq!(ids(&read(&[&path])), ["a", "b"]);
}

#[test]
fn pretty_event_list_and_single_event() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("list.json");
    let document = json!({"kind": "EventList", "apiVersion": "audit.k8s.io/v1", "metadata": {}, "items": [event("a"), event("b"), {"kind": 0}]});
    std::fs::write(&list, serde_json::to_string_pretty(&document).unwrap()).unwrap();
    let single = dir.path().join("one.json");
    std::fs::write(&single, serde_json::to_string_pretty(&event("c")).unwrap()).unwrap();
    let seen = read(&[&list, &single]);
    assert_eq!(ids(&seen), ["a", "b", "c"]);
    assert_eq!(seen.problems.len(), 1, "{:?}", seen.problems);
    assert!(
        seen.problems[0].message.contains("item 2"),
        "{}",
        seen.problems[0].message
    );
}

#[test]
fn cloudwatch_filter_log_events_output() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("filter-log-events.json");
    let message = |value: &Value| value.to_string();
    let truncated = format!("{}[Truncated...]", &message(&event("t"))[..120]);
    let document = json!({
        "events": [
            {"logStreamName": "kube-apiserver-audit-71976ca11bea5d3083393f7d32dab75b", "timestamp": 1796032800000u64, "message": message(&event("a")), "ingestionTime": 1796032801000u64, "eventId": "1"},
            {"logStreamName": "kube-apiserver-audit-71976ca11bea5d3083393f7d32dab75b", "timestamp": 1796032800001u64, "message": truncated, "ingestionTime": 1796032801000u64, "eventId": "2"},
            {"logStreamName": "kube-apiserver-audit-71976ca11bea5d3083393f7d32dab75b", "timestamp": 1796032800002u64, "message": message(&event("b")), "ingestionTime": 1796032801000u64, "eventId": "3"}
        ],
        "searchedLogStreams": [],
        "nextToken": "token"
    });
    std::fs::write(&path, serde_json::to_string_pretty(&document).unwrap()).unwrap();
    let seen = read(&[&path]);
    assert_eq!(ids(&seen), ["a", "b"]);
    assert_eq!(seen.problems.len(), 1);
    assert!(
        seen.problems[0].message.contains("truncated"),
        "{}",
        seen.problems[0].message
    );
    // The same output on one line (`--output json` piped through jq -c) reads the same.
    let compact = dir.path().join("compact.json");
    std::fs::write(&compact, document.to_string()).unwrap();
    assert_eq!(ids(&read(&[&compact])), ["a", "b"]);
}

#[test]
fn cloudwatch_s3_export_layout() {
    let dir = tempfile::tempdir().unwrap();
    let stream = dir
        .path()
        .join("exportedlogs/0f1e2d3c-task/kube-apiserver-audit-71976ca11bea5d3083393f7d32dab75b");
    std::fs::create_dir_all(&stream).unwrap();
    let text = format!(
        "2026-11-29T10:00:00.001Z {}\n2026-11-29T10:00:00.002Z {}\n",
        event("a"),
        event("b")
    );
    std::fs::write(stream.join("000000.gz"), gzip(text.as_bytes())).unwrap();
    std::fs::write(
        stream.join("000001.gz"),
        gzip(format!("2026-11-29T10:00:01.000Z {}\n", event("c")).as_bytes()),
    )
    .unwrap();
    assert_eq!(
        ids(&read(&[&dir.path().join("exportedlogs")])),
        ["a", "b", "c"]
    );
}

#[test]
fn cloudtrail_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir
        .path()
        .join("111122223333_CloudTrail_eu-west-1_20261129T1000Z_abc.json.gz");
    let records = json!({"Records": [
        {"eventVersion": "1.09", "eventSource": "eks.amazonaws.com", "eventName": "UpdateClusterConfig", "eventTime": "2026-11-29T10:00:00Z", "requestParameters": {"name": "prod"}},
        {"eventVersion": "1.09", "eventSource": "s3.amazonaws.com", "eventName": "GetObject", "eventTime": "2026-11-29T10:00:01Z"},
        {"eventVersion": "1.09"}
    ]});
    std::fs::write(&path, gzip(records.to_string().as_bytes())).unwrap();
    let seen = read(&[&path]);
    assert_eq!(seen.records, ["UpdateClusterConfig", "GetObject"]);
    assert_eq!(seen.problems.len(), 1, "{:?}", seen.problems);
    assert!(seen.problems[0].message.contains("CloudTrail"));
}

#[test]
fn missing_file_is_a_problem_not_a_panic() {
    let seen = read(&[Path::new("/nonexistent/audit.log")]);
    assert!(seen.events.is_empty());
    assert_eq!(seen.problems.len(), 1);
    assert!(seen.problems[0].message.contains("cannot read"));
}
