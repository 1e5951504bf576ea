//! `garrison scan`: load, check, report.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use garrison_checks::{CHECKS, Check, run_checks_with};
use garrison_core::loader::load_snapshot_files;
use garrison_core::{Config, DiagnosticLevel, Inventory, LoadOptions, Severity, load_paths};
use garrison_report::{Format, Report};

use super::CommandError;
use super::report::{AsffArgs, write_report};
use crate::demo;

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files, directories (recursive), cluster snapshot directories, or `-` for stdin.
    paths: Vec<String>,
    /// Scan the demo EKS cluster snapshot compiled into garrison.
    #[arg(long, conflicts_with = "paths")]
    demo: bool,
    /// Output format: table, json, sarif, junit, asff (AWS Security Hub), openreports or
    /// policyreport (Kubernetes policy reports), html (one self-contained page).
    #[arg(long, short = 'f', default_value = "table", value_parser = Format::NAMES)]
    format: String,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Exit with code 1 when a finding is at or above this severity [default: high].
    #[arg(long, value_parser = ["critical", "high", "medium", "low", "info"])]
    fail_on: Option<String>,
    /// Configuration file (suppressions, allow-lists, disabled checks).
    #[arg(long, short = 'c', value_name = "FILE")]
    config: Option<PathBuf>,
    /// List suppressed findings too, with the reason they are suppressed.
    #[arg(long)]
    show_suppressed: bool,
    /// List passed (and not applicable) results too, not only problems.
    #[arg(long)]
    include_passed: bool,
    /// Run only these checks (id or name; repeatable).
    #[arg(long = "check", value_name = "ID")]
    checks: Vec<String>,
    /// Skip files larger than this many MiB.
    #[arg(long, value_name = "MIB", default_value_t = 512)]
    max_file_size: u64,
    /// Exit with code 2 when any document could not be loaded.
    #[arg(long)]
    strict: bool,
    /// Report by benchmark instead of by finding: `cis-eks` lists every control of the CIS
    /// Amazon EKS Benchmark v1.8.0 with its status (table, json, or html beside the findings).
    #[arg(long, value_parser = ["cis-eks"], conflicts_with = "checks")]
    profile: Option<String>,
    #[command(flatten)]
    asff: AsffArgs,
}

