//! Load test of the admission webhook over TLS on loopback: AdmissionReviews at a fixed rate for
//! a fixed time, latency percentiles printed at the end.
//!
//! ```text
//! cargo run --release -p garrison-server --features loadgen --example admission_load -- [RATE] [SECONDS] [CONNECTIONS]
//! ```
//!
//! Defaults: 5,000 requests/s for 10 s over 16 keep-alive connections. The example makes its
//! own CA and server certificate (rcgen) and serves, on 127.0.0.1 (an ephemeral port) in the
//! same process on a runtime of its own with two worker threads, 100 namespaces labelled
//! enforce=restricted / warn=restricted, 100 Cedar admission policies and image rules. The
//! requests cycle through a compliant Pod (allowed), a Pod that violates restricted (denied with
//! the upstream message) and a Deployment that is warned about, each with realistic Kubernetes
//! JSON (about 3 KB). Latency is measured as in `authz_load`: from the actual send to the
//! complete response, and from the scheduled send time (`garrison_server::loadgen`). Traffic goes only to loopback, and the
//! run stops by itself.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use garrison_server::admission::config::AdmissionConfig;
use garrison_server::admission::{Admission, Listeners, VALIDATE_PATH, serve};
use garrison_server::loadgen::{
    Client, Generator, Plan, Probe, fixtures, percentiles, post, run, sorted_latencies,
};
use garrison_server::tls::{TlsFiles, server_config};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair,
};

fn authority(name: &str) -> CertifiedIssuer<'static, KeyPair> {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap()
}

fn leaf(issuer: &CertifiedIssuer<'static, KeyPair>) -> (String, String) {
    let mut params = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let key = KeyPair::generate().unwrap();
    let certificate = params.signed_by(&key, issuer).unwrap();
    (certificate.pem(), key.serialize_pem())
}

fn main() {
    let mut args = std::env::args().skip(1);
    let rate: u64 = args.next().map_or(5_000, |a| a.parse().expect("RATE"));
    let seconds: u64 = args.next().map_or(10, |a| a.parse().expect("SECONDS"));
    let connections: u64 = args.next().map_or(16, |a| a.parse().expect("CONNECTIONS"));

    let dir = tempfile::tempdir().unwrap();
    let server_ca = authority("load server CA");
    let (cert, key) = leaf(&server_ca);
    std::fs::write(dir.path().join("cert.pem"), cert).unwrap();
    std::fs::write(dir.path().join("key.pem"), key).unwrap();
    std::fs::write(dir.path().join("config.yaml"), fixtures::CONFIG).unwrap();
    let policy_dir = dir.path().join("policies");
    std::fs::create_dir(&policy_dir).unwrap();
    std::fs::write(policy_dir.join("teams.cedar"), fixtures::policies()).unwrap();
    let namespaces = fixtures::namespaces();

    let server_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let config = server_config(&TlsFiles {
        cert: dir.path().join("cert.pem"),
        key: dir.path().join("key.pem"),
        client_ca: None,
    })
    .unwrap();
    let config_file = AdmissionConfig::load(&dir.path().join("config.yaml")).unwrap();
    let cedar = garrison_server::admission::cedar::CedarRules::load(policy_dir).unwrap();
    let state = Arc::new(Admission::new(config_file, namespaces, Some(cedar)));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let (address, server) = server_runtime.block_on(async {
        let webhook = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let metrics = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = webhook.local_addr().unwrap();
        let server = tokio::spawn(serve(
            Listeners { webhook, metrics },
            config,
            state,
            Duration::from_secs(60),
            Duration::from_secs(2),
            async move {
                let _ = stopped.await;
            },
        ));
        (address, server)
    });

    // The client: garrison_server::loadgen, shared with the soak harness.
    let client = Client::new(server_ca.pem().as_bytes(), None).unwrap();
    let client_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let per_connection = rate * seconds / connections;
    let generate: Generator = Arc::new(|index| Probe {
        kind: "valid",
        request: post(
            VALIDATE_PATH,
            "application/json",
            fixtures::review(index as usize),
        ),
        check: Box::new(|status, _| {
            if status == 200 {
                Ok(())
            } else {
                Err(format!("status {status}"))
            }
        }),
    });
    let (tally, elapsed) = client_runtime.block_on(async move {
        let started = tokio::time::Instant::now();
        let (_keep, never) = tokio::sync::watch::channel(false);
        let plan = Plan {
            address,
            rate,
            connections,
            limit: Some(per_connection),
            no_new_connections: None,
        };
        let tally = run(client, plan, generate, never).await;
        (tally, started.elapsed())
    });
    let _ = stop.send(());
    server_runtime.block_on(async {
        let _ = tokio::time::timeout(Duration::from_secs(15), server).await;
    });

    let (service, scheduled) = sorted_latencies(&tally);
    println!(
        "{} requests in {:.2} s ({:.0}/s offered {rate}/s), {} errors, {connections} connections",
        service.len(),
        elapsed.as_secs_f64(),
        service.len() as f64 / elapsed.as_secs_f64(),
        tally.errors(),
    );
    println!("latency, send to response: {}", percentiles(&service));
    println!("latency from scheduled send: {}", percentiles(&scheduled));
}
