//! Targets over garrison-cedar: SubjectAccessReviews (and audit events replayed as requests)
//! decided under a small policy set, and Cedar policy and schema loading (policy files validated
//! against garrison's schema; the schema generated from a cluster's discovery and OpenAPI
//! documents). Replayed by `crates/garrison-cedar/tests/fuzz_regressions.rs`, which includes
//! this file.

use std::collections::HashSet;
use std::sync::OnceLock;

use garrison_cedar::audit::AuditLog;
use garrison_cedar::generate::{ClusterApi, generate};
use garrison_cedar::schema::{Schema, schema};
use garrison_cedar::{AccessRequest, Bypass, Decision, Engine, Policies};

/// A small set touching every part of a request: groups, impersonation, selectors,
/// non-resource URLs, service accounts, annotations.
const POLICIES: &str = r#"@id("devs-everything")
permit(principal in k8s::Group::"devs", action, resource);

@id("no-secrets")
@reason("secrets are read through the vault")
forbid(principal, action, resource is k8s::Resource) when { resource.resource == "secrets" };

@id("readers")
permit(principal, action in [k8s::Action::"get", k8s::Action::"list", k8s::Action::"watch"], resource is k8s::Resource)
when { resource has namespace && resource.namespace == "public" };

@id("selector-lists")
permit(principal is k8s::ServiceAccount, action == k8s::Action::"list", resource is k8s::Resource)
when { resource has labelSelector && resource.labelSelector.contains({key: "app", operator: "=", values: ["web"]}) };

@id("health")
permit(principal, action == k8s::Action::"get", resource is k8s::NonResourceURL)
when { resource.path like "/healthz*" };

@id("impersonate-devs")
permit(principal is k8s::User, action == k8s::Action::"impersonate", resource == k8s::Group::"devs");

@id("node-tags")
forbid(principal is k8s::User, action, resource) when { principal.hasTag("team") && principal.getTag("team").contains("intern") };
"#;

struct Setup {
    schema: Schema,
    engine: Engine,
    policies: Policies,
}

fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let schema = match schema() {
            Ok(schema) => schema,
            Err(error) => panic!("the shipped schema does not parse: {error}"),
        };
        let bypass = Bypass {
            users: ["system:kube-controller-manager".to_string()].into(),
            groups: ["system:masters".to_string()].into(),
        };
        let engine = match Engine::new(bypass) {
            Ok(engine) => engine,
            Err(error) => panic!("cannot build the engine: {error}"),
        };
        let policies = match Policies::from_sources(
            &[("policies.cedar".to_string(), POLICIES.to_string())],
            &schema,
        ) {
            Ok(policies) => policies,
            Err(error) => panic!("the fuzz target's own policies do not load: {error}"),
        };
        Setup {
            schema,
            engine,
            policies,
        }
    })
}

/// `subject_access_review`: the input as a SubjectAccessReview → a request → a decision under
/// [`POLICIES`]; and the input as an audit log (JSON lines, an EventList, an array) → the
/// requests it records → a replay under the same policies.
pub fn subject_access_review(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let setup = setup();
    match AccessRequest::from_sar_json(text) {
        Ok(request) => {
            std::hint::black_box(request.describe_target());
            std::hint::black_box(request.to_rbac());
            let answer = setup.engine.decide(&setup.policies, &request);
            if answer.decision != Decision::NoOpinion {
                assert!(
                    !answer.policies.is_empty(),
                    "an allow or deny names its policies: {answer:?}"
                );
            }
            std::hint::black_box(answer.reason);
        }
        Err(error) => {
            std::hint::black_box(error.to_string());
        }
    }
    let mut log = AuditLog::default();
    log.read("audit.jsonl", text, &mut HashSet::new());
    let summary = garrison_cedar::replay::replay(&setup.engine, &setup.policies, &log.requests);
    assert_eq!(
        summary.requests,
        log.requests.len(),
        "every request replayed"
    );
    std::hint::black_box((summary, log.problems));
}

/// `cedar_policy`: the input as a policy file validated against garrison's schema (and, when it
/// loads, used for a few decisions), as a Cedar schema, and (when it is JSON) as a discovery
/// `APIResourceList` and an OpenAPI v3 document from which a cluster's schema is generated.
pub fn cedar_policy(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let setup = setup();
    match Policies::from_sources(
        &[("fuzz.cedar".to_string(), text.to_string())],
        &setup.schema,
    ) {
        Ok(policies) => {
            for sar in SARS {
                if let Ok(request) = AccessRequest::from_sar_json(sar) {
                    std::hint::black_box(setup.engine.decide(&policies, &request));
                }
            }
            for policy in policies.set().policies() {
                std::hint::black_box(policies.info(policy.id()));
            }
        }
        Err(error) => {
            std::hint::black_box(error.to_string());
        }
    }
    if let Ok((schema, warnings)) = Schema::from_cedarschema_str(text) {
        std::hint::black_box((schema, warnings.count()));
    }
    if let Ok(document) = serde_json::from_str::<serde_json::Value>(text) {
        let mut api = ClusterApi::default();
        let discovery = api.add_discovery("k8s/discovery/fuzz.json", &document);
        let openapi = api.add_openapi("k8s/openapi/v3/fuzz.json", &document);
        if discovery.is_ok() || openapi.is_ok() {
            match generate(&api) {
                Ok(generated) => {
                    std::hint::black_box((generated.text, generated.warnings));
                }
                Err(error) => {
                    std::hint::black_box(error.to_string());
                }
            }
        }
    }
}

/// Requests the policies of a `cedar_policy` input are tried on.
const SARS: &[&str] = &[
    r#"{"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview","spec":{"user":"carol","groups":["devs","system:authenticated"],"resourceAttributes":{"verb":"get","version":"v1","resource":"secrets","namespace":"a","name":"db"}}}"#,
    r#"{"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview","spec":{"user":"system:serviceaccount:ci:deployer","groups":["system:serviceaccounts"],"resourceAttributes":{"verb":"list","group":"apps","version":"v1","resource":"deployments","namespace":"ci","labelSelector":{"requirements":[{"key":"app","operator":"In","values":["web"]}]}}}}"#,
    r#"{"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview","spec":{"user":"system:node:ip-10-0-0-1","groups":["system:nodes"],"nonResourceAttributes":{"verb":"get","path":"/healthz"}}}"#,
    r#"{"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview","spec":{"user":"dave","extra":{"team":["intern"]},"resourceAttributes":{"verb":"impersonate","resource":"groups","name":"devs"}}}"#,
];