pub fn run(args: ScanArgs) -> Result<ExitCode, CommandError> {
    let format = Format::parse(&args.format)
        .ok_or_else(|| CommandError::Usage(format!("unknown format {:?}", args.format)))?;
    let config = match &args.config {
        Some(path) => Config::load(path)?,
        None => Config::default(),
    };
    let fail_on = match &args.fail_on {
        Some(name) => Severity::parse(name),
        None => config.fail_on,
    }
    .unwrap_or(Severity::High);
    let checks = selected_checks(&args.checks)?;
    if !args.demo && args.paths.is_empty() {
        return Err(CommandError::Usage(
            "nothing to scan: give files, directories, a snapshot, `-` for stdin, or --demo"
                .to_string(),
        ));
    }

    let mut loaded = if args.demo {
        load_snapshot_files("demo-snapshot", demo::files())
    } else {
        let options = LoadOptions {
            max_file_bytes: args.max_file_size.saturating_mul(1024 * 1024),
            identity_only_kinds: Vec::new(),
            // Objects no selected check reads are kept for their identity alone.
            body_kinds: Some(garrison_checks::kinds_read(&checks)),
            separate_pod_specs: true,
        };
        load_paths(&args.paths, &options)
    };
    let files = loaded.files;
    let mut diagnostics = std::mem::take(&mut loaded.diagnostics);
    let unreadable_path = !loaded.unreadable_inputs.is_empty();
    let inventory = Inventory::new(loaded);
    diagnostics.extend(inventory.diagnostics.iter().cloned());
    // The benchmark view needs PASS results to tell a passing control from one without data.
    let list_passed = args.include_passed || args.profile.is_some();
    let run = run_checks_with(&inventory, &config, &checks, list_passed);
    diagnostics.extend(run.diagnostics);
    for diagnostic in &diagnostics {
        eprintln!("{diagnostic}");
    }
    let (findings, passes) = (run.findings, run.passes);
    // The HTML report shows the benchmark view beside the findings; other formats show it alone.
    if args.profile.is_some() && format != Format::Html {
        return cis_report(&args, format, &findings, fail_on);
    }
    let benchmark = args.profile.as_ref().map(|_| cis_benchmark(&findings));

    let report = Report {
        tool_version: env!("CARGO_PKG_VERSION"),
        findings: &findings,
        diagnostics: &diagnostics,
        objects: inventory.objects.len(),
        files,
        cluster_arn: inventory
            .snapshot
            .as_ref()
            .and_then(|snapshot| snapshot.cluster_arn())
            .map(str::to_string),
        show_suppressed: args.show_suppressed,
        include_passed: args.include_passed,
        passes_not_listed: (passes.passed, passes.suppressed),
        recorded_summary: None,
        asff: match format {
            Format::Asff => Some(args.asff.target(
                &findings,
                inventory.snapshot.as_ref().and_then(|s| s.cluster_arn()),
            )?),
            _ => None,
        },
        benchmark,
    };
    write_report(format, &report, args.output.as_deref())?;

    let load_errors = diagnostics
        .iter()
        .any(|d| d.level == DiagnosticLevel::Error);
    if unreadable_path
        || (args.strict && load_errors)
        || (inventory.objects.is_empty() && load_errors)
    {
        return Ok(ExitCode::from(2));
    }
    let failing = findings.iter().any(|finding| {
        finding.suppressed.is_none()
            && matches!(
                finding.status,
                garrison_core::Status::Fail | garrison_core::Status::Warn
            )
            && finding.check.severity >= fail_on
            // With a profile, as in `cis_report`, only the benchmark's checks decide.
            && report.benchmark.as_ref().is_none_or(|benchmark| {
                benchmark
                    .controls
                    .iter()
                    .any(|control| control.checks.iter().any(|meta| meta.id == finding.check.id))
            })
    });
    // The process ends right after this: freeing a large cluster's objects and findings one by
    // one would only delay the exit (a tenth of a second at 100,000 objects).
    std::mem::forget(findings);
    std::mem::forget(inventory);
    Ok(if failing {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn selected_checks(names: &[String]) -> Result<Vec<&'static Check>, CommandError> {
    if names.is_empty() {
        return Ok(CHECKS.iter().collect());
    }
    names
        .iter()
        .map(|name| {
            garrison_checks::find_check(name).ok_or_else(|| {
                CommandError::Usage(format!(
                    "no check with id or name {name:?}; `garrison checks` lists them"
                ))
            })
        })
        .collect()
}

/// The CIS Amazon EKS Benchmark view of `findings` for the HTML report.
fn cis_benchmark(findings: &[garrison_core::Finding]) -> garrison_report::html::Benchmark {
    use garrison_report::html::{Benchmark, BenchmarkControl};
    let controls = garrison_checks::cis::evaluate(findings)
        .into_iter()
        .map(|result| BenchmarkControl {
            id: result.control.id,
            title: result.control.title,
            automated: result.control.benchmark_automated,
            status: result.status.as_str(),
            checks: result
                .checks
                .iter()
                .filter_map(|id| garrison_checks::find_check(id).map(|check| check.meta))
                .collect(),
            fail: result.fail,
            warn: result.warn,
            unknown: result.unknown,
            pass: result.pass,
            guidance: result.control.guidance,
        })
        .collect();
    Benchmark {
        title: "CIS Amazon EKS Benchmark v1.8.0",
        controls,
    }
}

/// `--profile cis-eks`: every CIS Amazon EKS Benchmark control with its status.
fn cis_report(
    args: &ScanArgs,
    format: Format,
    findings: &[garrison_core::Finding],
    fail_on: Severity,
) -> Result<ExitCode, CommandError> {
    use garrison_checks::cis::{self, CisStatus};
    let results = cis::evaluate(findings);
    let text = match format {
        Format::Json => {
            let controls: Vec<serde_json::Value> = results
                .iter()
                .map(|result| {
                    serde_json::json!({
                        "id": result.control.id,
                        "title": result.control.title,
                        "benchmarkType": if result.control.benchmark_automated { "Automated" } else { "Manual" },
                        "status": result.status.as_str(),
                        "checks": result.checks,
                        "fail": result.fail,
                        "warn": result.warn,
                        "unknown": result.unknown,
                        "pass": result.pass,
                        "guidance": result.control.guidance,
                    })
                })
                .collect();
            let document = serde_json::json!({
                "benchmark": "CIS Amazon EKS Benchmark v1.8.0",
                "tool": { "name": "garrison", "version": env!("CARGO_PKG_VERSION") },
                "controls": controls,
            });
            let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
            text.push('\n');
            text
        }
        Format::Table => {
            let mut text = format!(
                "CIS Amazon EKS Benchmark v1.8.0: {} controls\n{:<7} {:<14} {:<28} {}\n",
                results.len(),
                "ID",
                "STATUS",
                "RESULTS",
                "TITLE"
            );
            for result in &results {
                let counts = if result.status == CisStatus::Manual {
                    "-".to_string()
                } else {
                    format!(
                        "{} fail, {} pass, {} unknown",
                        result.fail + result.warn,
                        result.pass,
                        result.unknown
                    )
                };
                text.push_str(&format!(
                    "{:<7} {:<14} {:<28} {}\n",
                    result.control.id,
                    result.status.as_str(),
                    counts,
                    result.control.title
                ));
                if result.checks.is_empty() {
                    text.push_str(&format!("        {}\n", result.control.guidance));
                } else {
                    text.push_str(&format!("        checks: {}\n", result.checks.join(", ")));
                }
            }
            let count = |status: CisStatus| results.iter().filter(|r| r.status == status).count();
            text.push_str(&format!(
                "\n{} FAIL, {} WARN, {} UNKNOWN, {} PASS, {} NOT_APPLICABLE, {} MANUAL\n",
                count(CisStatus::Fail),
                count(CisStatus::Warn),
                count(CisStatus::Unknown),
                count(CisStatus::Pass),
                count(CisStatus::NotApplicable),
                count(CisStatus::Manual)
            ));
            text
        }
        _ => {
            return Err(CommandError::Usage(
                "--profile cis-eks writes table, json or html".to_string(),
            ));
        }
    };
    let written = match &args.output {
        Some(path) => std::fs::write(path, &text),
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes()).and_then(|()| out.flush())
        }
    };
    let written = written.or_else(|error| match error.kind() {
        std::io::ErrorKind::BrokenPipe => Ok(()),
        _ => Err(error),
    });
    written.map_err(|source| CommandError::Write {
        path: args
            .output
            .as_ref()
            .map_or("standard output".to_string(), |path| {
                path.display().to_string()
            }),
        source,
    })?;
    let failing = findings.iter().any(|finding| {
        finding.suppressed.is_none()
            && matches!(
                finding.status,
                garrison_core::Status::Fail | garrison_core::Status::Warn
            )
            && finding.check.severity >= fail_on
            && results
                .iter()
                .any(|result| result.checks.contains(&finding.check.id))
    });
    Ok(if failing {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
