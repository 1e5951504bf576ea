use garrison_core::{Level, Object, SeedControl, Severity};
use serde_json::Value;

use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// Reports each rule of a Role or ClusterRole that uses `*` for its verbs, API groups or
    /// resources (`*` or `*/subresource`), or `*` for non-resource URLs. `cluster-admin`, whose
    /// purpose is to be everything, is left to EKS-CIS-4.1.1, which reports who is bound to it.
    /// A ClusterRole with an `aggregationRule` is judged through the ClusterRoles it aggregates,
    /// because the aggregation controller overwrites its rules with theirs.
    ///
    /// ## Why it matters
    /// A wildcard grants what exists today and whatever is added tomorrow: `*` resources in a
    /// group covers every CRD installed later into it, and `*` verbs includes `escalate`, `bind`
    /// and `impersonate` where those apply. Nobody reviewing the role can say what it grants.
    ///
    /// ## How to fix
    /// List the API groups, resources and verbs the role needs. `kubectl auth can-i --list` as
    /// the bound subject, or the audit log, shows what it uses.
    ///
    /// ## References
    /// - CIS Amazon EKS Benchmark 4.1.3: minimize wildcard use in Roles and ClusterRoles
    /// - Kubernetes documentation: RBAC good practices, least privilege
    pub static META = CheckMeta {
        id: "EKS-CIS-4.1.3",
        name: "role-wildcards",
        title: "Role grants wildcard verbs, API groups or resources",
        severity: Severity::Medium,
        level: Level::Cluster,
        control: SeedControl::CisBenchmark,
        cis: Some("4.1.3"),
        security_hub: None,
        pss: None,
        remediation: "Replace * in the role's rules with the API groups, resources and verbs it needs.",
    };
}

/// Whether a rule's field has a wildcard entry.
fn wildcards(rule: &Value, field: &str) -> bool {
    rule.get(field)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .any(|entry| entry == "*" || (field == "resources" && entry.starts_with("*/")))
}

pub fn evaluate(_: &Context<'_>, role: &Object) -> Option<Vec<Outcome>> {
    if !matches!(role.group(), "" | "rbac.authorization.k8s.io") {
        return None;
    }
    if role.kind == "ClusterRole"
        && (role.name == "cluster-admin" || role.value.get("aggregationRule").is_some())
    {
        return None;
    }
    let rules = role.value.get("rules").and_then(Value::as_array);
    let outcomes = rules
        .into_iter()
        .flatten()
        .enumerate()
        .filter_map(|(index, rule)| {
            let fields: Vec<&str> = ["verbs", "apiGroups", "resources", "nonResourceURLs"]
                .into_iter()
                .filter(|field| wildcards(rule, field))
                .collect();
            (!fields.is_empty()).then(|| {
                Outcome::fail(
                    format!("/rules/{index}"),
                    format!("rules[{index}] uses * in {}", fields.join(", ")),
                )
            })
        })
        .collect();
    Some(outcomes)
}
