//! Differential test: RBAC (the evaluator of `garrison-authz`) and Cedar over the policies
//! `convert-rbac` makes from the same objects must agree on every request. The RBAC inputs are
//! the prototype's fixtures written out from research/cedar-k8s.md §4 (`tests/rbac/*.yaml`) and
//! our own; the requests are 12,000 drawn by a seeded generator from pools that include every
//! name, group, namespace, verb and resource the fixtures mention, and near misses.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::Path;

use garrison_authz::rbac::{self, Authorizer};
use garrison_cedar::convert::convert;
use garrison_cedar::request::{ResourceRequest, Target, UserInfo};
use garrison_cedar::{AccessRequest, Bypass, Decision, Engine, Policies, schema::schema};
use garrison_core::{LoadOptions, load_paths};

/// SplitMix64: a seeded generator, so that a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

const USERS: &[&str] = &[
    "crazy-user",
    "impersonator",
    "bob",
    "carol",
    "alice",
    "system:kube-controller-manager",
    "system:kube-proxy",
    "system:serviceaccount:kube-system:horizontal-pod-autoscaler",
    "system:serviceaccount:kube-system:coredns",
    "system:serviceaccount:kube-system:token-cleaner",
    "system:serviceaccount:ns1:builder",
    "system:serviceaccount:ns2:builder",
    "system:serviceaccount:ns2:deployer",
    "system:serviceaccount::builder",
    "system:node:n1",
    "system:node:n2",
    "system:anonymous",
    "",
];
const GROUPS: &[&str] = &[
    "system:masters",
    "crazy-group",
    "impersonators",
    "monitoring",
    "devs",
    "ops",
    "system:authenticated",
    "system:unauthenticated",
    "system:bootstrappers:kubeadm:default-node-token",
    "system:serviceaccounts",
];
const VERBS: &[&str] = &[
    "get",
    "list",
    "watch",
    "create",
    "update",
    "patch",
    "delete",
    "deletecollection",
    "impersonate",
    "escalate",
    "bind",
    "use",
    "head",
    "post",
    "frobnicate",
];
const API_GROUPS: &[&str] = &[
    "",
    "",
    "",
    "apps",
    "batch",
    "autoscaling",
    "authentication.k8s.io",
    "authorization.k8s.io",
    "rbac.authorization.k8s.io",
    "coordination.k8s.io",
    "events.k8s.io",
    "metrics.k8s.io",
    "custom.metrics.k8s.io",
    "discovery.k8s.io",
    "example.com",
];
const RESOURCES: &[&str] = &[
    "pods",
    "pods",
    "deployments",
    "secrets",
    "configmaps",
    "nodes",
    "events",
    "leases",
    "jobs",
    "endpoints",
    "endpointslices",
    "services",
    "namespaces",
    "horizontalpodautoscalers",
    "users",
    "groups",
    "serviceaccounts",
    "uids",
    "userextras",
    "roles",
    "clusterroles",
    "tokenreviews",
    "subjectaccessreviews",
    "*",
];
const SUBRESOURCES: &[&str] = &[
    "log", "exec", "attach", "proxy", "status", "scale", "token", "*", "scopes", "other",
];
const NAMES: &[&str] = &[
    "alice",
    "db",
    "x",
    "we\"ird",
    "st*r",
    "devs",
    "builder",
    "edit",
    "view",
    "system:node:n1",
    "kube-controller-manager",
    "n1",
];
const NAMESPACES: &[&str] = &["default", "kube-system", "ns1", "ns2"];
const PATHS: &[&str] = &[
    "/healthz",
    "/healthz/",
    "/healthz/etcd",
    "/healthzz",
    "/logs",
    "/logs/kubelet.log",
    "/log",
    "/api/v1/x",
    "/api/*/x",
    "/version",
    "/version/",
    "/livez",
    "/readyz",
    "/metrics",
    "/odd*path*",
    "/odd*pathology",
    "/oddpath",
    "/st\"ar/1",
    "/",
];

