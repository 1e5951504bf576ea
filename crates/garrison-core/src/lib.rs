//! garrison's object model.
//!
//! Everything the checks and reports share lives here: the loader that turns files, directories,
//! stdin and cluster snapshots into [`Object`]s that remember where they came from, the typed
//! views of pod specs, the [`Inventory`] the checks read, and the [`Finding`] they produce.
//! No async runtime and no Kubernetes client: this crate only reads what it is given.

pub mod aws;
pub mod config;
pub mod diagnostic;
pub mod ecr;
pub mod finding;
pub mod inputs;
pub mod inventory;
mod json_lines;
pub mod loader;
pub mod object;
pub mod snapshot;
pub mod source;
pub mod workload;
mod yaml;

pub use config::Config;
pub use diagnostic::{Diagnostic, DiagnosticLevel};
pub use finding::{CheckMeta, Finding, Level, ObjectRef, SeedControl, Severity, Status, Summary};
pub use inventory::{Inventory, WorkloadEntry};
pub use loader::{LoadOptions, Loaded, load_paths};
pub use object::Object;
pub use snapshot::Snapshot;
pub use source::{Origin, SourceFile};
pub use workload::{ContainerKind, ContainerRef, Workload};
