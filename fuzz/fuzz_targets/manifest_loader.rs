//! Arbitrary text as a YAML and as a JSON file → loader → inventory → every check
//! (see `garrison_fuzz::manifest_loader`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| garrison_fuzz::manifest_loader(data));
