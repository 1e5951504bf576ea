//! An AdmissionReview body → the admission webhook's decision and answer, without the network
//! (see `garrison_fuzz::admission_review`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| garrison_fuzz::admission_review(data));
