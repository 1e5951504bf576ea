//! The terminal table: findings grouped by severity, one summary line.

use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};
use garrison_core::{DiagnosticLevel, Finding, Severity, Status};

use crate::Report;

fn severity_style(severity: Severity) -> Style {
    let color = match severity {
        Severity::Critical => AnsiColor::BrightRed,
        Severity::High => AnsiColor::Red,
        Severity::Medium => AnsiColor::Yellow,
        Severity::Low => AnsiColor::Cyan,
        Severity::Info => AnsiColor::White,
    };
    Style::new().fg_color(Some(color.into())).bold()
}

fn paint(text: &str, style: Style, color: bool) -> String {
    if color {
        format!("{style}{text}{style:#}")
    } else {
        text.to_string()
    }
}

fn location(finding: &Finding) -> String {
    match (&finding.object.source, finding.object.line) {
        (Some(source), Some(line)) => format!("{source}:{line}"),
        (Some(source), None) => source.to_string(),
        _ => String::new(),
    }
}

pub fn render(report: &Report<'_>, color: bool) -> String {
    let mut out = String::new();
    let dim = Style::new().dimmed();
    let bold = Style::new().bold();
    let shown: Vec<&Finding> = report.shown().collect();
    for severity in Severity::ALL {
        let group: Vec<&&Finding> = shown
            .iter()
            .filter(|finding| finding.check.severity == severity)
            .collect();
        if group.is_empty() {
            continue;
        }
        let heading = format!("{} ({})", severity.as_str().to_uppercase(), group.len());
        let _ = writeln!(out, "{}", paint(&heading, severity_style(severity), color));
        for finding in group {
            let status = match (&finding.suppressed, finding.status) {
                (Some(_), _) => "SUPPRESSED".to_string(),
                (None, status) => status.as_str().to_string(),
            };
            let status_style = match finding.status {
                Status::Fail => severity_style(severity),
                Status::Pass => Style::new().fg_color(Some(AnsiColor::Green.into())),
                _ => Style::new().fg_color(Some(AnsiColor::Yellow.into())),
            };
            let _ = writeln!(
                out,
                "  {:<10} {:<14} {}  {}",
                paint(&status, status_style, color),
                finding.check.id,
                paint(&finding.object.display_name(), bold, color),
                paint(&location(finding), dim, color),
            );
            let _ = writeln!(out, "  {:<10} {:<14} {}", "", "", finding.message);
            if let Some(reason) = &finding.suppressed {
                let _ = writeln!(
                    out,
                    "  {:<10} {:<14} {}",
                    "",
                    "",
                    paint(&format!("suppressed: {reason}"), dim, color)
                );
            }
        }
        out.push('\n');
    }
    let summary = report.summary();
    let severities: Vec<String> = Severity::ALL
        .iter()
        .filter(|severity| summary.by_severity(**severity) > 0)
        .map(|severity| format!("{} {}", summary.by_severity(*severity), severity))
        .collect();
    let severities = if severities.is_empty() {
        String::new()
    } else {
        format!(" ({})", severities.join(", "))
    };
    let errors = report
        .diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.level == DiagnosticLevel::Error)
        .count();
    let _ = writeln!(
        out,
        "{} {} failed, {} warnings{}, {} unknown, {} passed, {} suppressed · {} objects in {} files{}",
        paint("garrison:", bold, color),
        summary.fail,
        summary.warn,
        severities,
        summary.unknown,
        summary.pass,
        summary.suppressed,
        report.objects,
        report.files,
        if errors > 0 {
            format!(" · {errors} documents could not be read")
        } else {
            String::new()
        }
    );
    out
}
