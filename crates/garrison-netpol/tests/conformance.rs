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
fn unsupported(_case: &Value) -> Option<&'static str> {
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
        let exposure = case["exposure"].as_bool() == Some(true);
        let mut cluster = Cluster::from_inventory(&inventory);
        if exposure {
            cluster.add_representatives();
        }
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
            let multi = case["multipleNetworks"].as_bool() == Some(true);
            let actual = match focus.conn {
                _ if multi => {
                    let networks = garrison_netpol::networks::Networks::of(&inventory, &cluster);
                    let sections = garrison_netpol::networks::sections(
                        &inventory, &cluster, &networks, &focus,
                    );
                    garrison_netpol::networks::write(
                        &cluster, &networks, &sections, kind, focus.conn,
                    )
                }
                _ if exposure => {
                    let found = garrison_netpol::exposure::analyze(&analyzer, &connections, &focus);
                    output::write_exposure(
                        &analyzer,
                        &connections,
                        &nodes,
                        &found,
                        kind,
                        focus.conn,
                    )
                }
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
const MINIMUM_MATCHED: usize = 896;

/// netpol-analyzer's `diff` expectations: `diff_between_<new>_and_<old>.{txt,csv,md}`.
#[test]
fn diff_matches_netpol_analyzer() {
    let root = corpus();
    let dirs: std::collections::BTreeSet<String> = std::fs::read_dir(root.join("tests"))
        .unwrap()
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .collect();
    let mut total = 0;
    let mut matched = 0;
    let mut report = Vec::new();
    let mut files: Vec<String> = std::fs::read_dir(root.join("test_outputs/diff"))
        .unwrap()
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| name.starts_with("diff_between_"))
        .collect();
    files.sort();
    for file in files {
        let Some((stem, extension)) = file.rsplit_once('.') else {
            continue;
        };
        let writer: fn(&[garrison_netpol::diff::DiffRow]) -> String = match extension {
            "txt" => garrison_netpol::diff::write_txt,
            "csv" => garrison_netpol::diff::write_csv,
            "md" => garrison_netpol::diff::write_md,
            _ => continue,
        };
        total += 1;
        let pair = stem.trim_start_matches("diff_between_");
        let split = pair.match_indices("_and_").find_map(|(at, _)| {
            let (new, old) = (&pair[..at], &pair[at + 5..]);
            (dirs.contains(new) && dirs.contains(old)).then(|| (new.to_string(), old.to_string()))
        });
        let Some((new, old)) = split else {
            report.push(format!("{file}\tcannot tell the two directories apart"));
            continue;
        };
        let input = |dir: &str| {
            let loaded = load_paths(
                &[root.join("tests").join(dir).display().to_string()],
                &LoadOptions::default(),
            );
            let inventory = Inventory::new(loaded);
            let cluster = Cluster::from_inventory(&inventory);
            (inventory, cluster)
        };
        let (old_input, new_input) = (input(&old), input(&new));
        // netpol-analyzer analyses networks apart by default; inputs with the pod network
        // alone give the same rows either way.
        let multiple = [&old_input, &new_input].iter().any(|(inventory, cluster)| {
            garrison_netpol::networks::Networks::of(inventory, cluster)
                .networks
                .len()
                > 1
        });
        let side = |(inventory, cluster): &(Inventory, Cluster)| {
            if multiple {
                garrison_netpol::diff::side_of_networks(inventory, cluster)
            } else {
                garrison_netpol::diff::side(&Analyzer::new(cluster))
            }
        };
        let (old_rows, old_workloads) = side(&old_input);
        let (new_rows, new_workloads) = side(&new_input);
        let rows =
            garrison_netpol::diff::diff(&old_rows, &new_rows, &old_workloads, &new_workloads);
        let actual = writer(&rows);
        let expected = std::fs::read_to_string(root.join("test_outputs/diff").join(&file)).unwrap();
        if normalise(&actual) == normalise(&expected) {
            matched += 1;
        } else {
            report.push(format!("{file}\tdiffers"));
            if let Ok(out) = std::env::var("NETPOL_ACTUAL_DIR") {
                std::fs::create_dir_all(&out).unwrap();
                std::fs::write(PathBuf::from(out).join(&file), actual).unwrap();
            }
        }
    }
    let report_path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("netpol-diff-mismatches.tsv");
    std::fs::write(&report_path, report.join("\n")).unwrap();
    println!(
        "netpol-analyzer diff: {matched} of {total} comparisons match; mismatches in {}",
        report_path.display()
    );
    assert!(total > 90, "only {total} diff comparisons found");
    assert!(
        matched >= MINIMUM_DIFF_MATCHED,
        "{matched} of {total} match, fewer than the {MINIMUM_DIFF_MATCHED} reached before"
    );
}

const MINIMUM_DIFF_MATCHED: usize = 99;
