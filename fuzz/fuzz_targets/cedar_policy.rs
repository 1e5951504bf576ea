//! Cedar policy files, Cedar schemas, and discovery/OpenAPI documents → schema generation
//! (see `garrison_fuzz::cedar_policy`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| garrison_fuzz::cedar_policy(data));
