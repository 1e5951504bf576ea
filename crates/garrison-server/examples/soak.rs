//! Soak and fault run of a webhook: a real `garrison admission serve` or `garrison authz serve`
//! process on loopback over TLS, under a fixed rate of valid and invalid requests with slow
//! clients, certificate and policy rewrites, resident-memory sampling, and SIGTERM at the end
//! with requests in flight (see `garrison_server::loadgen::soak`).
//!
//! ```text
//! cargo run --release -p garrison-server --features loadgen --example soak -- \
//!     GARRISON_BINARY admission|authz [SECONDS] [RATE] [CONNECTIONS]
//! ```
//!
//! Defaults: 600 s at 5,000 requests/s over 16 connections. `scripts/soak.sh` builds the
//! release binary and runs both servers. Exits 1 when the run falls short (a wrong or missing
//! answer, a slow client not cut off, a reload not seen, memory growth of 10% or more from
//! minute 2, a request in flight at SIGTERM not answered, or an exit status other than 0).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use garrison_server::loadgen::soak::{Server, SoakPlan, run};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let usage = "usage: soak GARRISON_BINARY admission|authz [SECONDS] [RATE] [CONNECTIONS]";
    let garrison = PathBuf::from(args.next().expect(usage));
    let server = match args.next().as_deref() {
        Some("admission") => Server::Admission,
        Some("authz") => Server::Authz,
        _ => panic!("{usage}"),
    };
    let seconds: u64 = args.next().map_or(600, |a| a.parse().expect("SECONDS"));
    let mut plan = SoakPlan::new(server, garrison, Duration::from_secs(seconds));
    if let Some(rate) = args.next() {
        plan.rate = rate.parse().expect("RATE");
    }
    if let Some(connections) = args.next() {
        plan.connections = connections.parse().expect("CONNECTIONS");
    }
    eprintln!(
        "soak: garrison {} serve for {seconds} s at {}/s over {} connections, {} slow clients, read timeout {:?}",
        server.name(),
        plan.rate,
        plan.connections,
        plan.slow_clients,
        plan.read_timeout
    );
    let report = run(&plan).expect("soak setup");
    print!("{}", report.render());
    if report.problems().is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
