use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// One result per `NodePool` (`karpenter.sh/v1`): FAIL when `spec.template.spec.expireAfter` is
    /// `Never` or longer than 21 days (504h), or `nodeClassRef` does not point at an
    /// `eks.amazonaws.com` NodeClass; PASS otherwise (absent means the 14-day default).
    ///
    /// ## Why it matters
    /// Regularly replaced nodes pick up patched AMIs and shed anything an attacker left on them;
    /// Auto Mode caps node lifetime at 21 days.
    ///
    /// ## How to fix
    /// Set `expireAfter` to at most `504h` and reference an `eks.amazonaws.com` NodeClass.
    ///
    /// ## References
    /// - EKS documentation: Automate cluster infrastructure with EKS Auto Mode
    /// - Karpenter documentation: NodePools (expireAfter)
    pub static META = CheckMeta {
        id: "EKS-AUTO-006",
        name: "nodepool-unbounded-lifetime",
        title: "NodePool lets nodes live longer than 21 days",
        severity: Severity::Low,
        level: Level::Infrastructure,
        control: SeedControl::AutoMode,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Bound NodePool expireAfter to at most 504h.",
    };
}

/// Hours of a Go duration such as `720h`, `336h0m0s`, `30m`.
fn hours(text: &str) -> Option<f64> {
    let mut total = 0.0;
    let mut number = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() || c == '.' {
            number.push(c);
            continue;
        }
        let value: f64 = number.parse().ok()?;
        number.clear();
        total += match c {
            'h' => value,
            'm' => value / 60.0,
            's' => value / 3600.0,
            _ => return None,
        };
    }
    number.is_empty().then_some(total)
}

pub fn evaluate(context: &Context<'_>, _: &Snapshot) -> Vec<ResourceOutcome> {
    context
        .inventory
        .objects
        .iter()
        .filter(|o| o.kind == "NodePool" && o.api_version.starts_with("karpenter.sh/"))
        .map(|pool| {
            let resource = crate::engine::Resource::new(
                "NodePool",
                pool.name.clone(),
                pool.origin.file.name.to_string(),
            );
            let group = pool
                .value
                .pointer("/spec/template/spec/nodeClassRef/group")
                .and_then(serde_json::Value::as_str);
            if group.is_some_and(|g| g != "eks.amazonaws.com") {
                return result(
                    &resource,
                    Status::Fail,
                    "/spec/template/spec/nodeClassRef",
                    format!(
                        "nodeClassRef points at {} rather than an Auto Mode NodeClass",
                        group.unwrap_or_default()
                    ),
                );
            }
            match pool
                .value
                .pointer("/spec/template/spec/expireAfter")
                .and_then(serde_json::Value::as_str)
            {
                Some("Never") => result(
                    &resource,
                    Status::Fail,
                    "/spec/template/spec/expireAfter",
                    "nodes never expire",
                ),
                Some(text) => match hours(text) {
                    Some(h) if h > 504.0 => result(
                        &resource,
                        Status::Fail,
                        "/spec/template/spec/expireAfter",
                        format!("nodes live up to {text}, more than 21 days"),
                    ),
                    Some(_) => result(
                        &resource,
                        Status::Pass,
                        "/spec/template/spec/expireAfter",
                        format!("nodes are replaced after {text}"),
                    ),
                    None => result(
                        &resource,
                        Status::Unknown,
                        "/spec/template/spec/expireAfter",
                        format!("cannot read the duration {text}"),
                    ),
                },
                None => result(
                    &resource,
                    Status::Pass,
                    "/spec/template/spec",
                    "the default lifetime (336h) applies",
                ),
            }
        })
        .collect()
}