fn request(rng: &mut Rng) -> AccessRequest {
    let name = rng.pick(USERS).to_string();
    let mut groups = Vec::new();
    for group in GROUPS {
        if rng.chance(12) {
            groups.push(group.to_string());
        }
    }
    let user = UserInfo {
        name,
        uid: None,
        groups,
        extra: BTreeMap::new(),
    };
    let verb = rng.pick(VERBS).to_string();
    let target = if rng.chance(15) {
        Target::NonResource {
            path: rng.pick(PATHS).to_string(),
        }
    } else {
        let resource = rng.pick(RESOURCES);
        let api_group = match resource {
            "userextras" if rng.chance(80) => "authentication.k8s.io",
            "users" | "groups" | "serviceaccounts" | "uids" if rng.chance(80) => "",
            _ => rng.pick(API_GROUPS),
        };
        let subresource = if rng.chance(30) || resource == "userextras" && rng.chance(80) {
            rng.pick(SUBRESOURCES)
        } else {
            ""
        };
        let name = if rng.chance(55) { rng.pick(NAMES) } else { "" };
        let namespace = if rng.chance(50) {
            rng.pick(NAMESPACES)
        } else {
            ""
        };
        Target::Resource(ResourceRequest {
            api_group: api_group.to_string(),
            version: "v1".to_string(),
            resource: resource.to_string(),
            subresource: subresource.to_string(),
            name: name.to_string(),
            namespace: namespace.to_string(),
            label_selector: None,
            field_selector: None,
        })
    };
    AccessRequest { user, verb, target }
}

#[test]
fn rbac_and_converted_cedar_agree() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/rbac");
    let loaded = load_paths(&[dir.display().to_string()], &LoadOptions::default());
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    assert!(loaded.objects.len() >= 30, "fixtures missing in {dir:?}");
    let (authorizer, diagnostics) = Authorizer::from_objects(&loaded.objects, None);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");

    let engine = Engine::new(Bypass::default()).unwrap();
    let converted = convert(&authorizer, engine.types());
    let schema = schema().unwrap();
    let policies = Policies::from_sources(
        &[("converted.cedar".to_string(), converted.text.clone())],
        &schema,
    )
    .unwrap_or_else(|error| {
        panic!(
            "converted policies are invalid: {error}\n{}",
            converted.text
        )
    });
    assert_eq!(policies.len(), converted.policies);

    let mut rng = Rng(0x6761_7272_6973_6f6e);
    let mut disagreements = Vec::new();
    let (mut allowed, mut total) = (0, 0);
    for _ in 0..12_000 {
        let access = request(&mut rng);
        let user = rbac::UserInfo {
            name: access.user.name.clone(),
            groups: access.user.groups.clone(),
        };
        let rbac_grant = authorizer.can_i(&user, &access.to_rbac());
        let answer = engine.decide(&policies, &access);
        assert_ne!(
            answer.decision,
            Decision::Deny,
            "converted policies never forbid"
        );
        let cedar_allows = answer.decision == Decision::Allow;
        if rbac_grant.is_some() != cedar_allows && disagreements.len() < 20 {
            disagreements.push(format!(
                "{access:?}\n  RBAC: {rbac_grant:?}\n  Cedar: {}",
                answer.reason
            ));
        }
        allowed += usize::from(rbac_grant.is_some());
        total += 1;
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
    // Both outcomes are well represented, so agreement is not trivial.
    assert!(allowed * 10 > total, "only {allowed} of {total} allowed");
    assert!(allowed * 10 < total * 9, "{allowed} of {total} allowed");
}

/// The §3 converter errors, as direct decisions on converted policies.
#[test]
fn prototype_converter_errors_are_not_repeated() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/rbac");
    let loaded = load_paths(&[dir.display().to_string()], &LoadOptions::default());
    let (authorizer, _) = Authorizer::from_objects(&loaded.objects, None);
    let engine = Engine::new(Bypass::default()).unwrap();
    let converted = convert(&authorizer, engine.types());
    let policies = Policies::from_sources(
        &[("converted.cedar".to_string(), converted.text)],
        &schema().unwrap(),
    )
    .unwrap();
    let decide = |user: &str, groups: &[&str], verb: &str, target: Target| {
        let access = AccessRequest {
            user: UserInfo {
                name: user.to_string(),
                uid: None,
                groups: groups.iter().map(|group| group.to_string()).collect(),
                extra: BTreeMap::new(),
            },
            verb: verb.to_string(),
            target,
        };
        engine.decide(&policies, &access).decision
    };
    let resource = |resource: &str, subresource: &str, namespace: &str| {
        Target::Resource(ResourceRequest {
            resource: resource.to_string(),
            subresource: subresource.to_string(),
            namespace: namespace.to_string(),
            name: "p".to_string(),
            version: "v1".to_string(),
            ..ResourceRequest::default()
        })
    };
    // 2: pods/* is a literal "*" subresource.
    assert_eq!(
        decide("crazy-user", &[], "get", resource("pods", "exec", "a")),
        Decision::NoOpinion
    );
    assert_eq!(
        decide("crazy-user", &[], "get", resource("pods", "*", "a")),
        Decision::Allow
    );
    // 3: [pods, pods/log] does not admit pods/exec.
    assert_eq!(
        decide("crazy-user", &[], "watch", resource("pods", "log", "a")),
        Decision::Allow
    );
    assert_eq!(
        decide("crazy-user", &[], "watch", resource("pods", "exec", "a")),
        Decision::NoOpinion
    );
    // 4: cluster-admin's * includes subresources.
    assert_eq!(
        decide(
            "root",
            &["system:masters"],
            "create",
            resource("pods", "exec", "a")
        ),
        Decision::Allow
    );
    // 5: /healthz/* is a prefix; /logs** too.
    let path = |path: &str| Target::NonResource {
        path: path.to_string(),
    };
    assert_eq!(
        decide("m", &["monitoring"], "get", path("/healthz/etcd")),
        Decision::Allow
    );
    assert_eq!(
        decide("m", &["monitoring"], "get", path("/logs/a/b")),
        Decision::Allow
    );
    assert_eq!(
        decide("m", &["monitoring"], "get", path("/healthzz")),
        Decision::NoOpinion
    );
    // 6: a User subject named like a service account or node names that principal.
    assert_eq!(
        decide(
            "system:serviceaccount:ns2:deployer",
            &[],
            "get",
            Target::Resource(ResourceRequest {
                api_group: "apps".to_string(),
                resource: "deployments".to_string(),
                namespace: "ns1".to_string(),
                ..ResourceRequest::default()
            })
        ),
        Decision::Allow
    );
    // A binding to a missing role is reported.
    assert!(
        converted
            .warnings
            .iter()
            .any(|warning| warning.contains("does-not-exist"))
    );
}

