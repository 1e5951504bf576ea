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
                for item in chunk {
                    text.extend_from_slice(b",\n    ");
                    write_nested(&mut text, &finding(item), 2)?;
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

/// `value` pretty-printed as it appears `depth` levels deep in a pretty-printed document.
fn pretty<T: Serialize + ?Sized>(value: &T, depth: usize) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    write_nested(&mut out, value, depth)?;
    Ok(out)
}

/// Appends `value` to `out` pretty-printed (two-space indentation) as it appears `depth` levels
/// deep in a pretty-printed document, in one pass: the same bytes as printing it on its own and
/// then indenting every line after the first.
fn write_nested<T: Serialize + ?Sized>(
    out: &mut Vec<u8>,
    value: &T,
    depth: usize,
) -> std::io::Result<()> {
    let mut serializer = serde_json::Serializer::with_formatter(out, Nested::new(depth));
    value
        .serialize(&mut serializer)
        .map_err(std::io::Error::other)
}

/// serde_json's pretty printing, starting `depth` levels in.
struct Nested {
    level: usize,
    has_value: bool,
}

impl Nested {
    fn new(depth: usize) -> Self {
        Nested {
            level: depth,
            has_value: false,
        }
    }

    fn newline<W: ?Sized + std::io::Write>(&self, writer: &mut W) -> std::io::Result<()> {
        writer.write_all(b"\n")?;
        for _ in 0..self.level {
            writer.write_all(b"  ")?;
        }
        Ok(())
    }

    fn open<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        bracket: &[u8],
    ) -> std::io::Result<()> {
        self.level += 1;
        self.has_value = false;
        writer.write_all(bracket)
    }

    fn close<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        bracket: &[u8],
    ) -> std::io::Result<()> {
        self.level -= 1;
        if self.has_value {
            self.newline(writer)?;
        }
        writer.write_all(bracket)
    }

    fn element<W: ?Sized + std::io::Write>(
        &self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        if !first {
            writer.write_all(b",")?;
        }
        self.newline(writer)
    }
}

impl serde_json::ser::Formatter for Nested {
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.open(writer, b"[")
    }

    fn end_array<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.close(writer, b"]")
    }

    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.element(writer, first)
    }

    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, _: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.open(writer, b"{")
    }

    fn end_object<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.close(writer, b"}")
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.element(writer, first)
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
    ) -> std::io::Result<()> {
        writer.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, _: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::write_nested;

    /// serde_json's own pretty printing with every line after the first indented by `depth`
    /// levels: what [`write_nested`] must produce.
    fn reference(value: &serde_json::Value, depth: usize) -> String {
        let text = serde_json::to_string_pretty(value).expect("serializes");
        text.replace('\n', &format!("\n{}", "  ".repeat(depth)))
    }

    #[test]
    fn nested_pretty_printing_matches_serde_json() {
        let value = serde_json::json!({
            "id": "EKS-POD-001",
            "empty_object": {},
            "empty_array": [],
            "nested": {"a": [1, {"b": null, "c": [true, false]}], "d": "x\ny \"q\""},
            "numbers": [1.5, -2, 3e20],
        });
        for depth in 0..4 {
            let mut out = Vec::new();
            write_nested(&mut out, &value, depth).expect("writes");
            assert_eq!(
                String::from_utf8(out).expect("utf-8"),
                reference(&value, depth)
            );
        }
        let mut out = Vec::new();
        write_nested(&mut out, &serde_json::json!("plain"), 3).expect("writes");
        assert_eq!(out, b"\"plain\"");
    }
}
