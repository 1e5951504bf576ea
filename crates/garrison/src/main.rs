//! `garrison`: security for Kubernetes workloads on Amazon EKS.

mod commands;
mod demo;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// mimalloc: the scan allocates millions of small strings from several threads, where glibc's
/// allocator spends its time growing per-thread arenas.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(
    name = "garrison",
    version,
    about = "Security for Kubernetes workloads on Amazon EKS"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Scan manifests or a cluster snapshot and report findings.
    Scan(commands::scan::ScanArgs),
    /// List the check catalogue, explain a check, or generate the check docs.
    Checks(commands::checks::ChecksArgs),
    /// Judge manifests against a Pod Security Standards level, as PodSecurity admission would.
    Pss(commands::pss::PssArgs),
    /// Ask who can do what: RBAC and EKS access entries, evaluated as the API server would.
    Rbac(commands::rbac::RbacArgs),
    /// Analyze NetworkPolicies: list, explain and diff connectivity, report coverage gaps.
    Netpol(commands::netpol::NetpolArgs),
    /// Cedar authorization: decide, convert RBAC, replay audit logs, serve the webhook.
    Authz(commands::authz::AuthzArgs),
    /// Re-render a saved `scan --format json` result in another format.
    Report(commands::report::ReportArgs),
    /// Threat detection over Kubernetes audit logs, CloudWatch Logs exports and CloudTrail.
    Audit(commands::audit::AuditArgs),
    /// The validating admission webhook: Pod Security admission, Cedar policies, image rules.
    Admission(commands::admission::AdmissionArgs),
    /// Print the manifests that run garrison in a cluster.
    Install(commands::install::InstallArgs),
    /// Snapshot a live EKS cluster (AWS APIs and Kubernetes API) for `scan`.
    #[cfg(feature = "collect")]
    Collect(commands::collect::CollectArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Scan(args) => commands::scan::run(args),
        Command::Checks(args) => commands::checks::run(args),
        Command::Pss(args) => commands::pss::run(args),
        Command::Rbac(args) => commands::rbac::run(args),
        Command::Netpol(args) => commands::netpol::run(args),
        Command::Authz(args) => commands::authz::run(args),
        Command::Report(args) => commands::report::run(args),
        Command::Audit(args) => commands::audit::run(args),
        Command::Admission(args) => commands::admission::run(args),
        Command::Install(args) => commands::install::run(args),
        #[cfg(feature = "collect")]
        Command::Collect(args) => commands::collect::run(args),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("{:?}", miette::Report::new(error));
            ExitCode::from(2)
        }
    }
}
