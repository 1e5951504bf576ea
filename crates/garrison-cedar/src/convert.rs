//! RBAC → Cedar: one `permit` per (binding, subject, rule), with exactly the semantics of the
//! RBAC evaluator in `garrison-authz` (which is the API server's), so that RBAC and Cedar over
//! the converted policies agree on every request (the differential test checks it).
//!
//! The Go prototype's converter errors, each avoided here:
//! - `pods/*` is not "any subresource of pods": only a whole `*` and a `*/sub` prefix are
//!   wildcards, so `pods/*` matches the subresource literally named `*`;
//! - `[pods, pods/log]` matches `pods` and `pods/log` and nothing else (each entry carries its
//!   own subresource condition);
//! - `*` matches subresources too (cluster-admin can `pods/exec`);
//! - a non-resource URL ending in `*` becomes a Cedar `like` prefix pattern, other stars are
//!   literal;
//! - a `User` subject is typed by the same function that types principals at run time, so a
//!   `system:serviceaccount:…` or `system:node:…` user subject names the principal it will be.
//!
//! Aggregated ClusterRoles, bindings to missing roles, duplicate bindings and subjects that
//! match nobody are resolved by the RBAC evaluator itself, whose rules are converted.

use std::fmt::Write as _;

use garrison_authz::rbac::{
    self, Authorizer, BindingKind, PrincipalKind, matching, service_account_username,
};
use k8s_openapi::api::rbac::v1::PolicyRule;

use crate::entities::Types;

/// The verbs the schema declares as actions.
pub const SCHEMA_VERBS: &[&str] = &[
    "get",
    "list",
    "watch",
    "create",
    "update",
    "patch",
    "delete",
    "deletecollection",
    "use",
    "bind",
    "escalate",
    "approve",
    "sign",
    "attest",
    "impersonate",
    "put",
    "post",
    "head",
    "options",
];

/// The converted policies and what could not be converted exactly.
#[derive(Debug, Default)]
pub struct Converted {
    /// Cedar policy text.
    pub text: String,
    pub policies: usize,
    /// Rules or subjects that were left out, and why.
    pub warnings: Vec<String>,
}

/// A Cedar string literal.
fn quote(value: &str) -> String {
    // Rust's debug escapes (`\"`, `\\`, `\n`, `\u{…}`) are Cedar's too.
    format!("{value:?}")
}

/// A Cedar `like` pattern matching every string that starts with `prefix`.
fn prefix_pattern(prefix: &str) -> String {
    let quoted = quote(prefix).replace('*', "\\*");
    format!("{}*\"", &quoted[..quoted.len() - 1])
}

fn any_of(parts: Vec<String>) -> String {
    match parts.len() {
        0 => "false".to_string(),
        1 => parts.into_iter().next().unwrap_or_default(),
        _ => format!("({})", parts.join(" || ")),
    }
}

fn all_of(parts: Vec<String>) -> String {
    let parts: Vec<String> = parts.into_iter().filter(|part| part != "true").collect();
    match parts.len() {
        0 => "true".to_string(),
        1 => parts.into_iter().next().unwrap_or_default(),
        _ => parts.join(" && "),
    }
}

fn set_contains(values: &[String], attribute: &str) -> String {
    if let [value] = values {
        return format!("{attribute} == {}", quote(value));
    }
    let quoted: Vec<String> = values.iter().map(|value| quote(value)).collect();
    format!("[{}].contains({attribute})", quoted.join(", "))
}

fn entries(field: &Option<Vec<String>>) -> &[String] {
    field.as_deref().unwrap_or_default()
}

