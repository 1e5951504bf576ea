//! The check catalogue and the engine that runs it over an [`Inventory`].
//!
//! Every check is one file under `checks/`, declared with [`declare_check!`] so that its doc
//! comment becomes its documentation (`garrison checks explain ID`, `docs/checks/<id>.md`), and
//! listed once in [`registry::CHECKS`].

#[macro_use]
mod macros;
pub mod checks;
pub mod cis;
pub mod docs;
pub mod engine;
pub mod pss;
pub mod registry;

pub use engine::{
    Check, CheckRun, Context, Outcome, PassTally, Resource, ResourceOutcome, Runner, kinds_read,
    run_checks, run_checks_with,
};
pub use garrison_core::Inventory;
pub use registry::{CHECKS, find_check};
