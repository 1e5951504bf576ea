//! The work of the `flows` bench once, on a record count given as the first argument (default
//! 500,000), for profiling with callgrind or perf:
//!
//! ```text
//! cargo build --release -p garrison-netpol --example flows_profile
//! valgrind --tool=callgrind --toggle-collect='flows_profile::measured' \
//!     target/release/examples/flows_profile 500000
//! ```
//!
//! A second argument names a file the report is written to as JSON (to compare results before
//! and after a change).
//!
//! Building the cluster, the analyzer, the attribution and the records is outside `measured`,
//! as it is outside the bench's measurement.
#![allow(clippy::expect_used, clippy::panic)]

use garrison_core::Inventory;
use garrison_core::loader::load_text;
use garrison_netpol::flows::{self, Analysis, Attribution, FlowReport};
use garrison_netpol::{Analyzer, Cluster};

// The allocator `garrison` ships with (its default `mimalloc` feature), so the report's many
// small strings cost what they cost in `garrison netpol flows`.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "../benches/flows_setup/mod.rs"]
mod setup;

fn main() {
    let count: usize = std::env::args()
        .nth(1)
        .map_or(setup::RECORDS, |text| text.parse().expect("a record count"));
    let inventory = Inventory::new(load_text("generated.yaml", &setup::manifests()));
    let cluster = Cluster::from_inventory(&inventory);
    assert_eq!(
        cluster.pods.len(),
        setup::NAMESPACES * setup::WORKLOADS_PER_NAMESPACE
    );
    let analyzer = Analyzer::new_sequential(&cluster);
    let attribution = setup::attribution(&cluster);
    let input = setup::records(cluster.pods.len(), count);
    if let Some(path) = std::env::args().nth(2) {
        let report = analyse(&analyzer, &attribution, &input);
        let json = serde_json::to_string_pretty(&report).expect("a report serialises");
        std::fs::write(&path, json).expect("the report file is written");
    }
    let started = std::time::Instant::now();
    let cpu_before = thread_cpu_seconds();
    let denied = measured(&analyzer, &attribution, &input);
    let cpu = thread_cpu_seconds() - cpu_before;
    let elapsed = started.elapsed();
    println!(
        "{count} records: {denied} denied flows; one run: {:.3} s wall, {:.0} records/s; {:.2} s of CPU (user + system, 10 ms ticks), {:.0} records/s",
        elapsed.as_secs_f64(),
        count as f64 / elapsed.as_secs_f64(),
        cpu,
        count as f64 / cpu
    );
}

/// What the bench times: reading, attributing, verdicts, the report, and dropping it.
#[inline(never)]
fn measured(analyzer: &Analyzer<'_>, attribution: &Attribution, input: &[u8]) -> usize {
    analyse(analyzer, attribution, input).denied.len()
}

fn analyse(analyzer: &Analyzer<'_>, attribution: &Attribution, input: &[u8]) -> FlowReport {
    let mut analysis = Analysis::new(analyzer, attribution);
    flows::read_stream("generated.log", input, None, &mut analysis);
    analysis.finish()
}

/// CPU time of this thread (user + system) from `/proc/thread-self/stat`, in seconds: on a
/// shared machine, what the run cost rather than how long it waited for a core. Linux only;
/// NaN elsewhere.
fn thread_cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/thread-self/stat") else {
        return f64::NAN;
    };
    // Fields after the command name (which may hold spaces) end with ')'; utime and stime are
    // the 14th and 15th fields, in clock ticks (100 per second on Linux).
    let Some((_, rest)) = stat.rsplit_once(')') else {
        return f64::NAN;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |index: usize| fields.get(index).and_then(|f| f.parse::<f64>().ok());
    match (ticks(11), ticks(12)) {
        (Some(user), Some(system)) => (user + system) / 100.0,
        _ => f64::NAN,
    }
}
