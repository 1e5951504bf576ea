//! Shortened soak and fault runs of both webhooks against the real `garrison` binary (so that
//! SIGTERM is a real signal and memory is the server's own): a fixed rate of valid and invalid
//! requests over TLS with slow clients, certificate and policy files rewritten during load, and
//! SIGTERM during load with requests in flight. The full 10-minute run is `scripts/soak.sh`.
//!
//! These assert correctness only (every answer exact, every slow client cut off, every reload
//! seen, in-flight requests answered, exit 0), never latency: they run on a loaded machine.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::time::Duration;

use garrison_server::loadgen::soak::{Server, SoakPlan, SoakReport, run};

fn short_plan(server: Server) -> SoakPlan {
    let mut plan = SoakPlan::new(
        server,
        PathBuf::from(env!("CARGO_BIN_EXE_garrison")),
        Duration::from_secs(12),
    );
    // A debug build on a shared machine: a modest rate, short timeouts so that slow clients
    // are cut off (and replaced) within the run.
    plan.rate = 300;
    plan.connections = 4;
    plan.slow_clients = 3;
    plan.trickle = Duration::from_millis(200);
    plan.read_timeout = Duration::from_secs(2);
    plan.shutdown_grace = Duration::from_secs(2);
    plan.cert_reload_every = Duration::from_secs(3);
    plan.policy_reload_every = Duration::from_secs(4);
    plan.in_flight = 3;
    plan.progress = None;
    plan
}

fn check(report: &SoakReport) {
    let rendered = report.render();
    println!("{rendered}");
    assert!(report.problems().is_empty(), "{rendered}");
    // The run did what it is meant to exercise.
    let valid = &report.tally.kinds["valid"];
    assert!(valid.correct >= 200, "{rendered}");
    for kind in report.tally.kinds.keys() {
        assert_eq!(report.tally.kinds[kind].wrong, 0, "{rendered}");
    }
    assert!(
        report
            .tally
            .kinds
            .keys()
            .any(|kind| kind.starts_with("wrong type")),
        "{rendered}"
    );
    assert!(
        report
            .tally
            .kinds
            .keys()
            .any(|kind| kind.starts_with("malformed")),
        "{rendered}"
    );
    assert!(report.cert_reloads.len() >= 2, "{rendered}");
    assert!(report.policy_reloads.len() >= 2, "{rendered}");
    for kind in ["silent", "headers", "body"] {
        assert!(
            report
                .slow
                .iter()
                .any(|cut| cut.kind == kind && cut.cut_after.is_some()),
            "no {kind} slow client was cut off\n{rendered}"
        );
    }
    assert_eq!(report.in_flight.len(), 3, "{rendered}");
    assert!(report.in_flight.iter().all(Result::is_ok), "{rendered}");
    assert_eq!(report.refused_after_sigterm, Some(true), "{rendered}");
    assert!(report.exit_success, "{rendered}");
}

#[test]
fn admission_webhook_under_load_reloads_cuts_slow_clients_and_drains_on_sigterm() {
    let report = run(&short_plan(Server::Admission)).expect("soak setup");
    check(&report);
}

#[test]
fn authz_webhook_under_load_reloads_cuts_slow_clients_and_drains_on_sigterm() {
    let report = run(&short_plan(Server::Authz)).expect("soak setup");
    check(&report);
}