/// The condition under which one `resources` entry matches a `k8s::Resource`: RBAC compares it
/// with `resource` or `resource/subresource`, so an entry with slashes can split at any of them.
fn resource_entry_condition(entry: &str) -> String {
    if entry == matching::ALL {
        return "true".to_string();
    }
    let mut ways = vec![format!(
        "(resource.resource == {} && !(resource has subresource))",
        quote(entry)
    )];
    for (index, _) in entry.match_indices('/') {
        let (resource, subresource) = (&entry[..index], &entry[index + 1..]);
        if subresource.is_empty() {
            continue;
        }
        ways.push(format!(
            "(resource.resource == {} && resource has subresource && resource.subresource == {})",
            quote(resource),
            quote(subresource)
        ));
    }
    if let Some(subresource) = entry.strip_prefix("*/")
        && !subresource.is_empty()
    {
        ways.push(format!(
            "(resource has subresource && resource.subresource == {})",
            quote(subresource)
        ));
    }
    any_of(ways)
}

/// The condition of the `k8s::Resource` branch of a rule, or `None` when it matches no
/// resource request.
fn resource_branch(rule: &PolicyRule, namespace: Option<&str>) -> Option<String> {
    let groups = entries(&rule.api_groups);
    let resources = entries(&rule.resources);
    if groups.is_empty() || resources.is_empty() {
        return None;
    }
    let mut parts = vec!["resource is k8s::Resource".to_string()];
    if !groups.iter().any(|group| group == matching::ALL) {
        parts.push(set_contains(groups, "resource.apiGroup"));
    }
    if !resources.iter().any(|entry| entry == matching::ALL) {
        parts.push(any_of(
            resources
                .iter()
                .map(|entry| resource_entry_condition(entry))
                .collect(),
        ));
    }
    let names = entries(&rule.resource_names);
    if !names.is_empty() {
        let named: Vec<String> = names
            .iter()
            .filter(|name| !name.is_empty())
            .cloned()
            .collect();
        let mut ways = Vec::new();
        if !named.is_empty() {
            ways.push(format!(
                "(resource has name && {})",
                set_contains(&named, "resource.name")
            ));
        }
        // RBAC compares the request's name, "" when it names nothing, with each entry.
        if names.iter().any(String::is_empty) {
            ways.push("!(resource has name)".to_string());
        }
        parts.push(any_of(ways));
    }
    if let Some(namespace) = namespace {
        parts.push(format!(
            "resource has namespace && resource.namespace == {}",
            quote(namespace)
        ));
    }
    Some(format!("({})", all_of(parts)))
}

/// The condition of the `k8s::NonResourceURL` branch, or `None`.
fn non_resource_branch(rule: &PolicyRule) -> Option<String> {
    let urls = entries(&rule.non_resource_urls);
    if urls.is_empty() {
        return None;
    }
    let mut ways = Vec::new();
    for url in urls {
        if url == matching::ALL {
            ways = vec!["true".to_string()];
            break;
        }
        if url.ends_with('*') {
            let prefix = url.trim_end_matches('*');
            ways.push(format!("resource.path like {}", prefix_pattern(prefix)));
        } else {
            ways.push(format!("resource.path == {}", quote(url)));
        }
    }
    Some(format!(
        "(resource is k8s::NonResourceURL && {})",
        any_of(ways)
    ))
}

