//! Detection throughput on one core: a synthetic one-million-event JSON-lines log built by
//! repeating the events of Falco's k8saudit trace files (`shared/conformance/falco-k8saudit`,
//! beside the checkout), read from memory and run through every detector. The target is at
//! least 200,000 events/s.
//!
//! ```text
//! cargo bench -p garrison-audit --bench throughput
//! ```
//!
//! Criterion reports the time per pass and events per second; with `--bench` the median
//! events/s of 7 timed passes is printed as well, by the wall clock and per CPU second of the
//! benchmark thread (the latter is what one core delivers when the machine is shared). Without `--bench` (as `cargo test
//! --all-targets` runs it) one pass over 20,000 events checks that it works.

#![allow(clippy::expect_used, clippy::panic, clippy::unwrap_used)]

use std::hint::black_box;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use garrison_audit::DETECTORS;
use garrison_audit::engine::{Config, Engine, Origin};
use garrison_audit::event::{AuditEvent, CloudTrailRecord};
use garrison_audit::reader::{Sink, read_stream};
use garrison_core::Diagnostic;

fn traces_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/conformance/falco-k8saudit/trace_files")
}

/// The trace files' events, one per line, repeated up to `count` lines.
fn synthetic_log(count: usize) -> Vec<u8> {
    let mut lines = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(traces_dir())
        .unwrap_or_else(|error| panic!("cannot list {}: {error}", traces_dir().display()))
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("trace file");
        for line in text.lines().filter(|line| {
            line.contains("\"kind\":\"Event\"") || line.contains("\"kind\": \"Event\"")
        }) {
            lines.push(line.trim().to_string());
        }
    }
    assert!(
        lines.len() >= 50,
        "expected the 51 trace events, found {}",
        lines.len()
    );
    let mut log = Vec::new();
    for index in 0..count {
        log.extend_from_slice(lines[index % lines.len()].as_bytes());
        log.push(b'\n');
    }
    log
}

/// CPU time (user + system) of the calling thread in seconds, from
/// `/proc/thread-self/stat` (clock ticks, 1/100 s): on a shared machine the wall clock also
/// counts the time other processes held the core. `None` where there is no procfs.
fn thread_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may contain spaces.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let user: f64 = fields.get(11)?.parse().ok()?;
    let system: f64 = fields.get(12)?.parse().ok()?;
    Some((user + system) / 100.0)
}

struct Count<'c> {
    engine: Engine<'c>,
    problems: usize,
}

impl Sink for Count<'_> {
    fn audit(&mut self, event: &AuditEvent<'_>, origin: &Origin) {
        self.engine.audit(event, origin);
    }
    fn cloudtrail(&mut self, record: &CloudTrailRecord<'_>, origin: &Origin) {
        self.engine.cloudtrail(record, origin);
    }
    fn problem(&mut self, _: Diagnostic) {
        self.problems += 1;
    }
}

/// One pass: every event read and run through every detector. Returns (events, findings).
fn pass(log: &[u8], config: &Config) -> (u64, usize) {
    let mut sink = Count {
        engine: Engine::new(DETECTORS.to_vec(), config),
        problems: 0,
    };
    read_stream("synthetic", Box::new(Cursor::new(log)), false, &mut sink);
    assert_eq!(sink.problems, 0);
    (sink.engine.events, sink.engine.findings.len())
}

fn throughput(c: &mut Criterion) {
    let benchmarking = std::env::args().any(|arg| arg == "--bench");
    let count = if benchmarking { 1_000_000 } else { 20_000 };
    let log = synthetic_log(count);
    let config = Config::default();
    let (events, findings) = pass(&log, &config);
    assert_eq!(events, count as u64);
    assert!(findings > 0);
    if benchmarking {
        let mut rates: Vec<f64> = Vec::new();
        let mut cpu_rates: Vec<f64> = Vec::new();
        for _ in 0..7 {
            let (start, cpu_start) = (Instant::now(), thread_cpu_seconds());
            black_box(pass(&log, &config));
            rates.push(count as f64 / start.elapsed().as_secs_f64());
            if let (Some(before), Some(after)) = (cpu_start, thread_cpu_seconds()) {
                cpu_rates.push(count as f64 / (after - before).max(0.01));
            }
        }
        rates.sort_by(f64::total_cmp);
        cpu_rates.sort_by(f64::total_cmp);
        println!(
            "audit throughput: median {:.0} events/s over 7 passes of {count} events ({} MiB; min {:.0}, max {:.0}; {findings} findings a pass)",
            rates[3],
            log.len() / (1024 * 1024),
            rates[0],
            rates[6]
        );
        if cpu_rates.len() == 7 {
            println!(
                "per CPU second of this thread (what it gets of a shared core excluded): median {:.0} events/s (min {:.0}, max {:.0})",
                cpu_rates[3], cpu_rates[0], cpu_rates[6]
            );
        }
    }
    let mut group = c.benchmark_group("audit");
    group.throughput(Throughput::Elements(count as u64));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.bench_function("detect_synthetic_log", |b| {
        b.iter(|| black_box(pass(&log, &config)))
    });
    group.finish();
}

criterion_group!(benches, throughput);
criterion_main!(benches);
