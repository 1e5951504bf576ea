//! `garrison audit`: threat detection over Kubernetes audit logs and CloudTrail EKS records.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use garrison_audit::engine::Origin;
use garrison_audit::event::{AuditEvent, CloudTrailRecord};
use garrison_audit::reader::{Sink, read_inputs};
use garrison_audit::{Config, ConfigFile, DETECTORS, Detector, Engine, docs, find_detector};
use garrison_core::{Diagnostic, DiagnosticLevel, Severity, Status};
use garrison_report::{Format, Report};
use jiff::Timestamp;

use super::CommandError;
use super::report::{AsffArgs, write_report};

#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, Subcommand)]
enum Action {
    /// Run the detectors over audit logs, CloudWatch Logs exports and CloudTrail files.
    Scan(Box<ScanArgs>),
    /// List the detectors.
    Rules {
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// Print a detector's documentation.
    Explain {
        /// Detector id (EKS-FALCO-003) or name (falco-privileged-pod).
        id: String,
    },
    /// Audit webhook backend: take the API server's EventList batches over TLS on POST /audit,
    /// run the detectors on a worker thread, write findings as JSON lines.
    Serve(Box<ServeArgs>),
    /// Write docs/audit/<id>.md and an index into DIR; with --check, only verify they are current.
    Docs {
        dir: String,
        /// Fail (exit 1) if a file is missing or differs, instead of writing.
        #[arg(long)]
        check: bool,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ListFormat {
    Table,
    Json,
}

#[derive(Debug, Args)]
struct ScanArgs {
    /// Files (gzip or not), directories (recursive, e.g. a CloudWatch Logs S3 export) or `-`
    /// for stdin.
    #[arg(required = true)]
    paths: Vec<String>,
    /// Output format: table, json, sarif, junit, asff, openreports or policyreport.
    #[arg(long, short = 'f', default_value = "table", value_parser = Format::NAMES)]
    format: String,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Only events at or after this time (RFC 3339, e.g. 2026-11-29T10:00:00Z).
    #[arg(long, value_name = "TIME")]
    since: Option<Timestamp>,
    /// Only events before this time (RFC 3339).
    #[arg(long, value_name = "TIME")]
    until: Option<Timestamp>,
    /// Read the inputs, then keep reading the last one as it grows, printing each finding as it
    /// is found (one line each; JSON lines with --format json). Stop with Ctrl-C.
    #[arg(long)]
    follow: bool,
    /// TOML file adding to the detectors' allow-lists (see README).
    #[arg(long, short = 'c', value_name = "FILE")]
    config: Option<PathBuf>,
    /// TOML file of user rules: CEL conditions over the event (see README, `garrison audit`).
    #[arg(long, value_name = "FILE")]
    rules: Option<PathBuf>,
    /// Run only these detectors (id or name; repeatable).
    #[arg(long = "detector", value_name = "ID")]
    detectors: Vec<String>,
    /// Exit with code 1 when a finding is at or above this severity.
    #[arg(long, default_value = "high", value_parser = ["critical", "high", "medium", "low", "info"])]
    fail_on: String,
    #[command(flatten)]
    asff: AsffArgs,
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// Address of the TLS listener the API server's webhook configuration points at.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:10290")]
    listen: String,
    /// The server certificate chain (PEM).
    #[arg(long, value_name = "FILE")]
    tls_cert: PathBuf,
    /// The server's private key (PEM).
    #[arg(long, value_name = "FILE")]
    tls_key: PathBuf,
    /// CA certificates (PEM) of the API server's client certificate: clients without a
    /// certificate signed by one of them are refused during the TLS handshake.
    #[arg(long, value_name = "FILE")]
    client_ca: Option<PathBuf>,
    /// Append findings (JSON lines) to FILE instead of writing them to standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Events accepted and not yet processed, at most; a batch that does not fit is answered
    /// 429 with Retry-After, and the API server sends it again.
    #[arg(long, value_name = "N", default_value_t = 20_000)]
    queue: usize,
    /// Address of a plain-HTTP listener for /metrics, /healthz and /readyz.
    #[arg(long, value_name = "ADDR")]
    metrics_listen: Option<String>,
    /// TOML file adding to the detectors' allow-lists and settings (see README).
    #[arg(long, short = 'c', value_name = "FILE")]
    config: Option<PathBuf>,
    /// TOML file of user rules (CEL conditions over the event).
    #[arg(long, value_name = "FILE")]
    rules: Option<PathBuf>,
}

pub fn run(args: AuditArgs) -> Result<ExitCode, CommandError> {
    match args.action {
        Action::Scan(args) => scan(*args),
        Action::Serve(args) => serve(*args),
        Action::Rules { format } => {
            print!("{}", list(format));
            Ok(ExitCode::SUCCESS)
        }
        Action::Explain { id } => {
            let detector = find_detector(&id).ok_or_else(|| {
                CommandError::Usage(format!(
                    "no detector with id or name {id:?}; `garrison audit rules` lists them"
                ))
            })?;
            print!("{}", docs::markdown(detector));
            Ok(ExitCode::SUCCESS)
        }
        Action::Docs { dir, check } => generate_docs(Path::new(&dir), check),
    }
}

fn list(format: ListFormat) -> String {
    match format {
        ListFormat::Json => {
            let rows: Vec<serde_json::Value> = DETECTORS
                .iter()
                .map(|detector| {
                    serde_json::json!({
                        "id": detector.meta.id,
                        "name": detector.meta.name,
                        "title": detector.meta.title,
                        "severity": detector.meta.severity,
                        "mirrors": detector.family.as_str(),
                        "remediation": detector.meta.remediation,
                    })
                })
                .collect();
            let mut text = serde_json::to_string_pretty(&rows).unwrap_or_default();
            text.push('\n');
            text
        }
        ListFormat::Table => {
            let mut text = format!(
                "{:<16} {:<9} {:<11} {:<40} {}\n",
                "ID", "SEVERITY", "MIRRORS", "NAME", "TITLE"
            );
            for detector in DETECTORS {
                let meta = detector.meta;
                text.push_str(&format!(
                    "{:<16} {:<9} {:<11} {:<40} {}\n",
                    meta.id,
                    meta.severity,
                    detector.family.as_str(),
                    meta.name,
                    meta.title
                ));
            }
            text.push_str(&format!("{} detectors\n", DETECTORS.len()));
            text
        }
    }
}

fn generate_docs(dir: &Path, check: bool) -> Result<ExitCode, CommandError> {
    super::checks::write_generated_docs(
        dir,
        check,
        &docs::generated(DETECTORS),
        &super::checks::DocsKind {
            noun: "audit detector",
            item: "detector",
            command: "audit docs",
        },
    )
}

fn load_config(path: Option<&Path>) -> Result<Config, CommandError> {
    let Some(path) = path else {
        return Ok(Config::default());
    };
    let text = std::fs::read_to_string(path)
        .map_err(|error| CommandError::Usage(format!("cannot read {}: {error}", path.display())))?;
    let file: ConfigFile = toml::from_str(&text)
        .map_err(|error| CommandError::Usage(format!("{}: {error}", path.display())))?;
    Ok(Config::with(file))
}

fn load_rules(path: Option<&Path>) -> Result<Vec<garrison_audit::rules::UserRule>, CommandError> {
    match path {
        None => Ok(Vec::new()),
        Some(path) => garrison_audit::rules::load_rules(path)
            .map_err(|error| CommandError::Usage(error.to_string())),
    }
}

fn serve(args: ServeArgs) -> Result<ExitCode, CommandError> {
    let options = garrison_server::audit::Options {
        listen: args.listen,
        metrics_listen: args.metrics_listen,
        tls: garrison_server::tls::TlsFiles {
            cert: args.tls_cert,
            key: args.tls_key,
            client_ca: args.client_ca,
        },
        output: args.output,
        queue: args.queue,
        config: load_config(args.config.as_deref())?,
        rules: load_rules(args.rules.as_deref())?,
    };
    garrison_server::audit::run_blocking(options)
        .map_err(|error| CommandError::Usage(format!("audit serve: {error}")))?;
    Ok(ExitCode::SUCCESS)
}

/// Feeds the engine the records inside the time window; with `--follow`, prints findings as
/// they come.
struct Runner<'c> {
    engine: Engine<'c>,
    diagnostics: Vec<Diagnostic>,
    since: Option<Timestamp>,
    until: Option<Timestamp>,
    /// Records outside the window or without a readable time while a window is set.
    skipped: u64,
    stream: Option<Format>,
}

impl Runner<'_> {
    fn in_window(&mut self, time: &str) -> bool {
        if self.since.is_none() && self.until.is_none() {
            return true;
        }
        let Ok(time) = time.parse::<Timestamp>() else {
            self.skipped += 1;
            return false;
        };
        let inside = self.since.is_none_or(|since| time >= since)
            && self.until.is_none_or(|until| time < until);
        if !inside {
            self.skipped += 1;
        }
        inside
    }

    /// `--follow`: print and drop the findings found so far.
    fn flush(&mut self) {
        let Some(format) = self.stream else {
            return;
        };
        let mut out = std::io::stdout().lock();
        for finding in self.engine.findings.drain(..) {
            let line = match format {
                Format::Json => garrison_audit::engine::json_line(&finding),
                _ => format!(
                    "{} {} {} {}: {}",
                    finding.check.severity.as_str().to_uppercase(),
                    finding.check.id,
                    finding.check.title,
                    finding.object.display_name(),
                    finding.message
                ),
            };
            let _ = writeln!(out, "{line}");
        }
        let _ = out.flush();
    }
}

impl Sink for Runner<'_> {
    fn audit(&mut self, event: &AuditEvent<'_>, origin: &Origin) {
        if self.in_window(&event.stage_timestamp) {
            self.engine.audit(event, origin);
            self.flush();
        }
    }

