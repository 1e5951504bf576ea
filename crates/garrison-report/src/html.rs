//! The HTML report: one self-contained page (styles and script inlined, nothing fetched) that
//! a person opens from disk. The scan's data is embedded as JSON in a
//! `<script type="application/json">` element and drawn by the page's own script with
//! `textContent`, so no string from a finding is ever parsed as markup.
//!
//! The template, style sheet and script are the files beside this one in `html/`.

use std::collections::BTreeMap;
use std::io::Write;

use serde::Serialize;

use garrison_core::{CheckMeta, Finding, Level, ObjectRef, SeedControl, Severity, Status};

use crate::Report;

const TEMPLATE: &str = include_str!("html/template.html");
const STYLE: &str = include_str!("html/style.css");
const SCRIPT: &str = include_str!("html/report.js");

/// The benchmark view of a scan (`garrison scan --profile cis-eks`): every control with its
/// status, as the table and JSON renderings of the profile list them.
#[derive(Debug, Serialize)]
pub struct Benchmark {
    pub title: &'static str,
    pub controls: Vec<BenchmarkControl>,
}

#[derive(Debug, Serialize)]
pub struct BenchmarkControl {
    pub id: &'static str,
    pub title: &'static str,
    /// Whether the benchmark marks the control Automated (otherwise Manual).
    pub automated: bool,
    /// FAIL, WARN, UNKNOWN, PASS, NOT_APPLICABLE or MANUAL.
    pub status: &'static str,
    /// The checks that decide the control, written as their ids.
    #[serde(serialize_with = "check_ids")]
    pub checks: Vec<&'static CheckMeta>,
    pub fail: usize,
    pub warn: usize,
    pub unknown: usize,
    pub pass: usize,
    pub guidance: &'static str,
}

fn check_ids<S: serde::Serializer>(
    checks: &[&'static CheckMeta],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(checks.iter().map(|meta| meta.id))
}

#[derive(Serialize)]
struct Data<'a> {
    tool: Tool<'a>,
    scanned: Scanned<'a>,
    summary: garrison_core::Summary,
    severities: Vec<Severity>,
    levels: [Level; 3],
    /// Seed control ids with their titles, for the controls the listed findings name.
    controls: BTreeMap<SeedControl, &'static str>,
    /// Each check the listed findings name, once: findings refer to it by id.
    checks: BTreeMap<&'static str, CheckData>,
    findings: Vec<FindingData<'a>>,
    diagnostics: &'a [garrison_core::Diagnostic],
    benchmark: Option<&'a Benchmark>,
}

#[derive(Serialize)]
struct Tool<'a> {
    name: &'static str,
    version: &'a str,
}

#[derive(Serialize)]
struct Scanned<'a> {
    objects: usize,
    files: usize,
    cluster_arn: Option<&'a str>,
}

#[derive(Serialize)]
struct CheckData {
    name: &'static str,
    title: &'static str,
    severity: Severity,
    level: Level,
    control: SeedControl,
    cis: Option<&'static str>,
    security_hub: Option<&'static str>,
    pss: Option<&'static str>,
    remediation: &'static str,
    how_to_fix: String,
    references: Vec<String>,
}

#[derive(Serialize)]
struct FindingData<'a> {
    check: &'static str,
    status: Status,
    object: &'a ObjectRef,
    pointer: Option<&'a str>,
    message: &'a str,
    suppressed: Option<&'a str>,
}

fn check_data(meta: &CheckMeta) -> CheckData {
    CheckData {
        name: meta.name,
        title: meta.title,
        severity: meta.severity,
        level: meta.level,
        control: meta.control,
        cis: meta.cis,
        security_hub: meta.security_hub,
        pss: meta.pss,
        remediation: meta.remediation,
        how_to_fix: section(meta.doc, "How to fix").join(" "),
        references: list_items(&section(meta.doc, "References")),
    }
}

/// The lines of the `## heading` section of a check's documentation, trimmed, blank lines
/// dropped.
fn section(doc: &str, heading: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut inside = false;
    for line in doc.lines() {
        let line = line.trim();
        if let Some(title) = line.strip_prefix("## ") {
            inside = title.trim() == heading;
            continue;
        }
        if inside && !line.is_empty() {
            lines.push(line.to_string());
        }
    }
    lines
}

