//! Writes the 100,000-object scale snapshot used by `benches/scan.rs` to a directory, for
//! measuring the CLI end to end (`scripts/bench-100k.sh`):
//!
//! ```text
//! cargo run --release -p garrison-checks --example make_snapshot -- /tmp/snap100k [OBJECTS]
//! garrison scan /tmp/snap100k --format json
//! ```

#[path = "../benches/support/snapshot.rs"]
mod snapshot;

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(out) = args.next() else {
        eprintln!("usage: make_snapshot DIR [OBJECTS]");
        return ExitCode::from(2);
    };
    let target = match args.next().map(|text| text.parse::<usize>()) {
        None => snapshot::TARGET_OBJECTS,
        Some(Ok(target)) if target > 0 => target,
        Some(_) => {
            eprintln!("make_snapshot: OBJECTS must be a positive integer");
            return ExitCode::from(2);
        }
    };
    let out = PathBuf::from(out);
    match snapshot::write_snapshot(&snapshot::corpus_dir(), target, &out) {
        Ok(stats) => {
            eprintln!(
                "make_snapshot: wrote {} objects ({} corpus objects: {} CRDs once, others copied {} times; {} generated Namespaces) in {} files, {:.1} MiB, to {}",
                stats.objects,
                stats.corpus_objects,
                stats.crds,
                stats.copies,
                stats.generated_namespaces,
                stats.files,
                stats.bytes as f64 / (1024.0 * 1024.0),
                out.display()
            );
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("make_snapshot: error: {message}");
            ExitCode::FAILURE
        }
    }
}
