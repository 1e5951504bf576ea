//! `garrison report`: re-render a saved JSON result in another format, and what the commands
//! that write reports share (the ASFF target options, writing to a file or standard output).

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;
use garrison_core::{Diagnostic, DiagnosticLevel, Finding, ObjectRef, Status, Summary};
use garrison_report::asff::{Target, TargetInput};
use garrison_report::{Format, Report, render_to};
use serde_json::Value;

use super::CommandError;

/// Where `--format asff` findings are imported. Flags win over the environment, which wins over
/// the cluster ARN found in the findings.
#[derive(Debug, Default, Args)]
pub struct AsffArgs {
    /// ASFF: the AWS account the findings belong to [env: AWS_ACCOUNT_ID; default: from the cluster ARN].
    #[arg(long, value_name = "ID")]
    aws_account_id: Option<String>,
    /// ASFF: the region to import into [env: AWS_REGION, AWS_DEFAULT_REGION; default: from the cluster ARN].
    #[arg(long, value_name = "REGION")]
    aws_region: Option<String>,
    /// ASFF: the product ARN [default: arn:aws:securityhub:REGION:ACCOUNT:product/ACCOUNT/default].
    #[arg(long, value_name = "ARN")]
    product_arn: Option<String>,
}

impl AsffArgs {
    /// The ASFF target for `findings`, with `CreatedAt`/`UpdatedAt` now or at
    /// `SOURCE_DATE_EPOCH` (seconds) when set, for reproducible output.
    pub fn target(
        &self,
        findings: &[Finding],
        cluster_arn: Option<&str>,
    ) -> Result<Target, CommandError> {
        let env = |name: &str| std::env::var(name).ok().filter(|value| !value.is_empty());
        let input = TargetInput {
            account_id: self
                .aws_account_id
                .clone()
                .or_else(|| env("AWS_ACCOUNT_ID")),
            region: self
                .aws_region
                .clone()
                .or_else(|| env("AWS_REGION"))
                .or_else(|| env("AWS_DEFAULT_REGION")),
            product_arn: self.product_arn.clone(),
            cluster_arn: cluster_arn.map(str::to_string),
        };
        let timestamp = match env("SOURCE_DATE_EPOCH") {
            Some(text) => text
                .parse::<i64>()
                .ok()
                .and_then(|seconds| jiff::Timestamp::from_second(seconds).ok())
                .ok_or_else(|| {
                    CommandError::Usage(format!(
                        "SOURCE_DATE_EPOCH={text:?} is not a number of seconds"
                    ))
                })?,
            None => jiff::Timestamp::now(),
        };
        let timestamp = timestamp.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
        Target::resolve(&input, findings, timestamp).map_err(CommandError::Usage)
    }
}

/// Writes `report` in `format` to `output` or standard output; a reader that stops early
/// (`| head`) is not an error.
pub fn write_report(
    format: Format,
    report: &Report<'_>,
    output: Option<&Path>,
) -> Result<(), CommandError> {
    let color = output.is_none()
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none();
    let written = match output {
        Some(path) => std::fs::File::create(path).and_then(|file| {
            let mut out = std::io::BufWriter::new(file);
            render_to(format, report, color, &mut out)?;
            out.flush()
        }),
        None => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            render_to(format, report, color, &mut out).and_then(|()| out.flush())
        }
    };
    let written = written.or_else(|error| match error.kind() {
        std::io::ErrorKind::BrokenPipe => Ok(()),
        _ => Err(error),
    });
    written.map_err(|source| CommandError::Write {
        path: output.map_or("standard output".to_string(), |path| {
            path.display().to_string()
        }),
        source,
    })
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A saved `garrison scan --format json` result, or `-` for stdin.
    findings: String,
    /// Output format: table, json, sarif, junit, asff, openreports, policyreport or html.
    #[arg(long, short = 'f', default_value = "table", value_parser = Format::NAMES)]
    format: String,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    #[command(flatten)]
    asff: AsffArgs,
}

/// A saved result, rebuilt: the findings it lists and what it recorded about the scan.
struct Saved {
    version: String,
    summary: Summary,
    objects: usize,
    files: usize,
    cluster_arn: Option<String>,
    findings: Vec<Finding>,
    diagnostics: Vec<Diagnostic>,
}

pub fn run(args: ReportArgs) -> Result<ExitCode, CommandError> {
    let format = Format::parse(&args.format)
        .ok_or_else(|| CommandError::Usage(format!("unknown format {:?}", args.format)))?;
    let (name, text) = if args.findings == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|error| CommandError::Usage(format!("cannot read standard input: {error}")))?;
        ("standard input".to_string(), text)
    } else {
        let text = std::fs::read_to_string(&args.findings).map_err(|error| {
            CommandError::Usage(format!("cannot read {}: {error}", args.findings))
        })?;
        (args.findings.clone(), text)
    };
    let saved =
        parse(&text).map_err(|message| CommandError::Usage(format!("{name}: {message}")))?;
    let asff = match format {
        Format::Asff => Some(
            args.asff
                .target(&saved.findings, saved.cluster_arn.as_deref())?,
        ),
        _ => None,
    };
    let report = Report {
        tool_version: &saved.version,
        findings: &saved.findings,
        diagnostics: &saved.diagnostics,
        objects: saved.objects,
        files: saved.files,
        cluster_arn: saved.cluster_arn.clone(),
        // The saved result holds exactly the findings its scan listed: list them all.
        show_suppressed: true,
        include_passed: true,
        passes_not_listed: (0, 0),
        recorded_summary: Some(saved.summary.clone()),
        asff,
        // A saved result lists findings, not the benchmark view of `--profile`.
        benchmark: None,
    };
    // JUnit has a test case per result, passes and suppressed ones included; a result saved
    // without them cannot give those cases back.
    let listed = Summary::of(&saved.findings);
    if format == Format::Junit
        && (listed.pass < saved.summary.pass || listed.suppressed < saved.summary.suppressed)
    {
        eprintln!(
            "note: {name} does not list every passed or suppressed result (saved without \
             --include-passed --show-suppressed); the JUnit report has test cases only for \
             the {} results it lists",
            saved.findings.len()
        );
    }
    write_report(format, &report, args.output.as_deref())?;
    Ok(ExitCode::SUCCESS)
}

