//! The replay half of the fuzz regression tests of garrison's crates, included by their
//! `tests/fuzz_regressions.rs` with `#[path]` as the target bodies are: every input a target of
//! the crate ever crashed on (`tests/fuzz_regressions/`, which must exist even when empty, so a
//! missing directory fails rather than passing vacuously) and the committed seeds of the same
//! targets (`fuzz/seeds/<target>/`) run through the target bodies, so CI exercises them without
//! the fuzzer. Not part of the fuzz crate's build.

use std::path::{Path, PathBuf};

/// A target's name and body.
pub type Target = (&'static str, fn(&[u8]));

fn inputs(directory: &Path) -> Vec<PathBuf> {
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(directory)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", directory.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_file())
        .filter(|path| {
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            !name.starts_with('.') && !name.starts_with("README")
        })
        .collect();
    inputs.sort();
    inputs
}

fn replay(targets: &[Target], paths: &[PathBuf]) {
    for path in paths {
        let data = std::fs::read(path).unwrap();
        for (target, run) in targets {
            let outcome = std::panic::catch_unwind(|| run(&data));
            assert!(
                outcome.is_ok(),
                "{target} panicked on {} (rerun: cargo fuzz run {target} {})",
                path.display(),
                path.display()
            );
        }
    }
}

/// Replays the crate's `tests/fuzz_regressions/` inputs; `manifest_dir` is the crate's
/// `CARGO_MANIFEST_DIR`.
pub fn regression_inputs(manifest_dir: &str, targets: &[Target]) {
    let own = Path::new(manifest_dir).join("tests/fuzz_regressions");
    assert!(own.is_dir(), "{} must exist", own.display());
    let all = inputs(&own);
    replay(targets, &all);
    eprintln!("{} fuzz regression input(s) replayed", all.len());
}

/// Replays the committed seeds of `targets`; each target must have at least one.
pub fn committed_seeds(manifest_dir: &str, targets: &[Target]) {
    let seeds = Path::new(manifest_dir).join("../../fuzz/seeds");
    let mut all = Vec::new();
    for (target, _) in targets {
        let directory = seeds.join(target);
        let found = inputs(&directory);
        assert!(!found.is_empty(), "no seed in {}", directory.display());
        all.extend(found);
    }
    replay(targets, &all);
    eprintln!("{} seed(s) replayed", all.len());
}