/// Policies sliced by principal scope, action and first resource comparison
/// (`Policies::slices`) decide every request as Cedar does over the whole set: same decision,
/// same deciding policies. The set mixes the converted RBAC permits with forbids and permits of
/// every scope shape: any principal or a group, user or type; any action, one action or a list;
/// resource scopes and conditions that begin with `resource in E`, with a comparison of an
/// attribute (guarded by `has` or not, either way round) or with something else.
#[test]
fn slices_decide_as_the_whole_set() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/rbac");
    let loaded = load_paths(&[dir.display().to_string()], &LoadOptions::default());
    let (authorizer, _) = Authorizer::from_objects(&loaded.objects, None);
    let engine = Engine::new(Bypass::default()).unwrap();
    let converted = convert(&authorizer, engine.types());
    let extra = r#"
@id("forbid-delete-kube-system")
forbid(principal, action == k8s::Action::"delete", resource is k8s::Resource)
  when { resource has namespace && resource.namespace == "kube-system" };
@id("forbid-escalation")
forbid(principal, action in [k8s::Action::"escalate", k8s::Action::"bind"], resource)
  unless { principal in k8s::Group::"system:masters" };
@id("permit-read-configmaps")
permit(principal, action in [k8s::Action::"get", k8s::Action::"list", k8s::Action::"get"], resource is k8s::Resource)
  when { resource.resource == "configmaps" };
@id("forbid-sa-urls")
forbid(principal in k8s::Group::"system:serviceaccounts", action, resource is k8s::NonResourceURL)
  when { resource.path like "/logs*" };
@id("permit-alice-watch")
permit(principal == k8s::User::"alice", action == k8s::Action::"watch", resource);
@id("forbid-nodes-secrets")
forbid(principal is k8s::Node, action, resource is k8s::Resource) when { resource.resource == "secrets" };
@id("permit-devs-anything-ns1")
permit(principal in k8s::Group::"devs", action, resource is k8s::Resource)
  when { resource has namespace && resource.namespace == "ns1" };
@id("forbid-ops-patch")
forbid(principal in k8s::Group::"ops", action in [k8s::Action::"patch", k8s::Action::"update"], resource);
@id("impersonate-own-groups")
permit(principal, action == k8s::Action::"impersonate", resource is k8s::Group) when { principal in resource };
@id("forbid-ops-core-secrets")
forbid(principal in k8s::Group::"ops", action, resource is k8s::Resource)
  when { resource.apiGroup == "" && resource.resource == "secrets" };
@id("forbid-create-pods-ns2")
forbid(principal, action == k8s::Action::"create", resource is k8s::Resource)
  when { resource has namespace && "ns2" == resource.namespace && resource.resource == "pods" };
@id("permit-impersonate-alice")
permit(principal in k8s::Group::"impersonators", action == k8s::Action::"impersonate", resource is k8s::User)
  when { resource.name == "alice" };
@id("permit-monitoring-metrics")
permit(principal in k8s::Group::"monitoring", action, resource)
  when { resource is k8s::NonResourceURL && resource.path == "/metrics" };
