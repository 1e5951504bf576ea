//! CPU cost of one admission review, without TLS or HTTP: `Admission::review` over the body of
//! an AdmissionReview, under the shared load fixture (`garrison_server::loadgen::fixtures`: 100
//! namespaces enforcing restricted, 100 Cedar forbids, an image rule). One bench per kind of
//! request the load tools send: a compliant Pod (allowed after every rule has run), a Pod that
//! violates restricted (denied by Pod Security; Cedar and images not reached) and a Deployment
//! (warned, then judged by Cedar and the image rule).
//!
//! ```text
//! cargo bench -p garrison-server --features loadgen --bench review
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{Criterion, criterion_group, criterion_main};
use garrison_server::admission::Admission;
use garrison_server::admission::cedar::CedarRules;
use garrison_server::admission::config::AdmissionConfig;
use garrison_server::loadgen::fixtures;

fn review(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config.yaml"), fixtures::CONFIG).unwrap();
    let policies = dir.path().join("policies");
    std::fs::create_dir(&policies).unwrap();
    std::fs::write(policies.join("teams.cedar"), fixtures::policies()).unwrap();
    let config = AdmissionConfig::load(&dir.path().join("config.yaml")).unwrap();
    let cedar = CedarRules::load(policies).unwrap();
    let admission = Admission::new(config, fixtures::namespaces(), Some(cedar));

    let mut group = c.benchmark_group("admission_review");
    for (name, index) in [
        ("compliant_pod", 0),
        ("violating_pod", 1),
        ("deployment", 2),
    ] {
        let body = fixtures::review(index + 3 * 7);
        let (_, decision) = admission.review(body.as_bytes()).unwrap();
        assert_eq!(decision.verdict.allowed, index != 1, "{name}: {decision:?}");
        group.bench_function(name, |b| {
            b.iter(|| admission.review(std::hint::black_box(body.as_bytes())))
        });
    }
    group.finish();
}

criterion_group!(benches, review);
criterion_main!(benches);
