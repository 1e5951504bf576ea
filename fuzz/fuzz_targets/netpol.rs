//! Manifests → the NetworkPolicy model → the connectivity list (see `garrison_fuzz::netpol`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| garrison_fuzz::netpol(data));
