//! The bodies of the fuzz targets, one module per crate that owns the parsers they reach. Each
//! crate's `tests/fuzz_regressions.rs` includes its module (`#[path]`) and replays every input
//! the fuzzer ever crashed on, so that a fixed crash stays fixed under `cargo test`:
//!
//! | module    | targets                                       | regression test in   |
//! |-----------|-----------------------------------------------|----------------------|
//! | `checks`  | `pss_pod`, `manifest_loader`, `aws_snapshot`  | garrison-checks      |
//! | `server`  | `admission_review`, `config_files`            | garrison-server      |
//! | `cedar`   | `subject_access_review`, `cedar_policy`       | garrison-cedar       |
//! | `audit`   | `audit_events`                                | garrison-audit       |
//! | `netpol`  | `netpol`, `flow_logs`                         | garrison-netpol      |
//!
//! Each function takes the raw input and must not panic, whatever the input.

pub mod audit;
pub mod cedar;
pub mod checks;
pub mod netpol;
pub mod server;

pub use audit::audit_events;
pub use cedar::{cedar_policy, subject_access_review};
pub use checks::{aws_snapshot, manifest_loader, pss_pod};
pub use netpol::{flow_logs, netpol};
pub use server::{admission_review, config_files};
