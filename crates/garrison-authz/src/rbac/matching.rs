//! Whether one RBAC rule allows one request: Kubernetes' `RuleAllows` and the helpers of
//! `pkg/apis/rbac/v1/evaluation_helpers.go`, rule for rule.
//!
//! The cases converters get wrong, and that these functions get right:
//! - `*` in `resources` matches every resource *and* every subresource (`pods/exec` too);
//! - `*/log` matches the `log` subresource of any resource;
//! - `pods/*` matches only a subresource literally named `*`, not `pods/exec`: the only
//!   wildcards are a whole `*` and a `*/` prefix;
//! - `[pods, pods/log]` matches `pods` and `pods/log`, nothing else;
//! - a rule with `resourceNames` matches only requests that name one of them, so never a list,
//!   a watch or a create (which name no object);
//! - a non-resource URL ending in `*` matches every path with the part before the star as a
//!   prefix; any other URL matches only itself.

use k8s_openapi::api::rbac::v1::PolicyRule;

use super::request::{Request, Resource, Target};

/// The `*` of verbs, API groups and resources.
pub const ALL: &str = "*";

fn entries(field: &Option<Vec<String>>) -> &[String] {
    field.as_deref().unwrap_or_default()
}

/// `VerbMatches`: `*` or the verb itself.
pub fn verb_matches(rule: &PolicyRule, verb: &str) -> bool {
    rule.verbs
        .iter()
        .any(|rule_verb| rule_verb == ALL || rule_verb == verb)
}

/// `APIGroupMatches`: `*` or the group itself (`""` is the core group).
pub fn api_group_matches(rule: &PolicyRule, group: &str) -> bool {
    entries(&rule.api_groups)
        .iter()
        .any(|rule_group| rule_group == ALL || rule_group == group)
}

/// `ResourceMatches`. `combined` is `resource` or `resource/subresource`; `subresource` is empty
/// for a request for the resource itself.
pub fn resource_matches(rule: &PolicyRule, combined: &str, subresource: &str) -> bool {
    entries(&rule.resources).iter().any(|rule_resource| {
        if rule_resource == ALL || rule_resource == combined {
            return true;
        }
        // `*/subresource` matches that subresource of every resource.
        !subresource.is_empty()
            && rule_resource.len() == subresource.len() + 2
            && rule_resource.starts_with("*/")
            && rule_resource.ends_with(subresource)
    })
}

/// `ResourceNameMatches`: no names means every name; otherwise the request's name (empty when
/// it names no object) must be one of them.
pub fn resource_name_matches(rule: &PolicyRule, name: &str) -> bool {
    let names = entries(&rule.resource_names);
    names.is_empty() || names.iter().any(|rule_name| rule_name == name)
}

/// `NonResourceURLMatches`: `*`, the path itself, or a prefix ending in `*` (every trailing star
/// is removed, as Go's `strings.TrimRight(url, "*")` does).
pub fn non_resource_url_matches(rule: &PolicyRule, path: &str) -> bool {
    entries(&rule.non_resource_urls).iter().any(|rule_url| {
        rule_url == ALL
            || rule_url == path
            || (rule_url.ends_with('*') && path.starts_with(rule_url.trim_end_matches('*')))
    })
}

/// `RuleAllows`: whether `rule` allows `request`. Resource requests ignore `nonResourceURLs`,
/// non-resource requests ignore groups, resources and names.
pub fn rule_allows(rule: &PolicyRule, request: &Request) -> bool {
    if !verb_matches(rule, &request.verb) {
        return false;
    }
    match &request.target {
        Target::NonResource { path } => non_resource_url_matches(rule, path),
        Target::Resource(resource) => {
            resource_target_matches(rule, resource) && resource_name_matches(rule, &resource.name)
        }
    }
}

/// Whether `rule` allows `request` for at least one object name: [`rule_allows`] with the
/// `resourceNames` restriction lifted. The checks use it for permissions that are dangerous even
/// when limited to named objects (binding one named role, proxying to one named node).
pub fn rule_allows_some_name(rule: &PolicyRule, request: &Request) -> bool {
    if !verb_matches(rule, &request.verb) {
        return false;
    }
    match &request.target {
        Target::NonResource { path } => non_resource_url_matches(rule, path),
        Target::Resource(resource) => resource_target_matches(rule, resource),
    }
}

fn resource_target_matches(rule: &PolicyRule, resource: &Resource) -> bool {
    if !api_group_matches(rule, &resource.api_group) {
        return false;
    }
    if resource.subresource.is_empty() {
        resource_matches(rule, &resource.resource, "")
    } else {
        let combined = format!("{}/{}", resource.resource, resource.subresource);
        resource_matches(rule, &combined, &resource.subresource)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(groups: &[&str], resources: &[&str], verbs: &[&str]) -> PolicyRule {
        let strings = |items: &[&str]| items.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        PolicyRule {
            api_groups: Some(strings(groups)),
            resources: Some(strings(resources)),
            verbs: strings(verbs),
            ..PolicyRule::default()
        }
    }

    #[test]
    fn subresource_wildcards() {
        let pods_star = rule(&[""], &["pods/*"], &["get"]);
        assert!(!rule_allows(
            &pods_star,
            &Request::resource("get", "", "pods/exec")
        ));
        assert!(rule_allows(
            &pods_star,
            &Request::resource("get", "", "pods/*")
        ));
        let star_log = rule(&[""], &["*/log"], &["get"]);
        assert!(rule_allows(
            &star_log,
            &Request::resource("get", "", "pods/log")
        ));
        assert!(!rule_allows(
            &star_log,
            &Request::resource("get", "", "pods")
        ));
        let star = rule(&["*"], &["*"], &["*"]);
        assert!(rule_allows(
            &star,
            &Request::resource("create", "", "pods/exec")
        ));
    }

    #[test]
    fn trailing_stars_are_all_trimmed() {
        let urls = PolicyRule {
            non_resource_urls: Some(vec!["/healthz**".to_string()]),
            verbs: vec!["get".to_string()],
            ..PolicyRule::default()
        };
        assert!(rule_allows(
            &urls,
            &Request::non_resource("get", "/healthz/etcd")
        ));
        assert!(rule_allows(
            &urls,
            &Request::non_resource("get", "/healthz")
        ));
        assert!(!rule_allows(&urls, &Request::non_resource("get", "/livez")));
    }
}
