//! netpol-analyzer's own `list` expectations (`connlist_goodpath_manifest.json`): for every
//! (input directory, format) pair, our output must equal the expected file after normalising
//! line endings and trailing spaces.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use garrison_core::{Inventory, LoadOptions, load_paths};
use garrison_netpol::output::{self, Focus, Format};
use garrison_netpol::{Analyzer, Cluster, Direction};
use serde_json::Value;

fn corpus() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/conformance/netpol-analyzer");
    assert!(
        root.join("connlist_goodpath_manifest.json").is_file(),
        "netpol-analyzer corpus missing at {}",
        root.display()
    );
    root
}

fn normalise(text: &str) -> String {
    let text = text.replace("\r\n", "\n");
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    lines.join("\n").trim().to_string()
}

/// Why a case is not compared: a feature this implementation does not have.
fn unsupported(case: &Value) -> Option<&'static str> {
    if case["exposure"].as_bool() == Some(true) {
        return Some("exposure analysis (--exposure) is not implemented");
    }
    None
}

#[test]
fn connlist_goodpath_matches_netpol_analyzer() {
    let root = corpus();
    let manifest: Vec<Value> = serde_json::from_str(
        &std::fs::read_to_string(root.join("connlist_goodpath_manifest.json")).unwrap(),
    )
    .unwrap();
    let mut total = 0;
    let mut matched = 0;
    let mut report = Vec::new();
    for case in &manifest {
        let dir = case["dir"].as_str().unwrap();
        let expected_files = case["expected_files"].as_object().unwrap();
        let formats: Vec<(&str, &str)> = expected_files
            .iter()
            .filter(|(format, _)| *format != "svg")
            .map(|(format, file)| (format.as_str(), file.as_str().unwrap()))
            .collect();
        total += formats.len();
        if let Some(reason) = unsupported(case) {
            for (format, file) in &formats {
                report.push(format!("{dir}\t{format}\t{file}\tunsupported: {reason}"));
            }
            continue;
        }
        let input = root.join("tests").join(dir);
        let loaded = load_paths(&[input.display().to_string()], &LoadOptions::default());
        let inventory = Inventory::new(loaded);
        let cluster = Cluster::from_inventory(&inventory);
        let analyzer = Analyzer::new(&cluster);
        let mut connections = analyzer.connections();
        let mut nodes = analyzer.pods();
        let strings = |key: &str| -> Vec<String> {
            case[key]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        };
        let focus = Focus {
            workloads: strings("focusWorkloads"),
            peers: strings("focusWorkloadPeers"),
            direction: match case["focusDirection"].as_str() {
                Some("ingress") => Some(Direction::Ingress),
                Some("egress") => Some(Direction::Egress),
                _ => None,
            },
            conn: case["focusConn"]
                .as_str()
                .filter(|text| !text.is_empty())
                .map(|text| Focus::parse_conn(text).unwrap_or_else(|| panic!("focusConn {text}"))),
        };
        focus.apply(&analyzer, &mut connections, &mut nodes);
        if std::env::var("NETPOL_DEBUG").is_ok() {
            eprintln!("{dir}: {:?}", cluster.warnings);
        }
        for (format, file) in formats {
            let expected_path = root.join("test_outputs/connlist").join(file);
            let expected = std::fs::read_to_string(&expected_path)
                .unwrap_or_else(|error| panic!("{}: {error}", expected_path.display()));
            let kind = Format::parse(format).unwrap();
            let actual = match focus.conn {
                Some(conn) => output::write_pairs(&analyzer, &connections, &nodes, kind, conn),
                None => output::write(&analyzer, &connections, &nodes, kind),
            };
            if normalise(&actual) == normalise(&expected) {
                matched += 1;
            } else {
                report.push(format!("{dir}\t{format}\t{file}\tdiffers"));
                if let Ok(out) = std::env::var("NETPOL_ACTUAL_DIR") {
                    std::fs::create_dir_all(&out).unwrap();
                    std::fs::write(PathBuf::from(out).join(file), actual).unwrap();
                }
            }
        }
    }
    report.sort();
    let report_path =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("netpol-conformance-mismatches.tsv");
    std::fs::write(&report_path, report.join("\n")).unwrap();
    println!(
        "netpol-analyzer connlist: {matched} of {total} comparisons match; mismatches in {}",
        report_path.display()
    );
    assert!(
        total > 800,
        "only {total} comparisons found: is the manifest complete?"
    );
    assert!(
        matched >= MINIMUM_MATCHED,
        "{matched} of {total} match, fewer than the {MINIMUM_MATCHED} reached before"
    );
}

/// The number of matching comparisons reached so far: the test fails if a change loses any.
const MINIMUM_MATCHED: usize = 289;
