//! SARIF 2.1.0 for GitHub code scanning: one run, a rule per check that produced a result, a
//! result per failed or warned finding with its file and line, stable fingerprints.

use std::collections::BTreeMap;

use garrison_core::{Finding, Severity, Status};
use serde_json::{Value, json};

use crate::Report;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// GitHub reads `security-severity` (0–10): ≥ 9 critical, ≥ 7 high, ≥ 4 medium, > 0 low.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
}

fn level(finding: &Finding) -> &'static str {
    match (finding.status, finding.check.severity) {
        (Status::Fail, Severity::Critical | Severity::High) => "error",
        (Status::Fail, Severity::Medium | Severity::Low) => "warning",
        (Status::Pass | Status::NotApplicable, _) => "none",
        _ => "note",
    }
}

pub fn render(report: &Report<'_>) -> String {
    let results_of: Vec<&Finding> = report
        .shown()
        .filter(|finding| {
            matches!(
                finding.status,
                Status::Fail | Status::Warn | Status::Unknown
            )
        })
        .collect();
    let mut rule_index: BTreeMap<&str, usize> = BTreeMap::new();
    let mut rules = Vec::new();
    for finding in &results_of {
        let meta = finding.check;
        if rule_index.contains_key(meta.id) {
            continue;
        }
        rule_index.insert(meta.id, rules.len());
        let mut tags = vec![
            meta.level.as_str().to_string(),
            meta.control.title().to_string(),
            "security".to_string(),
        ];
        if let Some(cis) = meta.cis {
            tags.push(format!("CIS-EKS-{cis}"));
        }
        rules.push(json!({
            "id": meta.id,
            "name": meta.name,
            "shortDescription": {"text": meta.title},
            "fullDescription": {"text": meta.remediation},
            "help": {"text": meta.remediation, "markdown": crate_docs(meta)},
            "helpUri": format!("https://github.com/garrison-dev/garrison/blob/main/docs/checks/{}.md", meta.id),
            "defaultConfiguration": {"level": if meta.severity >= Severity::High { "error" } else { "warning" }},
            "properties": {
                "security-severity": security_severity(meta.severity),
                "tags": tags,
            }
        }));
    }
    let results: Vec<Value> = results_of
        .iter()
        .map(|finding| {
            let mut location = json!({
                "physicalLocation": {
                    "artifactLocation": {"uri": finding.object.source.as_deref().unwrap_or_default()},
                    "region": {"startLine": finding.object.line.unwrap_or(1).max(1)}
                },
                "logicalLocations": [{
                    "fullyQualifiedName": finding.object.display_name(),
                    "kind": "resource"
                }]
            });
            if finding.object.source.is_none()
                && let Some(object) = location.as_object_mut()
            {
                object.remove("physicalLocation");
            }
            let fingerprint = format!(
                "{}|{}|{}",
                finding.check.id,
                finding.object.display_name(),
                finding.pointer.as_deref().unwrap_or("")
            );
            let mut result = json!({
                "ruleId": finding.check.id,
                "ruleIndex": rule_index.get(finding.check.id).copied().unwrap_or(0),
                "level": level(finding),
                "message": {"text": format!("{}: {}", finding.object.display_name(), finding.message)},
                "locations": [location],
                "partialFingerprints": {"garrisonFinding/v1": fingerprint},
                "properties": {"status": finding.status.as_str(), "pointer": finding.pointer}
            });
            if let (Some(reason), Some(object)) = (&finding.suppressed, result.as_object_mut()) {
                object.insert(
                    "suppressions".to_string(),
                    json!([{"kind": "external", "justification": reason}]),
                );
            }
            result
        })
        .collect();
    let document = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "garrison",
                "version": report.tool_version,
                "informationUri": "https://github.com/garrison-dev/garrison",
                "rules": rules
            }},
            "results": results,
            "columnKind": "unicodeCodePoints"
        }]
    });
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
    text.push('\n');
    text
}

fn crate_docs(meta: &garrison_core::CheckMeta) -> String {
    meta.doc
        .lines()
        .map(|line| line.strip_prefix(' ').unwrap_or(line))
        .collect::<Vec<_>>()
        .join("\n")
}