    fn cloudtrail(&mut self, record: &CloudTrailRecord<'_>, origin: &Origin) {
        if self.in_window(&record.event_time) {
            self.engine.cloudtrail(record, origin);
            self.flush();
        }
    }

    fn problem(&mut self, diagnostic: Diagnostic) {
        eprintln!("{diagnostic}");
        self.diagnostics.push(diagnostic);
    }
}

fn scan(args: ScanArgs) -> Result<ExitCode, CommandError> {
    let format = Format::parse(&args.format)
        .ok_or_else(|| CommandError::Usage(format!("unknown format {:?}", args.format)))?;
    if args.follow && !matches!(format, Format::Table | Format::Json) {
        return Err(CommandError::Usage(
            "--follow prints findings as lines: use --format table or json".to_string(),
        ));
    }
    let fail_on = Severity::parse(&args.fail_on).unwrap_or(Severity::High);
    let config = load_config(args.config.as_deref())?;
    let detectors: Vec<&'static Detector> = if args.detectors.is_empty() {
        DETECTORS.to_vec()
    } else {
        args.detectors
            .iter()
            .map(|id| {
                find_detector(id).ok_or_else(|| {
                    CommandError::Usage(format!(
                        "no detector with id or name {id:?}; `garrison audit rules` lists them"
                    ))
                })
            })
            .collect::<Result<_, _>>()?
    };
    let rules = load_rules(args.rules.as_deref())?;
    let mut runner = Runner {
        engine: Engine::new(detectors, &config).with_rules(&rules),
        diagnostics: Vec::new(),
        since: args.since,
        until: args.until,
        skipped: 0,
        stream: args.follow.then_some(format),
    };
    read_inputs(&args.paths, args.follow, &mut runner);
    let records = runner.engine.events + runner.engine.cloudtrail_records;
    if runner.skipped > 0 {
        eprintln!(
            "note: {} records outside --since/--until (or without a time) skipped",
            runner.skipped
        );
    }
    for rule in &rules {
        if let Some(error) = rule.first_error.borrow().as_ref() {
            eprintln!(
                "warning: rule {} did not evaluate on {} events (taken as no match); first error: {error}",
                rule.meta.id,
                rule.errors.get()
            );
        }
    }
    let findings = std::mem::take(&mut runner.engine.findings);
    let report = Report {
        tool_version: env!("CARGO_PKG_VERSION"),
        findings: &findings,
        diagnostics: &runner.diagnostics,
        objects: usize::try_from(records).unwrap_or(usize::MAX),
        files: args.paths.len(),
        cluster_arn: None,
        show_suppressed: false,
        include_passed: false,
        passes_not_listed: (0, 0),
        recorded_summary: None,
        // Detections have no benchmark view.
        benchmark: None,
        asff: match format {
            Format::Asff => Some(args.asff.target(&findings, None)?),
            _ => None,
        },
    };
    write_report(format, &report, args.output.as_deref())?;
    let unreadable = records == 0
        && runner
            .diagnostics
            .iter()
            .any(|d| d.level == DiagnosticLevel::Error);
    if unreadable {
        return Ok(ExitCode::from(2));
    }
    let failing = findings
        .iter()
        .any(|f| f.status == Status::Fail && f.check.severity >= fail_on);
    Ok(if failing {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
