//! Output formats, one file each. Every format renders the same [`Report`].

pub mod asff;
pub mod html;
pub mod json;
pub mod junit;
pub mod openreports;
pub mod sarif;
pub mod table;

use garrison_core::{Diagnostic, Finding, Summary};

/// The output formats of commands that produce findings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
    Sarif,
    Junit,
    /// AWS Security Finding Format, JSON lines of batches for Security Hub.
    Asff,
    /// `openreports.io/v1alpha1` Report / ClusterReport.
    OpenReports,
    /// `wgpolicyk8s.io/v1alpha2` PolicyReport / ClusterPolicyReport.
    PolicyReport,
    /// One self-contained HTML page.
    Html,
}

impl Format {
    pub const NAMES: [&'static str; 8] = [
        "table",
        "json",
        "sarif",
        "junit",
        "asff",
        "openreports",
        "policyreport",
        "html",
    ];

    pub fn parse(name: &str) -> Option<Format> {
        match name {
            "table" => Some(Format::Table),
            "json" => Some(Format::Json),
            "sarif" => Some(Format::Sarif),
            "junit" => Some(Format::Junit),
            "asff" => Some(Format::Asff),
            "openreports" => Some(Format::OpenReports),
            "policyreport" => Some(Format::PolicyReport),
            "html" => Some(Format::Html),
            _ => None,
        }
    }
}

/// What a scan produced, and which of it to show.
#[derive(Debug)]
pub struct Report<'a> {
    pub tool_version: &'a str,
    /// All findings, PASS and suppressed included; formats filter with [`Report::shown`].
    pub findings: &'a [Finding],
    pub diagnostics: &'a [Diagnostic],
    /// Number of objects and files scanned, for the summary line.
    pub objects: usize,
    pub files: usize,
    /// The ARN of the cluster a snapshot was taken from, when the input was a snapshot.
    pub cluster_arn: Option<String>,
    pub show_suppressed: bool,
    pub include_passed: bool,
    /// PASS results that were counted but not kept as findings (unsuppressed, suppressed).
    pub passes_not_listed: (usize, usize),
    /// The summary a saved result recorded (`garrison report`), used as it is instead of being
    /// counted again from findings the result may not list.
    pub recorded_summary: Option<Summary>,
    /// Where ASFF findings are imported; required by `--format asff`.
    pub asff: Option<asff::Target>,
    /// The CIS Amazon EKS Benchmark view (`--profile cis-eks`), shown by the HTML report.
    pub benchmark: Option<html::Benchmark>,
}

impl Report<'_> {
    pub fn summary(&self) -> Summary {
        if let Some(summary) = &self.recorded_summary {
            return summary.clone();
        }
        let mut summary = Summary::of(self.findings);
        summary.pass += self.passes_not_listed.0;
        summary.suppressed += self.passes_not_listed.1;
        summary
    }

    /// The findings a format lists: problems, plus passes and suppressed ones when asked for.
    pub fn shown(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|finding| {
            (finding.suppressed.is_none() || self.show_suppressed)
                && (finding.status.is_problem() || self.include_passed)
        })
    }
}

/// Renders `report` in `format` as a string.
pub fn render(format: Format, report: &Report<'_>, color: bool) -> String {
    let mut bytes = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = render_to(format, report, color, &mut bytes);
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Writes `report` in `format` to `out`. The JSON report is streamed: a large cluster's report is
/// hundreds of megabytes, which need not be held in memory at once.
pub fn render_to(
    format: Format,
    report: &Report<'_>,
    color: bool,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    match format {
        Format::Table => out.write_all(table::render(report, color).as_bytes()),
        Format::Json => json::write(report, out),
        Format::Sarif => out.write_all(sarif::render(report).as_bytes()),
        Format::Junit => out.write_all(junit::render(report).as_bytes()),
        Format::Asff => match &report.asff {
            Some(target) => out.write_all(asff::render(report, target).as_bytes()),
            None => Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "ASFF output needs an AWS account and region",
            )),
        },
        Format::OpenReports => {
            out.write_all(openreports::render(report, openreports::Flavour::OpenReports).as_bytes())
        }
        Format::PolicyReport => out
            .write_all(openreports::render(report, openreports::Flavour::PolicyReport).as_bytes()),
        Format::Html => html::write(report, out),
    }
}
