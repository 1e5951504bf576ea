//! The JSON result: a contract other commands and tools rely on. Its schema is
//! `schemas/garrison-scan.schema.json`; a test validates the output against it.

use serde::Serialize;

use garrison_core::{Diagnostic, Finding, ObjectRef, Summary};

use crate::Report;

#[derive(Serialize)]
struct Document<'a> {
    tool: Tool<'a>,
    summary: Summary,
    findings: Vec<JsonFinding<'a>>,
    diagnostics: &'a [Diagnostic],
}

#[derive(Serialize)]
struct Tool<'a> {
    name: &'static str,
    version: &'a str,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    check: &'static str,
    name: &'static str,
    title: &'static str,
    severity: garrison_core::Severity,
    status: garrison_core::Status,
    level: garrison_core::Level,
    control: garrison_core::SeedControl,
    cis: Option<&'static str>,
    security_hub: Option<&'static str>,
    object: &'a ObjectRef,
    pointer: Option<&'a str>,
    message: &'a str,
    remediation: &'static str,
    suppressed: Option<&'a str>,
}

fn finding(finding: &Finding) -> JsonFinding<'_> {
    JsonFinding {
        check: finding.check.id,
        name: finding.check.name,
        title: finding.check.title,
        severity: finding.check.severity,
        status: finding.status,
        level: finding.check.level,
        control: finding.check.control,
        cis: finding.check.cis,
        security_hub: finding.check.security_hub,
        object: &finding.object,
        pointer: finding.pointer.as_deref(),
        message: &finding.message,
        remediation: finding.check.remediation,
        suppressed: finding.suppressed.as_deref(),
    }
}

pub fn render(report: &Report<'_>) -> String {
    let mut bytes = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = write(report, &mut bytes);
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Streams the JSON report to `out`.
pub fn write(report: &Report<'_>, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let document = Document {
        tool: Tool {
            name: "garrison",
            version: report.tool_version,
        },
        summary: report.summary(),
        findings: report.shown().map(finding).collect(),
        diagnostics: report.diagnostics,
    };
    serde_json::to_writer_pretty(&mut *out, &document).map_err(std::io::Error::other)?;
    out.write_all(b"\n")
}