/// The items of a Markdown list, an item's continuation lines joined to it.
fn list_items(lines: &[String]) -> Vec<String> {
    let mut items: Vec<String> = Vec::new();
    for line in lines {
        match line.strip_prefix("- ").or_else(|| line.strip_prefix("* ")) {
            Some(item) => items.push(item.trim().to_string()),
            None => match items.last_mut() {
                Some(item) => {
                    item.push(' ');
                    item.push_str(line);
                }
                None => items.push(line.clone()),
            },
        }
    }
    items
}

/// Writes bytes through, replacing `<`, `>` and `&` with their JSON `\u` escapes. In JSON text
/// these characters occur only inside strings, where the escapes mean the same; the embedded data
/// can then never close its `<script>` element or open a comment.
struct ScriptSafe<'a> {
    out: &'a mut dyn Write,
}

impl Write for ScriptSafe<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let mut start = 0;
        for (index, byte) in bytes.iter().enumerate() {
            let escape: &[u8] = match byte {
                b'<' => b"\\u003c",
                b'>' => b"\\u003e",
                b'&' => b"\\u0026",
                _ => continue,
            };
            self.out.write_all(&bytes[start..index])?;
            self.out.write_all(escape)?;
            start = index + 1;
        }
        self.out.write_all(&bytes[start..])?;
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