/// The branches for impersonation requests, which are typed by what is impersonated. Each
/// type stands for one fixed RBAC request shape, so the rule's groups and resources are
/// matched here, by the RBAC evaluator's own functions.
fn impersonation_branches(
    types: &Types,
    rule: &PolicyRule,
    namespace: Option<&str>,
) -> Vec<String> {
    let mut branches = Vec::new();
    let names: Vec<String> = entries(&rule.resource_names)
        .iter()
        .filter(|name| !name.is_empty())
        .cloned()
        .collect();
    let restricted = !entries(&rule.resource_names).is_empty();
    let core_resource = |resource: &str| {
        matching::api_group_matches(rule, "") && matching::resource_matches(rule, resource, "")
    };
    // Users, groups and UIDs are cluster-wide: a RoleBinding never grants them.
    if namespace.is_none() {
        if core_resource("users") {
            if !restricted {
                branches.push("(resource is k8s::User || resource is k8s::Node)".to_string());
            } else {
                for name in &names {
                    let uid = types.impersonated_user_uid(name);
                    branches.push(format!(
                        "(resource is {} && resource == {uid})",
                        uid.type_name()
                    ));
                }
            }
        }
        for (resource, entity_type) in [("groups", "k8s::Group"), ("uids", "k8s::PrincipalUID")] {
            if !core_resource(resource) {
                continue;
            }
            if !restricted {
                branches.push(format!("resource is {entity_type}"));
            } else {
                for name in &names {
                    branches.push(format!(
                        "(resource is {entity_type} && resource == {entity_type}::{})",
                        quote(name)
                    ));
                }
            }
        }
        if matching::api_group_matches(rule, "authentication.k8s.io") {
            let resources = entries(&rule.resources);
            let mut parts = vec!["resource is k8s::Extra".to_string()];
            let mut matches_any_key = false;
            let mut keys = Vec::new();
            for entry in resources {
                if entry == matching::ALL {
                    matches_any_key = true;
                } else if let Some(key) = entry.strip_prefix("userextras/")
                    && !key.is_empty()
                {
                    keys.push(key.to_string());
                } else if let Some(key) = entry.strip_prefix("*/")
                    && !key.is_empty()
                {
                    keys.push(key.to_string());
                }
            }
            if matches_any_key || !keys.is_empty() {
                if !matches_any_key {
                    parts.push(set_contains(&keys, "resource.key"));
                }
                if restricted {
                    parts.push(set_contains(
                        entries(&rule.resource_names),
                        "resource.value",
                    ));
                }
                branches.push(format!("({})", all_of(parts)));
            }
        }
    }
    if core_resource("serviceaccounts") && !(restricted && names.is_empty()) {
        let mut parts = vec!["resource is k8s::ServiceAccount".to_string()];
        if let Some(namespace) = namespace {
            parts.push(format!("resource.namespace == {}", quote(namespace)));
        }
        if restricted {
            parts.push(set_contains(&names, "resource.name"));
        }
        branches.push(format!("({})", all_of(parts)));
    }
    branches
}

/// The `when` condition of one rule granted through a binding in `namespace` (`None` for a
/// ClusterRoleBinding), or `None` when the rule matches nothing there.
pub fn rule_condition(
    types: &Types,
    rule: &PolicyRule,
    namespace: Option<&str>,
    impersonates: bool,
) -> Option<String> {
    let mut branches = Vec::new();
    // Non-resource URLs have no namespace: only ClusterRoleBindings grant them.
    if namespace.is_none() {
        branches.extend(non_resource_branch(rule));
    }
    branches.extend(resource_branch(rule, namespace));
    if impersonates {
        branches.extend(impersonation_branches(types, rule, namespace));
    }
    if branches.is_empty() {
        return None;
    }
    Some(any_of(branches))
}