/// Rebuilds a saved JSON result (schema `schemas/garrison-scan.schema.json`); the message of an
/// error names the finding or field that is wrong.
fn parse(text: &str) -> Result<Saved, String> {
    let document: Value = serde_json::from_str(text)
        .map_err(|error| format!("not JSON (line {}): {error}", error.line()))?;
    if document["tool"]["name"] != "garrison" {
        return Err("not a garrison result: tool.name is not \"garrison\"".to_string());
    }
    let version = string(&document["tool"]["version"], "tool.version")?;
    let count = |field: &str| -> Result<usize, String> {
        document["summary"][field]
            .as_u64()
            .map(|value| value as usize)
            .ok_or_else(|| format!("summary.{field} is missing or not a count"))
    };
    let summary = Summary {
        fail: count("fail")?,
        warn: count("warn")?,
        unknown: count("unknown")?,
        pass: count("pass")?,
        not_applicable: count("not_applicable")?,
        suppressed: count("suppressed")?,
        critical: count("critical")?,
        high: count("high")?,
        medium: count("medium")?,
        low: count("low")?,
        info: count("info")?,
    };
    // Results saved before `scanned` existed do not record it.
    let scanned = |field: &str| document["scanned"][field].as_u64().unwrap_or(0) as usize;
    let findings = document["findings"]
        .as_array()
        .ok_or("findings is missing or not an array")?
        .iter()
        .enumerate()
        .map(|(index, finding)| {
            parse_finding(finding).map_err(|error| format!("findings[{index}]: {error}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let diagnostics = document["diagnostics"]
        .as_array()
        .ok_or("diagnostics is missing or not an array")?
        .iter()
        .enumerate()
        .map(|(index, diagnostic)| {
            parse_diagnostic(diagnostic).map_err(|error| format!("diagnostics[{index}]: {error}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Saved {
        version,
        summary,
        objects: scanned("objects"),
        files: scanned("files"),
        cluster_arn: optional(&document["scanned"]["cluster_arn"], "scanned.cluster_arn")?,
        findings,
        diagnostics,
    })
}

fn string(value: &Value, field: &str) -> Result<String, String> {
    value
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("{field} is missing or not a string"))
}

fn optional(value: &Value, field: &str) -> Result<Option<String>, String> {
    match value {
        Value::Null => Ok(None),
        Value::String(text) => Ok(Some(text.clone())),
        _ => Err(format!("{field} is not a string or null")),
    }
}

fn parse_finding(value: &Value) -> Result<Finding, String> {
    let id = string(&value["check"], "check")?;
    let check = garrison_checks::find_check(&id)
        .filter(|check| check.meta.id == id)
        .ok_or_else(|| format!("check {id} is not in this garrison's catalogue"))?;
    let status: Status = serde_json::from_value(value["status"].clone())
        .map_err(|_| format!("status {} is not a garrison status", value["status"]))?;
    let object = &value["object"];
    let arc = |text: Option<String>| text.map(Arc::<str>::from);
    let line = match &object["line"] {
        Value::Null => None,
        line => Some(
            line.as_u64()
                .and_then(|line| u32::try_from(line).ok())
                .ok_or("object.line is not a line number")?,
        ),
    };
    Ok(Finding {
        check: check.meta,
        status,
        object: ObjectRef {
            kind: string(&object["kind"], "object.kind")?.into(),
            namespace: arc(optional(&object["namespace"], "object.namespace")?),
            name: string(&object["name"], "object.name")?.into(),
            arn: arc(optional(&object["arn"], "object.arn")?),
            source: arc(optional(&object["source"], "object.source")?),
            line,
        },
        pointer: optional(&value["pointer"], "pointer")?,
        message: string(&value["message"], "message")?,
        suppressed: optional(&value["suppressed"], "suppressed")?,
    })
}

fn parse_diagnostic(value: &Value) -> Result<Diagnostic, String> {
    let level = match value["level"].as_str() {
        Some("error") => DiagnosticLevel::Error,
        Some("warning") => DiagnosticLevel::Warning,
        _ => return Err(format!("level {} is not error or warning", value["level"])),
    };
    let line = match &value["line"] {
        Value::Null => None,
        line => Some(
            line.as_u64()
                .and_then(|line| u32::try_from(line).ok())
                .ok_or("line is not a line number")?,
        ),
    };
    Ok(Diagnostic {
        level,
        file: string(&value["file"], "file")?,
        line,
        message: string(&value["message"], "message")?,
    })
}
