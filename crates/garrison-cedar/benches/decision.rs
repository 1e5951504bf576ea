//! One Cedar decision with 1,000 policies: the SubjectAccessReview already read, the Cedar
//! entities built, the policies evaluated, the answer with its reason made (what the webhook
//! does per request after parsing JSON). The target is a median under 20 µs.
//!
//! ```text
//! cargo bench -p garrison-cedar --bench decision
//! ```
//!
//! The policy set is what a cluster with many teams might hold: 990 permits, one per team
//! group and namespace (with a label-selector or subresource condition on some), and 10
//! forbids. Three requests are timed: one a permit allows, one a forbid denies, and one no
//! policy covers (every policy is looked at).

#![allow(clippy::expect_used, clippy::panic)]

// The allocator of the garrison binary, which serves the webhook.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::collections::BTreeMap;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use garrison_cedar::request::{ResourceRequest, Target, UserInfo};
use garrison_cedar::{AccessRequest, Bypass, Decision, Engine, Policies, schema::schema};

fn policy_text() -> String {
    let mut text = String::new();
    for team in 0..990 {
        let condition = match team % 3 {
            0 => format!("resource has namespace && resource.namespace == \"team-{team}\""),
            1 => format!(
                "resource has namespace && resource.namespace == \"team-{team}\" && !(resource has subresource)"
            ),
            _ => format!(
                "resource has namespace && resource.namespace == \"team-{team}\" && resource has labelSelector && resource.labelSelector.contains({{key: \"team\", operator: \"In\", values: [\"{team}\"]}})"
            ),
        };
        text.push_str(&format!(
            "@id(\"team-{team}\")\npermit(principal in k8s::Group::\"team-{team}\", action in [k8s::Action::\"get\", k8s::Action::\"list\", k8s::Action::\"watch\"], resource is k8s::Resource)\n  when {{ {condition} }};\n"
        ));
    }
    for forbid in 0..10 {
        text.push_str(&format!(
            "@id(\"forbid-{forbid}\")\n@reason(\"protected resource {forbid}\")\nforbid(principal, action, resource is k8s::Resource)\n  when {{ resource.resource == \"protected-{forbid}\" }};\n"
        ));
    }
    text
}

fn request(groups: &[&str], resource: &str, namespace: &str) -> AccessRequest {
    AccessRequest {
        user: UserInfo {
            name: "alice@example.com".to_string(),
            uid: Some("6f1c7a3e".to_string()),
            groups: groups.iter().map(|group| group.to_string()).collect(),
            extra: BTreeMap::from([(
                "authentication.kubernetes.io/credential-id".to_string(),
                vec!["X509SHA256=abc".to_string()],
            )]),
        },
        verb: "get".to_string(),
        target: Target::Resource(ResourceRequest {
            api_group: String::new(),
            version: "v1".to_string(),
            resource: resource.to_string(),
            subresource: String::new(),
            name: "web-0".to_string(),
            namespace: namespace.to_string(),
            label_selector: None,
            field_selector: None,
        }),
    }
}

fn decision(criterion: &mut Criterion) {
    let schema = schema().expect("schema");
    let policies = Policies::from_sources(&[("bench.cedar".to_string(), policy_text())], &schema)
        .unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(policies.len(), 1000);
    let engine = Engine::new(Bypass::default()).expect("engine");
    let groups = ["team-500", "team-501", "system:authenticated"];
    let cases = [
        (
            "allow",
            request(&groups, "pods", "team-501"),
            Decision::Allow,
        ),
        (
            "deny",
            request(&groups, "protected-3", "team-501"),
            Decision::Deny,
        ),
        (
            "no-opinion",
            request(&groups, "pods", "elsewhere"),
            Decision::NoOpinion,
        ),
    ];
    let mut group = criterion.benchmark_group("decision_1000_policies");
    for (name, request, expected) in &cases {
        assert_eq!(
            engine.decide(&policies, request).decision,
            *expected,
            "{name}"
        );
        group.bench_function(*name, |bencher| {
            bencher.iter(|| engine.decide(black_box(&policies), black_box(request)))
        });
    }
    // The share of building the Cedar request and entities.
    group.bench_function("entities_only", |bencher| {
        bencher.iter(|| {
            garrison_cedar::entities::to_cedar(engine.types(), black_box(&cases[0].1))
                .expect("entities")
        })
    });
    group.finish();
}

criterion_group!(benches, decision);
criterion_main!(benches);
