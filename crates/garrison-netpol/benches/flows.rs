//! `netpol flows` throughput: 500,000 flow-log records (default format, S3 header line) read,
//! attributed and checked against the policies of a generated cluster (20 namespaces × 25
//! workloads, 3 addresses each, 4 policies per namespace), on one thread. Building the cluster
//! model, the analyzer and the address table is outside the measurement; reading the records
//! from memory, attributing both ends, the verdict lookups and the final report are inside.
#![allow(clippy::expect_used, clippy::panic)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use garrison_core::Inventory;
use garrison_core::loader::load_text;
use garrison_netpol::flows::{self, Analysis};
use garrison_netpol::{Analyzer, Cluster};

// The allocator `garrison` ships with (its default `mimalloc` feature), so the report's many
// small strings cost what they cost in `garrison netpol flows`.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "flows_setup/mod.rs"]
mod setup;

use setup::{NAMESPACES, RECORDS, WORKLOADS_PER_NAMESPACE};

fn flows(c: &mut Criterion) {
    let inventory = Inventory::new(load_text("generated.yaml", &setup::manifests()));
    let cluster = Cluster::from_inventory(&inventory);
    assert_eq!(cluster.pods.len(), NAMESPACES * WORKLOADS_PER_NAMESPACE);
    assert!(cluster.warnings.is_empty(), "{:?}", cluster.warnings);
    let analyzer = Analyzer::new(&cluster);
    let attribution = setup::attribution(&cluster);
    let input = setup::records(cluster.pods.len(), RECORDS);
    // The mix must exercise both verdicts.
    let mut analysis = Analysis::new(&analyzer, &attribution);
    flows::read_stream("generated.log", input.as_slice(), None, &mut analysis);
    let report = analysis.finish();
    assert_eq!(report.counts.records, RECORDS as u64);
    assert_eq!(report.counts.malformed, 0);
    assert!(!report.denied.is_empty() && report.counts.evaluated > 0);
    let mut group = c.benchmark_group("flows");
    group.sample_size(10);
    group.throughput(Throughput::Elements(RECORDS as u64));
    group.bench_function("500k records: parse, attribute, verdict", |b| {
        b.iter(|| {
            let mut analysis = Analysis::new(&analyzer, &attribution);
            flows::read_stream("generated.log", input.as_slice(), None, &mut analysis);
            std::hint::black_box(analysis.finish().denied.len())
        })
    });
    group.finish();
}

criterion_group!(benches, flows);
criterion_main!(benches);
