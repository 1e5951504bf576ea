//! Replays every input a fuzz target of this crate ever crashed on (`tests/fuzz_regressions/`)
//! through every fuzz target body of `fuzz/src/netpol.rs`, which are the very functions `fuzz/` runs (netpol, flow_logs). The
//! directory may hold no input yet, but it must exist: a missing directory fails rather than
//! passing vacuously. The committed seeds of the same targets (`fuzz/seeds/<target>/`) are
//! replayed too, so the target bodies are exercised by CI, which does not run the fuzzer.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../../fuzz/src/netpol.rs"]
mod harness;
#[path = "../../../fuzz/src/replay.rs"]
mod replay;

const TARGETS: &[replay::Target] = &[
    ("netpol", harness::netpol),
    ("flow_logs", harness::flow_logs),
];

#[test]
fn fuzz_regression_inputs_do_not_panic() {
    replay::regression_inputs(env!("CARGO_MANIFEST_DIR"), TARGETS);
}

#[test]
fn committed_seeds_do_not_panic() {
    replay::committed_seeds(env!("CARGO_MANIFEST_DIR"), TARGETS);
}
