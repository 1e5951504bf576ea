pub mod admission;
pub mod audit;
pub mod authz;
pub mod checks;
#[cfg(feature = "collect")]
pub mod collect;
pub mod install;
pub mod netpol;
pub mod pss;
pub mod rbac;
pub mod report;
pub mod scan;

/// Errors that end a command with exit code 2.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum CommandError {
    #[error("{0}")]
    Usage(String),
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Config(#[from] garrison_core::config::ConfigError),
    #[cfg(feature = "collect")]
    #[error(transparent)]
    Collect(garrison_collect::CollectError),
}
