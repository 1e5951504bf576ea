//! Check documentation, rendered from the checks' doc comments.

use garrison_core::CheckMeta;

/// The doc comment of a check as Markdown, without rustdoc's leading space on each line.
pub fn body(meta: &CheckMeta) -> String {
    meta.doc
        .lines()
        .map(|line| line.strip_prefix(' ').unwrap_or(line))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The sections every check's documentation must have, in this order.
pub const SECTIONS: [&str; 4] = [
    "## What it does",
    "## Why it matters",
    "## How to fix",
    "## References",
];

/// The full Markdown page of a check: a title, a metadata table, then its documentation.
pub fn markdown(meta: &CheckMeta) -> String {
    let mut page = format!("# {}: {}\n\n", meta.id, meta.title);
    page.push_str("| | |\n|---|---|\n");
    page.push_str(&format!("| id | `{}` |\n", meta.id));
    page.push_str(&format!("| name | `{}` |\n", meta.name));
    page.push_str(&format!("| severity | {} |\n", meta.severity));
    page.push_str(&format!("| level | {} |\n", meta.level));
    page.push_str(&format!("| seed control | {} |\n", meta.control));
    if let Some(cis) = meta.cis {
        page.push_str(&format!("| CIS Amazon EKS Benchmark | {cis} |\n"));
    }
    if let Some(control) = meta.security_hub {
        page.push_str(&format!("| Security Hub control | {control} |\n"));
    }
    if let Some(pss) = meta.pss {
        page.push_str(&format!("| Pod Security Standards control | {pss} |\n"));
    }
    page.push('\n');
    page.push_str(body(meta).trim());
    page.push('\n');
    page
}

/// The index page listing every check.
pub fn index(metas: &[&CheckMeta]) -> String {
    let mut page = String::from(
        "# Check catalogue\n\nGenerated from the checks' doc comments by `garrison checks docs docs/checks`; do not edit.\n\n| id | name | severity | level | seed control | CIS |\n|---|---|---|---|---|---|\n",
    );
    for meta in metas {
        page.push_str(&format!(
            "| [{}]({}.md) | `{}` | {} | {} | {} | {} |\n",
            meta.id,
            meta.id,
            meta.name,
            meta.severity,
            meta.level,
            meta.control,
            meta.cis.unwrap_or("")
        ));
    }
    page
}
