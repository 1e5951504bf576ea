//! Replays every input a fuzz target of this crate ever crashed on (`tests/fuzz_regressions/`)
//! through every fuzz target body of `fuzz/src/cedar.rs`, which are the very functions `fuzz/` runs (cedar). The
//! directory may hold no input yet, but it must exist: a missing directory fails rather than
//! passing vacuously. The committed seeds of the same targets (`fuzz/seeds/<target>/`) are
//! replayed too, so the target bodies are exercised by CI, which does not run the fuzzer.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

#[path = "../../../fuzz/src/cedar.rs"]
mod harness;

/// A target's name and body.
type Target = (&'static str, fn(&[u8]));

const TARGETS: &[Target] = &[
    ("subject_access_review", harness::subject_access_review),
    ("cedar_policy", harness::cedar_policy),
];

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

fn replay(paths: &[PathBuf]) {
    for path in paths {
        let data = std::fs::read(path).unwrap();
        for (target, run) in TARGETS {
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

#[test]
fn fuzz_regression_inputs_do_not_panic() {
    let own = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    assert!(own.is_dir(), "{} must exist", own.display());
    let all = inputs(&own);
    replay(&all);
    eprintln!("{} fuzz regression input(s) replayed", all.len());
}

#[test]
fn committed_seeds_do_not_panic() {
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds");
    let mut all = Vec::new();
    for (target, _) in TARGETS {
        let directory = seeds.join(target);
        let found = inputs(&directory);
        assert!(!found.is_empty(), "no seed in {}", directory.display());
        all.extend(found);
    }
    replay(&all);
    eprintln!("{} seed(s) replayed", all.len());
}
