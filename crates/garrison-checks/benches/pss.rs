//! Pod Security Standards evaluation speed: baseline and restricted (both at `latest`) for each
//! distinct pod of upstream's fixture suite (`shared/conformance/psa`, beside the checkout). The
//! target is under 2 µs per pod for the pair.
//!
//! ```text
//! cargo bench -p garrison-checks --bench pss
//! ```
//!
//! Criterion reports the time for one pass over every pod (and pods per second); with `--bench`
//! the median time per pod over 201 timed passes is printed as well.

#![allow(clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use garrison_checks::pss::{PssLevel, PssVersion, evaluate_pod};
use k8s_openapi::api::core::v1::PodSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Deserialize;

fn testdata_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/psa/test/testdata")
}

fn collect_yaml(directory: &Path, files: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(directory)
        .unwrap_or_else(|error| panic!("cannot list {}: {error}", directory.display()));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            collect_yaml(&path, files);
        } else if path
            .extension()
            .is_some_and(|extension| extension == "yaml")
        {
            files.push(path);
        }
    }
}

/// Every distinct fixture pod (the suite repeats most pods at every version).
fn fixture_pods() -> Vec<(ObjectMeta, PodSpec)> {
    let directory = testdata_dir();
    if !directory.is_dir() {
        panic!(
            "benches/pss.rs: {} not found; the PSA fixture suite (shared/conformance/psa) must lie beside the checkout",
            directory.display()
        );
    }
    let mut files = Vec::new();
    collect_yaml(&directory, &mut files);
    files.sort();
    let texts: BTreeSet<String> = files
        .iter()
        .map(|path| std::fs::read_to_string(path).expect("readable fixture"))
        .collect();
    texts
        .iter()
        .map(|text| {
            let loaded = garrison_core::loader::load_text("fixture.yaml", text);
            let object = loaded.objects.first().expect("one pod per fixture");
            let metadata = ObjectMeta::deserialize(&object.value["metadata"]).expect("metadata");
            let spec = PodSpec::deserialize(&object.value["spec"]).expect("spec");
            (metadata, spec)
        })
        .collect()
}

/// Baseline then restricted, as a namespace with both labels would evaluate a pod.
fn evaluate_all(pods: &[(ObjectMeta, PodSpec)]) -> usize {
    let mut forbidden = 0;
    for (metadata, spec) in pods {
        forbidden += evaluate_pod(PssLevel::Baseline, PssVersion::LATEST, metadata, spec).len();
        forbidden += evaluate_pod(PssLevel::Restricted, PssVersion::LATEST, metadata, spec).len();
    }
    forbidden
}

fn median_per_pod(pods: &[(ObjectMeta, PodSpec)]) -> Duration {
    let mut passes: Vec<Duration> = (0..201)
        .map(|_| {
            let start = Instant::now();
            black_box(evaluate_all(black_box(pods)));
            start.elapsed()
        })
        .collect();
    passes.sort_unstable();
    let count = u32::try_from(pods.len()).expect("fewer than 4 billion pods");
    passes[passes.len() / 2] / count
}

fn bench_pss(c: &mut Criterion) {
    let pods = fixture_pods();
    eprintln!("PSS bench: {} distinct fixture pods", pods.len());
    let mut group = c.benchmark_group("pss");
    group.throughput(Throughput::Elements(pods.len() as u64));
    group.bench_function("baseline+restricted latest, all fixture pods", |b| {
        b.iter(|| evaluate_all(black_box(&pods)));
    });
    group.finish();
    // Only when benchmarking for real: `cargo test --all-targets` runs this in test mode.
    if std::env::args().any(|argument| argument == "--bench") {
        eprintln!(
            "PSS bench: median {:?} per pod (baseline + restricted)",
            median_per_pod(&pods)
        );
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(5));
    targets = bench_pss
}
criterion_main!(benches);
