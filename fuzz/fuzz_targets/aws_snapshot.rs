//! The files of a cluster snapshot (`==> path` headers) → the snapshot loader → every check
//! and the typed AWS model's parsers (see `garrison_fuzz::aws_snapshot`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| garrison_fuzz::aws_snapshot(data));
