//! `garrison netpol flows` end to end: a snapshot with known policies and flow-log files in
//! the default format with the S3 header line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{garrison, stderr, stdout};

fn snapshot() -> String {
    format!(
        "{}/../garrison-netpol/tests/data/flows-snapshot",
        env!("CARGO_MANIFEST_DIR")
    )
}

const HEADER: &str = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n";

fn log_file(dir: &tempfile::TempDir, name: &str, records: &[&str]) -> String {
    let mut text = HEADER.to_string();
    for record in records {
        text.push_str(record);
        text.push('\n');
    }
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

const WEB_TO_API: &str = "2 111122223333 eni-web1 10.0.1.10 10.0.1.20 40000 9090 6 10 1000 1700000000 1700000060 ACCEPT OK";
const WEB_TO_DB: &str = "2 111122223333 eni-web1 10.0.1.10 10.0.2.30 42000 5432 6 10 1000 1700000000 1700000060 ACCEPT OK";
const API_TO_METADATA: &str = "2 111122223333 eni-api 10.0.1.20 169.254.169.254 50000 80 6 4 400 1700000000 1700000060 ACCEPT OK";

#[test]
fn denied_flows_fail_the_command() {
    let dir = tempfile::tempdir().unwrap();
    let file = log_file(&dir, "flows.log", &[WEB_TO_API, WEB_TO_DB, API_TO_METADATA]);
    let output = garrison(&["netpol", "flows", "--snapshot", &snapshot(), &file]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}{}", stderr(&output));
    assert!(
        text.contains("  DENIED-BUT-SEEN shop/web[Deployment] => shop/db[StatefulSet] : TCP 5432 (10.0.1.10 -> 10.0.2.30;"),
        "{text}"
    );
    assert!(
        !text.contains("=> shop/api[Deployment] : TCP 9090"),
        "{text}"
    );
    assert!(
        text.contains("  METADATA shop/api[Deployment] => 169.254.169.254 ("),
        "{text}"
    );
    assert!(text.contains("AWS does not record traffic to the instance metadata service"));
    assert!(
        text.starts_with("3 records: 3 accepted, 0 rejected"),
        "{text}"
    );
}

#[test]
fn allowed_flows_pass_and_formats_render() {
    let dir = tempfile::tempdir().unwrap();
    let file = log_file(&dir, "flows.log", &[WEB_TO_API]);
    let output = garrison(&["netpol", "flows", "--snapshot", &snapshot(), &file]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(stdout(&output).contains("Accepted flows the NetworkPolicies deny: 0\n"));

    let output = garrison(&[
        "netpol",
        "flows",
        "--snapshot",
        &snapshot(),
        &file,
        "-f",
        "json",
    ]);
    let value: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(value["counts"]["accepted"], 1);
    assert_eq!(value["edges"][0]["client"], "shop/web[Deployment]");
    assert_eq!(value["edges"][0]["server"], "shop/api[Deployment]");
    assert_eq!(value["denied"].as_array().unwrap().len(), 0);

    let output = garrison(&[
        "netpol",
        "flows",
        "--snapshot",
        &snapshot(),
        &file,
        "-f",
        "dot",
    ]);
    assert!(stdout(&output).contains(
        "\t\"shop/web[Deployment]\" -> \"shop/api[Deployment]\" [label=\"TCP 9090 (1000 B)\" color=\"darkgreen\""
    ));

    let output = garrison(&[
        "netpol",
        "flows",
        "--snapshot",
        &snapshot(),
        &file,
        "-f",
        "html",
    ]);
    let html = stdout(&output);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("Content-Security-Policy"));
}

#[test]
fn malformed_lines_go_to_stderr_and_bad_usage_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let file = log_file(
        &dir,
        "flows.log",
        &[WEB_TO_API, "2 1 eni-x 10.0.1.10 10.0.1.20 1 2 6"],
    );
    let output = garrison(&["netpol", "flows", "--snapshot", &snapshot(), &file]);
    assert_eq!(output.status.code(), Some(0));
    assert!(
        stderr(&output).contains(&format!(
            "error: {file}:3: 8 fields where the format has 14"
        )),
        "{}",
        stderr(&output)
    );
    let output = garrison(&[
        "netpol",
        "flows",
        "--snapshot",
        &snapshot(),
        "--log-format",
        "srcaddr nonsense",
        &file,
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--log-format: \"nonsense\" is not a VPC flow log field"));
}
