//! Audit log lines, EventLists, CloudWatch exports and CloudTrail records → the reader → every
//! detector (see `garrison_fuzz::audit_events`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| garrison_fuzz::audit_events(data));
