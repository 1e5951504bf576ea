//! The JSON result: a contract other commands and tools rely on. Its schema is
//! `schemas/garrison-scan.schema.json`; a test validates the output against it.

use rayon::prelude::*;
use serde::Serialize;

use garrison_core::{Finding, ObjectRef};

use crate::Report;

#[derive(Serialize)]
struct Tool<'a> {
    name: &'static str,
    version: &'a str,
}

/// How much input the scan read: `garrison report` needs it to render the table's last
/// line and to address ASFF findings.
#[derive(Serialize)]
struct Scanned<'a> {
    objects: usize,
    files: usize,
    cluster_arn: Option<&'a str>,
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

/// Streams the JSON report to `out`, pretty-printed (two-space indentation) exactly as
/// `serde_json::to_writer_pretty` prints the whole document. Findings are serialized in parallel
/// batches: a large cluster's report is hundreds of MB, most of the time of a scan if written by
/// one thread, and batches keep the memory of the text bounded.
pub fn write(report: &Report<'_>, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let tool = Tool {
        name: "garrison",
        version: report.tool_version,
    };
    out.write_all(b"{\n  \"tool\": ")?;
    out.write_all(&pretty(&tool, 1)?)?;
    out.write_all(b",\n  \"summary\": ")?;
    out.write_all(&pretty(&report.summary(), 1)?)?;
    out.write_all(b",\n  \"scanned\": ")?;
    out.write_all(&pretty(
        &Scanned {
            objects: report.objects,
            files: report.files,
            cluster_arn: report.cluster_arn.as_deref(),
        },
        1,
    )?)?;
    out.write_all(b",\n  \"findings\": [")?;
    let findings: Vec<&Finding> = report.shown().collect();
    const BATCH: usize = 8192;
    const CHUNK: usize = 256;
    let mut first = true;
    for batch in findings.chunks(BATCH) {
        let texts: Vec<std::io::Result<Vec<u8>>> = batch
            .par_chunks(CHUNK)
            .map(|chunk| {
                let mut text = Vec::with_capacity(chunk.len() * 1024);
                let mut scratch = Vec::with_capacity(2048);
                for item in chunk {
                    text.extend_from_slice(b",\n    ");
                    scratch.clear();
                    serde_json::to_writer_pretty(&mut scratch, &finding(item))
                        .map_err(std::io::Error::other)?;
                    indent_into(&scratch, 2, &mut text);
                }
                Ok(text)
            })
            .collect();
        for text in texts {
            let text = text?;
            // Every chunk starts with a separator; the array's first element has none.
            let skip = if first { 1 } else { 0 };
            first = false;
            out.write_all(&text[skip..])?;
        }
    }
    out.write_all(if findings.is_empty() { b"]" } else { b"\n  ]" })?;
    out.write_all(b",\n  \"diagnostics\": ")?;
    out.write_all(&pretty(&report.diagnostics, 1)?)?;
    out.write_all(b"\n}\n")
}

/// `value` pretty-printed as it appears `depth` levels deep in a pretty-printed document: every
/// line after the first indented by two spaces per level (JSON strings hold no raw newlines).
fn pretty<T: Serialize + ?Sized>(value: &T, depth: usize) -> std::io::Result<Vec<u8>> {
    let text = serde_json::to_vec_pretty(value).map_err(std::io::Error::other)?;
    let lines = memchr::memchr_iter(b'\n', &text).count();
    let mut out = Vec::with_capacity(text.len() + lines * depth * 2);
    indent_into(&text, depth, &mut out);
    Ok(out)
}

/// Appends pretty-printed `text` to `out` with every line after the first indented by two
/// spaces per level of `depth`.
fn indent_into(text: &[u8], depth: usize, out: &mut Vec<u8>) {
    let indent = depth * 2;
    let mut start = 0;
    for newline in memchr::memchr_iter(b'\n', text) {
        out.extend_from_slice(&text[start..=newline]);
        out.extend(std::iter::repeat_n(b' ', indent));
        start = newline + 1;
    }
    out.extend_from_slice(&text[start..]);
}
