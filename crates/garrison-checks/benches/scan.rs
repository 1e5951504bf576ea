//! Scale benchmark: load + check of a 100,000-object cluster snapshot, and of the real-manifests
//! corpus itself.
//!
//! The snapshot is generated once into a temporary directory by `support/snapshot.rs` (the same
//! generator `examples/make_snapshot.rs` uses for the CLI measurement in `scripts/bench-100k.sh`).
//! It needs `shared/corpus/real-manifests` beside the repository and fails loudly without it.
//! Under `cargo test --all-targets` (no `--bench` argument) it runs once on a 2,000-object
//! snapshot, as a smoke test.
//!
//! ```text
//! cargo bench -p garrison-checks --bench scan
//! ```

#![allow(clippy::expect_used, clippy::panic)]

#[path = "support/snapshot.rs"]
mod snapshot;

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use garrison_checks::{CHECKS, Check, run_checks};
use garrison_core::{Config, Inventory, LoadOptions, load_paths};

/// The allocator the `garrison` binary uses, so that the figures are the CLI's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Objects in the snapshot when the bench runs as a smoke test under `cargo test`.
const SMOKE_TEST_OBJECTS: usize = 2_000;

/// The load options `garrison scan` uses: kinds no check reads are kept for their identity only.
fn load_options(checks: &[&Check]) -> LoadOptions {
    LoadOptions {
        body_kinds: Some(garrison_checks::kinds_read(checks)),
        separate_pod_specs: true,
        ..LoadOptions::default()
    }
}

/// Load, index and check everything under `path`, as `garrison scan` does (without the report);
/// returns (objects, findings). Dropping the results is part of the measurement, as in the CLI.
fn load_and_check(path: &str, checks: &[&Check]) -> (usize, usize) {
    let loaded = load_paths(&[path.to_string()], &load_options(checks));
    let inventory = Inventory::new(loaded);
    let findings = run_checks(&inventory, &Config::default(), checks);
    (inventory.objects.len(), findings.len())
}

fn bench_scan(c: &mut Criterion) {
    let checks: Vec<&Check> = CHECKS.iter().collect();
    let corpus = snapshot::corpus_dir();
    if !corpus.is_dir() {
        panic!(
            "benches/scan.rs: corpus directory {} not found; this bench replicates shared/corpus/real-manifests",
            corpus.display()
        );
    }

    // `cargo bench` passes `--bench`; `cargo test --all-targets` runs this file once per bench
    // as a smoke test (unoptimized), where a small snapshot exercises the same code.
    let target = if std::env::args().any(|arg| arg == "--bench") {
        snapshot::TARGET_OBJECTS
    } else {
        SMOKE_TEST_OBJECTS
    };
    let directory = tempfile::tempdir().expect("cannot create a temporary directory");
    let stats = snapshot::write_snapshot(&corpus, target, directory.path())
        .unwrap_or_else(|message| panic!("cannot write the scale snapshot: {message}"));
    eprintln!(
        "scale snapshot: {} objects ({} CRDs once, {} other corpus objects copied {} times, {} generated Namespaces), {} files, {:.1} MiB",
        stats.objects,
        stats.crds,
        stats.corpus_objects - stats.crds,
        stats.copies,
        stats.generated_namespaces,
        stats.files,
        stats.bytes as f64 / (1024.0 * 1024.0)
    );
    let snapshot_path = directory.path().to_string_lossy().into_owned();
    let (objects, findings) = load_and_check(&snapshot_path, &checks);
    assert_eq!(
        objects, target,
        "the loader did not load every object of the scale snapshot"
    );
    eprintln!("scale snapshot: {objects} objects loaded, {findings} findings");

    let corpus_path = corpus.to_string_lossy().into_owned();
    let mut group = c.benchmark_group("load+check corpus");
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(15));
    group.bench_function("real-manifests", |b| {
        b.iter(|| black_box(load_and_check(black_box(&corpus_path), &checks)))
    });
    group.finish();

    let mut group = c.benchmark_group("load+check 100k");
    // One iteration takes seconds: 10 samples of the same number of iterations (flat sampling),
    // one each while an iteration takes 3 s or more, so that the whole bench, snapshot generation
    // included, stays around two minutes (criterion warns when 10 iterations exceed 30 s).
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.warm_up_time(Duration::from_secs(3));
    group.measurement_time(Duration::from_secs(30));
    group.bench_function("snapshot", |b| {
        b.iter(|| black_box(load_and_check(black_box(&snapshot_path), &checks)))
    });
    group.finish();
}

criterion_group!(benches, bench_scan);
criterion_main!(benches);
