//! RBAC decisions as data: `tests/data/rbac-cases.json`, written from the Kubernetes RBAC
//! authorizer's rules (`pkg/apis/rbac/v1/evaluation_helpers.go`, `plugin/pkg/auth/authorizer/rbac`,
//! the aggregation controller), including every converter bug of cedar-k8s.md §3 items 2–6.
//!
//! Each case is a cluster and one question:
//! - the cluster: `objects` (Roles, ClusterRoles, bindings as written in manifests) and/or the
//!   shorthand `rules` (a ClusterRole `test-role` with these rules, bound by `bind`: a
//!   ClusterRoleBinding by default, or `{"kind": "RoleBinding", "namespace": NS}`, to `subjects`,
//!   by default the user `alice`), plus `accessEntries` (EKS access entries:
//!   `principalArn`, `username`, `kubernetesGroups`, `type`, `policies[].{policyArn, accessScope}`);
//! - the request: `{verb, apiGroup, resource[/subresource], namespace, name, anyNamespace}` or
//!   `{verb, path}` for a non-resource URL;
//! - either `allowed` (can-i as `user`, default `{"name": "alice"}`; with `impersonate: true`
//!   the groups are completed as `kubectl --as` impersonation does), or `whoCan` (the sorted,
//!   distinct subjects who-can names).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use garrison_authz::rbac::{
    AccessEntry, AccessPolicy, AccessScope, Authorizer, PrincipalKind, Request, Scope, UserInfo,
    service_account_username,
};
use serde_json::{Value, json};

const CASES: &str = include_str!("data/rbac-cases.json");

fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|item| item.as_str().unwrap().to_string())
        .collect()
}

fn access_entry(value: &Value) -> AccessEntry {
    AccessEntry {
        principal_arn: value["principalArn"].as_str().unwrap().to_string(),
        username: value
            .get("username")
            .and_then(Value::as_str)
            .map(str::to_string),
        kubernetes_groups: strings(value.get("kubernetesGroups")),
        entry_type: value
            .get("type")
            .and_then(Value::as_str)
            .map(str::to_string),
        policies: value["policies"]
            .as_array()
            .unwrap()
            .iter()
            .map(|policy| AccessPolicy {
                policy_arn: policy["policyArn"].as_str().unwrap().to_string(),
                scope: match policy["accessScope"]["type"].as_str().unwrap() {
                    "cluster" => AccessScope::Cluster,
                    _ => AccessScope::Namespaces(strings(policy["accessScope"].get("namespaces"))),
                },
            })
            .collect(),
    }
}

fn objects(case: &Value) -> Vec<Value> {
    let mut objects: Vec<Value> = case
        .get("objects")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if let Some(rules) = case.get("rules") {
        objects.push(json!({
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRole",
            "metadata": {"name": "test-role"},
            "rules": rules,
        }));
        let subjects = case
            .get("subjects")
            .cloned()
            .unwrap_or_else(|| json!([{"kind": "User", "name": "alice"}]));
        let role_ref = json!({
            "apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "test-role"
        });
        objects.push(match case.get("bind") {
            Some(bind) => {
                assert_eq!(bind["kind"], "RoleBinding");
                json!({
                    "apiVersion": "rbac.authorization.k8s.io/v1",
                    "kind": "RoleBinding",
                    "metadata": {"name": "test-binding", "namespace": bind["namespace"]},
                    "roleRef": role_ref,
                    "subjects": subjects,
                })
            }
            None => json!({
                "apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "ClusterRoleBinding",
                "metadata": {"name": "test-binding"},
                "roleRef": role_ref,
                "subjects": subjects,
            }),
        });
    }
    objects
}

fn request(value: &Value) -> Request {
    let verb = value["verb"].as_str().unwrap();
    if let Some(path) = value.get("path") {
        return Request::non_resource(verb, path.as_str().unwrap());
    }
    let mut request = Request::resource(
        verb,
        value.get("apiGroup").and_then(Value::as_str).unwrap_or(""),
        value["resource"].as_str().unwrap(),
    );
    if let Some(namespace) = value.get("namespace").and_then(Value::as_str) {
        request = request.in_namespace(namespace);
    }
    if value.get("anyNamespace").and_then(Value::as_bool) == Some(true) {
        request = request.with_scope(Scope::AnyNamespace);
    }
    if let Some(name) = value.get("name").and_then(Value::as_str) {
        request = request.named(name);
    }
    request
}

fn authorizer(case: &Value) -> Authorizer {
    let mut builder = Authorizer::builder();
    for object in objects(case) {
        let added = builder
            .add_value(&object, None)
            .unwrap_or_else(|error| panic!("{}: cannot read {object}: {error}", case["name"]));
        assert!(added, "{}: not an RBAC object: {object}", case["name"]);
    }
    for entry in case
        .get("accessEntries")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        builder.add_access_entry(access_entry(entry));
    }
    builder.build()
}

#[test]
fn rbac_decisions_match_kubernetes() {
    let document: Value = serde_json::from_str(CASES).unwrap();
    let cases = document["cases"].as_array().unwrap();
    assert!(cases.len() >= 60, "only {} cases", cases.len());
    let mut failures = Vec::new();
    let mut names = std::collections::HashSet::new();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        assert!(names.insert(name), "duplicate case name {name:?}");
        let authorizer = authorizer(case);
        let request = request(&case["request"]);
        if let Some(allowed) = case.get("allowed").and_then(Value::as_bool) {
            let user = case
                .get("user")
                .cloned()
                .unwrap_or(json!({"name": "alice"}));
            let user_name = user["name"].as_str().unwrap();
            let groups = strings(user.get("groups"));
            let user = if case.get("impersonate").and_then(Value::as_bool) == Some(true) {
                UserInfo::impersonated(user_name, &groups)
            } else {
                UserInfo {
                    name: user_name.to_string(),
                    groups,
                }
            };
            let grant = authorizer.can_i(&user, &request);
            if grant.is_some() != allowed {
                failures.push(format!(
                    "{name}: expected {} for {request} as {user:?}, got {grant:?}",
                    if allowed { "allowed" } else { "denied" },
                ));
            }
            // A user who-can names by name (as a User or as a ServiceAccount subject) must be
            // allowed by can-i.
            let named = authorizer.who_can(&request).iter().any(|grant| {
                let subject = &grant.subject;
                match (subject.kind, &subject.namespace) {
                    (PrincipalKind::User, _) => subject.name == user.name,
                    (PrincipalKind::ServiceAccount, Some(namespace)) => {
                        service_account_username(namespace, &subject.name) == user.name
                    }
                    _ => false,
                }
            });
            if named && !allowed {
                failures.push(format!(
                    "{name}: who-can names {} but can-i denies",
                    user.name
                ));
            }
        } else {
            let expected = strings(case.get("whoCan"));
            let mut found: Vec<String> = authorizer
                .who_can(&request)
                .iter()
                .map(|grant| grant.subject.to_string())
                .collect();
            found.sort();
            found.dedup();
            if found != expected {
                failures.push(format!(
                    "{name}: who-can {request}: expected {expected:?}, got {found:?}"
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases fail:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
