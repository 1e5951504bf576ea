//! Arbitrary text as manifests → Pod Security Standards verdicts and messages
//! (see `garrison_fuzz::pss_pod`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| garrison_fuzz::pss_pod(data));