pub fn render(report: &Report<'_>) -> String {
    let mut bytes = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = write(report, &mut bytes);
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Writes the page. It holds nothing but what the report holds (no time of rendering), so the
/// same scan renders the same bytes, directly or through `garrison report`.
pub fn write(report: &Report<'_>, out: &mut dyn Write) -> std::io::Result<()> {
    let shown: Vec<&Finding> = report.shown().collect();
    let mut checks = BTreeMap::new();
    let mut controls = BTreeMap::new();
    for finding in &shown {
        checks
            .entry(finding.check.id)
            .or_insert_with(|| check_data(finding.check));
        controls.insert(finding.check.control, finding.check.control.title());
    }
    if let Some(benchmark) = &report.benchmark {
        // The benchmark view names checks without listed findings too; it shows their titles.
        for meta in benchmark
            .controls
            .iter()
            .flat_map(|control| &control.checks)
        {
            checks.entry(meta.id).or_insert_with(|| check_data(meta));
            controls.insert(meta.control, meta.control.title());
        }
    }
    let data = Data {
        tool: Tool {
            name: "garrison",
            version: report.tool_version,
        },
        scanned: Scanned {
            objects: report.objects,
            files: report.files,
            cluster_arn: report.cluster_arn.as_deref(),
        },
        summary: report.summary(),
        severities: Severity::ALL.to_vec(),
        levels: [Level::Cluster, Level::Infrastructure, Level::Application],
        controls,
        checks,
        findings: shown
            .iter()
            .map(|finding| FindingData {
                check: finding.check.id,
                status: finding.status,
                object: &finding.object,
                pointer: finding.pointer.as_deref(),
                message: &finding.message,
                suppressed: finding.suppressed.as_deref(),
            })
            .collect(),
        diagnostics: report.diagnostics,
        benchmark: report.benchmark.as_ref(),
    };
    let title = match &report.cluster_arn {
        Some(arn) => format!("garrison report: {}", escape_text(arn)),
        None => "garrison report".to_string(),
    };
    // The template's placeholders, in the order they appear.
    let mut rest = TEMPLATE;
    for (placeholder, part) in [
        ("{{title}}", Part::Text(&title)),
        ("{{style}}", Part::Text(STYLE)),
        ("{{data}}", Part::Data(&data)),
        ("{{script}}", Part::Text(SCRIPT)),
    ] {
        let Some((before, after)) = rest.split_once(placeholder) else {
            return Err(std::io::Error::other(format!(
                "the HTML template has no {placeholder} after the previous placeholder"
            )));
        };
        out.write_all(before.as_bytes())?;
        match part {
            Part::Text(text) => out.write_all(text.as_bytes())?,
            Part::Data(data) => {
                serde_json::to_writer(ScriptSafe { out: &mut *out }, data)
                    .map_err(std::io::Error::other)?;
            }
        }
        rest = after;
    }
    out.write_all(rest.as_bytes())
}

enum Part<'a> {
    Text(&'a str),
    Data(&'a Data<'a>),
}

/// `text` with the characters that are markup in HTML text replaced by references.
fn escape_text(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '&' => escaped.push_str("&amp;"),
            '"' => escaped.push_str("&quot;"),
            other => escaped.push(other),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use std::sync::Arc;

    use garrison_core::{Level, ObjectRef, SeedControl, Severity, Status};
    use serde_json::Value;

    use super::*;

    static META: CheckMeta = CheckMeta {
        id: "TEST-001",
        name: "test-check",
        title: "A test check <b>",
        severity: Severity::High,
        level: Level::Application,
        control: SeedControl::PodSecurity,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Fix it & move on.",
        doc: " ## What it does\n Tests.\n\n ## How to fix\n Set `a`\n to b.\n\n ## References\n - First one\n   continued\n - Second <two>\n",
    };

    const HOSTILE: &str = "</script><script>alert(1)</script><!-- & -->\u{2028}";

    fn report_of(findings: &[Finding]) -> String {
        let report = Report {
            tool_version: "0",
            findings,
            diagnostics: &[],
            objects: 1,
            files: 1,
            cluster_arn: Some("arn:aws:eks:eu-west-1:1:cluster/<x>".to_string()),
            show_suppressed: false,
            include_passed: false,
            passes_not_listed: (0, 0),
            recorded_summary: None,
            asff: None,
            benchmark: None,
        };
        render(&report)
    }

    fn hostile_finding() -> Finding {
        Finding {
            check: &META,
            status: Status::Fail,
            object: ObjectRef {
                kind: Arc::from("Pod"),
                namespace: Some(Arc::from(HOSTILE)),
                name: Arc::from(HOSTILE),
                arn: None,
                source: Some(Arc::from("a&b.yaml")),
                line: Some(3),
            },
            pointer: Some(HOSTILE.to_string()),
            message: HOSTILE.to_string(),
            suppressed: None,
        }
    }

    /// The text of the embedded data element.
    fn embedded(page: &str) -> &str {
        let start = page
            .find(r#"<script type="application/json" id="garrison-data">"#)
            .expect("the page embeds its data");
        let rest = &page[start..];
        let open_end = rest.find('>').unwrap() + 1;
        let close = rest.find("</script>").unwrap();
        &rest[open_end..close]
    }

    #[test]
    fn data_cannot_leave_its_script_element_and_reads_back_unchanged() {
        let page = report_of(&[hostile_finding()]);
        let data = embedded(&page);
        for forbidden in ['<', '>', '&'] {
            assert!(
                !data.contains(forbidden),
                "the embedded data holds a raw {forbidden:?}"
            );
        }
        let value: Value = serde_json::from_str(data).unwrap();
        let finding = &value["findings"][0];
        assert_eq!(finding["message"], HOSTILE);
        assert_eq!(finding["object"]["name"], HOSTILE);
        assert_eq!(finding["pointer"], HOSTILE);
        assert_eq!(value["checks"]["TEST-001"]["title"], "A test check <b>");
        // Exactly one script element is closed per script the template has: the data's closing
        // tag is the template's own.
        assert_eq!(page.matches("</script>").count(), 2);
        assert!(
            page.contains(
                "<title>garrison report: arn:aws:eks:eu-west-1:1:cluster/&lt;x&gt;</title>"
            )
        );
    }

    #[test]
    fn check_documentation_gives_the_fix_and_references() {
        let page = report_of(&[hostile_finding()]);
        let value: Value = serde_json::from_str(embedded(&page)).unwrap();
        let check = &value["checks"]["TEST-001"];
        assert_eq!(check["how_to_fix"], "Set `a` to b.");
        assert_eq!(
            check["references"],
            serde_json::json!(["First one continued", "Second <two>"])
        );
        assert_eq!(check["remediation"], "Fix it & move on.");
    }

    #[test]
    fn the_page_is_self_contained_and_the_same_for_the_same_scan() {
        let findings = [hostile_finding()];
        let page = report_of(&findings);
        assert_eq!(page, report_of(&findings));
        assert!(page.starts_with("<!DOCTYPE html>"));
        // Nothing outside the file: no external script, style sheet, font or image.
        for outside in ["src=", "href=\"http", "@import", "url("] {
            assert!(!page.contains(outside), "the page contains {outside:?}");
        }
        assert!(page.contains("Content-Security-Policy"));
    }
}
