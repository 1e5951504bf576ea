//! Detector documentation, rendered from the detectors' doc comments: one page per detector and
//! an index with the coverage of Falco's rules and GuardDuty's finding types.

use crate::engine::{Detector, Family};

/// The sections every detector's documentation must have, in this order.
pub const SECTIONS: [&str; 4] = [
    "## What it does",
    "## Why it matters",
    "## How to fix",
    "## References",
];

/// The doc comment as Markdown, without rustdoc's leading space on each line.
pub fn body(detector: &Detector) -> String {
    detector
        .meta
        .doc
        .lines()
        .map(|line| line.strip_prefix(' ').unwrap_or(line))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The page of one detector.
pub fn markdown(detector: &Detector) -> String {
    let meta = detector.meta;
    let mut page = format!("# {}: {}\n\n", meta.id, meta.title);
    page.push_str("| | |\n|---|---|\n");
    page.push_str(&format!("| id | `{}` |\n", meta.id));
    page.push_str(&format!("| name | `{}` |\n", meta.name));
    page.push_str(&format!("| severity | {} |\n", meta.severity));
    page.push_str(&format!(
        "| mirrors | {} |\n",
        family_title(detector.family)
    ));
    page.push('\n');
    page.push_str(body(detector).trim());
    page.push('\n');
    page
}

fn family_title(family: Family) -> &'static str {
    match family {
        Family::Falco => "Falco k8saudit rule",
        Family::GuardDuty => "GuardDuty EKS audit-log finding type",
        Family::CloudTrail => "CloudTrail EKS API event",
        Family::Stateful => "garrison's own, over a time window",
    }
}

/// GuardDuty EKS audit-log finding types garrison does not mirror, and why.
pub const GUARDDUTY_NOT_MIRRORED: [(&str, &str); 3] = [
    (
        "{CredentialAccess,DefenseEvasion,Discovery,Impact,Persistence}:Kubernetes/MaliciousIPCaller[.Custom]",
        "needs AWS threat-intelligence or customer IP lists",
    ),
    (
        "{CredentialAccess,DefenseEvasion,Discovery,Impact,Persistence}:Kubernetes/TorIPCaller",
        "needs a Tor exit-node list",
    ),
    (
        "*:Kubernetes/AnomalousBehavior.* (8 types)",
        "GuardDuty's machine-learning baselines of each cluster",
    ),
];

/// The index page: every detector, then the coverage tables.
pub fn index(detectors: &[&Detector]) -> String {
    let mut page = String::from(
        "# Audit detectors\n\nGenerated from the detectors' doc comments by `garrison audit docs docs/audit`; do not edit.\n\n",
    );
    page.push_str("| id | name | severity | mirrors | title |\n|---|---|---|---|---|\n");
    for detector in detectors {
        let meta = detector.meta;
        page.push_str(&format!(
            "| [{}]({}.md) | `{}` | {} | {} | {} |\n",
            meta.id,
            meta.id,
            meta.name,
            meta.severity,
            detector.family.as_str(),
            meta.title
        ));
    }
    let falco: Vec<&&Detector> = detectors
        .iter()
        .filter(|detector| detector.family == Family::Falco)
        .collect();
    page.push_str(&format!(
        "\n## Falco k8saudit coverage\n\n{} of the 48 rules of `k8s_audit_rules.yaml` (falcosecurity/plugins @ 0b3cbd8d) are mirrored. The rules Falco ships disabled are off here too until configured (`allowed_images`, `allowed_nodes`, `all_events`, `full_admin_access`). The Falco trace files and their expected detections are a test (`crates/garrison-audit/tests/falco_conformance.rs`).\n\n| Falco rule | detector |\n|---|---|\n",
        falco.len()
    ));
    for detector in &falco {
        page.push_str(&format!(
            "| {} | [{}]({}.md) |\n",
            detector.meta.title, detector.meta.id, detector.meta.id
        ));
    }
    page.push_str("\n## GuardDuty EKS audit-log finding types\n\nMirrored:\n\n");
    for detector in detectors
        .iter()
        .filter(|detector| detector.family == Family::GuardDuty)
    {
        page.push_str(&format!(
            "- `{}`: [{}]({}.md)\n",
            detector.meta.title, detector.meta.id, detector.meta.id
        ));
    }
    page.push_str("\nNot mirrored (the audit log alone cannot support them):\n\n");
    for (types, reason) in GUARDDUTY_NOT_MIRRORED {
        page.push_str(&format!("- `{types}`: {reason}\n"));
    }
    page.push_str("\n## Stateful detectors\n\nThey judge a principal's requests over time rather than one event; windows and thresholds are settings of the `-c` file (`secrets_namespaces`, `secrets_window_seconds`, `forbidden_burst`, `forbidden_window_seconds`, `max_principals`).\n\n");
    for detector in detectors
        .iter()
        .filter(|detector| detector.family == Family::Stateful)
    {
        page.push_str(&format!(
            "- {}: [{}]({}.md)\n",
            detector.meta.title, detector.meta.id, detector.meta.id
        ));
    }
    page
}

/// The generated documentation: file name → contents.
pub fn generated(detectors: &[&Detector]) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = detectors
        .iter()
        .map(|detector| (format!("{}.md", detector.meta.id), markdown(detector)))
        .collect();
    files.push(("README.md".to_string(), index(detectors)));
    files
}