/// Converts every binding in force of `authorizer`.
pub fn convert(authorizer: &Authorizer, types: &Types) -> Converted {
    let mut converted = Converted::default();
    for (id, binding) in authorizer.bindings().iter().enumerate() {
        let kind = binding.kind;
        if authorizer.find_binding(kind, binding.namespace.as_deref(), &binding.name) != Some(id) {
            continue; // replaced by a later object of the same name
        }
        let via = binding.via();
        let Some(role) = authorizer.bound_role(id) else {
            converted.warnings.push(format!(
                "{via}: its {} {} does not exist; it grants nothing",
                binding.role_ref.kind, binding.role_ref.name
            ));
            continue;
        };
        let namespace = match kind {
            BindingKind::RoleBinding => binding.namespace.as_deref(),
            BindingKind::ClusterRoleBinding => None,
        };
        let rules: Vec<(rbac::RuleRef, &PolicyRule)> = authorizer.granted_rules(id).collect();
        for index in 0..binding.subjects.len() {
            let Some(principal) = binding.principal(index) else {
                let subject = &binding.subjects[index];
                converted.warnings.push(format!(
                    "{via}: subject {} {:?} matches nobody; left out",
                    subject.kind, subject.name
                ));
                continue;
            };
            let principal_scope = match principal.kind {
                PrincipalKind::User => {
                    format!("principal == {}", types.principal_uid(&principal.name))
                }
                PrincipalKind::Group => {
                    format!("principal in {}", types.group_uid(&principal.name))
                }
                PrincipalKind::ServiceAccount => {
                    let namespace = principal.namespace.as_deref().unwrap_or_default();
                    format!(
                        "principal == {}",
                        types.principal_uid(&service_account_username(namespace, &principal.name))
                    )
                }
            };
            for (reference, rule) in &rules {
                let description = reference.describe(role);
                let verbs = &rule.verbs;
                let any_verb = verbs.iter().any(|verb| verb == matching::ALL);
                let known: Vec<&String> = verbs
                    .iter()
                    .filter(|verb| SCHEMA_VERBS.contains(&verb.as_str()))
                    .collect();
                let unknown: Vec<&String> = verbs
                    .iter()
                    .filter(|verb| *verb != matching::ALL && !SCHEMA_VERBS.contains(&verb.as_str()))
                    .collect();
                if !any_verb && !unknown.is_empty() {
                    converted.warnings.push(format!(
                        "{via}, {description}: verbs {unknown:?} are not actions of the schema; left out"
                    ));
                }
                if !any_verb && known.is_empty() {
                    continue;
                }
                let impersonates = any_verb || known.iter().any(|verb| *verb == "impersonate");
                let Some(condition) = rule_condition(types, rule, namespace, impersonates) else {
                    continue;
                };
                let action_scope = if any_verb {
                    "action".to_string()
                } else {
                    let actions: Vec<String> = known
                        .iter()
                        .map(|verb| types.action_uid(verb).to_string())
                        .collect();
                    format!("action in [{}]", actions.join(", "))
                };
                let _ = writeln!(converted.text, "@binding({})", quote(&via.to_string()));
                let _ = writeln!(
                    converted.text,
                    "@role({})",
                    quote(&reference.role.to_string())
                );
                let _ = writeln!(
                    converted.text,
                    "@rule({})",
                    quote(&reference.index.to_string())
                );
                let _ = writeln!(
                    converted.text,
                    "@subject({})",
                    quote(&principal.to_string())
                );
                let _ = writeln!(
                    converted.text,
                    "permit(\n  {principal_scope},\n  {action_scope},\n  resource\n) when {{\n  {condition}\n}};\n"
                );
                converted.policies += 1;
            }
        }
    }
    converted
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use serde_json::json;

    fn authorizer(objects: &[serde_json::Value]) -> Authorizer {
        let mut builder = Authorizer::builder();
        for object in objects {
            assert!(builder.add_value(object, None).unwrap());
        }
        builder.build()
    }

    #[test]
    fn verbs_without_an_action_are_reported_and_left_out() {
        let rbac = authorizer(&[
            json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                   "metadata": {"name": "r"},
                   "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "frobnicate"]},
                             {"apiGroups": [""], "resources": ["pods"], "verbs": ["frobnicate"]}]}),
            json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
                   "metadata": {"name": "b"},
                   "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "r"},
                   "subjects": [{"kind": "User", "name": "system:node:n1"}]}),
        ]);
        let converted = convert(&rbac, &Types::new().unwrap());
        assert_eq!(converted.policies, 1);
        assert_eq!(converted.warnings.len(), 2, "{:?}", converted.warnings);
        assert!(converted.warnings[0].contains("frobnicate"));
        // The user subject is typed as the node it names.
        assert!(
            converted
                .text
                .contains(r#"principal == k8s::Node::"system:node:n1""#)
        );
        assert!(converted.text.contains(r#"action in [k8s::Action::"get"]"#));
    }

    #[test]
    fn literals_and_patterns_are_escaped() {
        assert_eq!(quote("we\"ird\\"), r#""we\"ird\\""#);
        assert_eq!(prefix_pattern("/a*b\""), r#""/a\*b\"*""#);
    }
}