@id("permit-impersonators-devs")
permit(principal in k8s::Group::"impersonators", action == k8s::Action::"impersonate", resource == k8s::Group::"devs");
@id("forbid-impersonate-alice")
forbid(principal, action == k8s::Action::"impersonate", resource)
  when { resource has name && resource in k8s::User::"alice" };
@id("permit-named-view")
permit(principal, action in [k8s::Action::"get", k8s::Action::"watch"], resource is k8s::Resource)
  when { resource has name && resource has namespace && resource.name == "view" && resource.namespace == "default" };
"#;
    let schema = schema().unwrap();
    let policies = Policies::from_sources(
        &[
            ("converted.cedar".to_string(), converted.text.clone()),
            ("extra.cedar".to_string(), extra.to_string()),
        ],
        &schema,
    )
    .unwrap_or_else(|error| panic!("{error}"));
    let whole = cedar_policy::Authorizer::new();
    let mut rng = Rng(0x736c_6963_6573);
    let mut seen = BTreeMap::new();
    // Impersonating a group of one's own that no policy names: the group must stay a parent.
    let own_group = AccessRequest {
        user: UserInfo {
            name: "bob".to_string(),
            uid: None,
            groups: vec!["system:authenticated".to_string(), "devs".to_string()],
            extra: BTreeMap::new(),
        },
        verb: "impersonate".to_string(),
        target: Target::Resource(ResourceRequest {
            resource: "groups".to_string(),
            name: "system:authenticated".to_string(),
            version: "v1".to_string(),
            ..ResourceRequest::default()
        }),
    };
    assert_eq!(
        engine.decide(&policies, &own_group).decision,
        Decision::Allow
    );
    let mut other_group = own_group.clone();
    if let Target::Resource(resource) = &mut other_group.target {
        resource.name = "system:masters".to_string();
    }
    assert_eq!(
        engine.decide(&policies, &other_group).decision,
        Decision::NoOpinion
    );
    // The policies keyed on the entity the resource must be (`resource == E`, `resource in E`).
    let impersonate = |groups: &[&str], resource: &str, name: &str| AccessRequest {
        user: UserInfo {
            name: "carol".to_string(),
            uid: None,
            groups: groups.iter().map(|group| group.to_string()).collect(),
            extra: BTreeMap::new(),
        },
        verb: "impersonate".to_string(),
        target: Target::Resource(ResourceRequest {
            resource: resource.to_string(),
            name: name.to_string(),
            version: "v1".to_string(),
            ..ResourceRequest::default()
        }),
    };
    let alice = impersonate(&["impersonators"], "users", "alice");
    let devs = impersonate(&["impersonators"], "groups", "devs");
    let answer = engine.decide(&policies, &alice);
    assert_eq!(
        (answer.decision, answer.policies),
        (Decision::Deny, vec!["forbid-impersonate-alice".to_string()])
    );
    assert_eq!(engine.decide(&policies, &devs).decision, Decision::Allow);
    let requests = [
        own_group,
        other_group,
        alice,
        devs,
        impersonate(&["impersonators"], "users", "bob"),
        impersonate(&["ops"], "groups", "devs"),
    ]
    .into_iter()
    .chain(std::iter::repeat_with(|| request(&mut rng)).take(12_000));
    for access in requests {
        let answer = engine.decide(&policies, &access);
        let (cedar_request, entities) =
            garrison_cedar::entities::to_cedar(engine.types(), &access).unwrap();
        let response = whole.is_authorized(&cedar_request, policies.set(), &entities);
        assert_eq!(response.diagnostics().errors().count(), 0, "{access:?}");
        let mut reasons: Vec<String> = response
            .diagnostics()
            .reason()
            .map(|id| policies.info(id).unwrap().id.clone())
            .collect();
        reasons.sort();
        let expected = match response.decision() {
            cedar_policy::Decision::Allow => Decision::Allow,
            cedar_policy::Decision::Deny if reasons.is_empty() => Decision::NoOpinion,
            cedar_policy::Decision::Deny => Decision::Deny,
        };
        let mut sliced = answer.policies.clone();
        sliced.sort();
        assert_eq!(
            (answer.decision, &sliced),
            (expected, &reasons),
            "{access:?}"
        );
        *seen.entry(expected).or_insert(0) += 1;
    }
    // All three outcomes occur often enough for agreement to mean something.
    for decision in [Decision::Allow, Decision::Deny, Decision::NoOpinion] {
        assert!(
            seen.get(&decision).copied().unwrap_or(0) > 500,
            "{decision:?}: {seen:?}"
        );
    }
}
