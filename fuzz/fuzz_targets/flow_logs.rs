//! VPC flow logs → attribution and verdicts → the flows report (see `garrison_fuzz::flow_logs`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| garrison_fuzz::flow_logs(data));
