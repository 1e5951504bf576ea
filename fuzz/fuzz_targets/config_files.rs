//! garrison.toml, the admission webhook's --config and --namespaces files
//! (see `garrison_fuzz::config_files`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| garrison_fuzz::config_files(data));
