//! A SubjectAccessReview (and an audit log) → Cedar requests → decisions under a small policy
//! set (see `garrison_fuzz::subject_access_review`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| garrison_fuzz::subject_access_review(data));
