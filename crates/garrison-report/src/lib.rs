//! Output formats, one file each. Every format renders the same [`Report`].

pub mod json;
pub mod junit;
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
}

impl Format {
    pub const NAMES: [&'static str; 4] = ["table", "json", "sarif", "junit"];

    pub fn parse(name: &str) -> Option<Format> {
        match name {
            "table" => Some(Format::Table),
            "json" => Some(Format::Json),
            "sarif" => Some(Format::Sarif),
            "junit" => Some(Format::Junit),
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
    pub show_suppressed: bool,
    pub include_passed: bool,
}

impl Report<'_> {
    pub fn summary(&self) -> Summary {
        Summary::of(self.findings)
    }

    /// The findings a format lists: problems, plus passes and suppressed ones when asked for.
    pub fn shown(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|finding| {
            (finding.suppressed.is_none() || self.show_suppressed)
                && (finding.status.is_problem() || self.include_passed)
        })
    }
}

/// Renders `report` in `format`.
pub fn render(format: Format, report: &Report<'_>, color: bool) -> String {
    match format {
        Format::Table => table::render(report, color),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report),
        Format::Junit => junit::render(report),
    }
}
