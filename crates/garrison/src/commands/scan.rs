//! `garrison scan`: load, check, report.

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
    /// policyreport (Kubernetes policy reports).
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
    let run = run_checks_with(&inventory, &config, &checks, args.include_passed);
    diagnostics.extend(run.diagnostics);
    for diagnostic in &diagnostics {
        eprintln!("{diagnostic}");
    }
    let (findings, passes) = (run.findings, run.passes);

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
