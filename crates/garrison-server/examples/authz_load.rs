//! Load test of the authorization webhook over TLS on loopback: SubjectAccessReviews at a fixed
//! rate for a fixed time, latency percentiles printed at the end.
//!
//! ```text
//! cargo run --release -p garrison-server --features loadgen --example authz_load -- [RATE] [SECONDS] [CONNECTIONS]
//! ```
//!
//! Defaults: 5,000 requests/s for 10 s over 16 keep-alive connections. The example makes its
//! own CA, server and client certificates (rcgen), writes 1,000 policies, and serves them with
//! client-certificate authentication on 127.0.0.1 (an ephemeral port) in the same process, on a
//! runtime of its own with two worker threads; the load runs on another. Each request has a
//! scheduled send time (rate ÷ connections per connection). Two latencies are reported: from
//! the actual send to the complete response (the webhook's), and from the scheduled time, which
//! also counts the client's own lateness (tokio timers have millisecond resolution) and so a
//! stalled server cannot hide behind requests that were sent late. Traffic goes only to
//! loopback, and the run stops by itself.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

// The allocator of the garrison binary, which serves the webhook.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::sync::Arc;
use std::time::Duration;

use garrison_cedar::Bypass;
use garrison_server::authorize::{AUTHORIZE_PATH, Authorization, Listeners, serve};
use garrison_server::loadgen::{
    Client, Generator, Plan, Probe, percentiles, post, run, sorted_latencies,
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

fn leaf(
    issuer: &CertifiedIssuer<'static, KeyPair>,
    names: &[&str],
    purpose: ExtendedKeyUsagePurpose,
) -> (String, String) {
    let mut params =
        CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>()).unwrap();
    params.extended_key_usages = vec![purpose];
    let key = KeyPair::generate().unwrap();
    let certificate = params.signed_by(&key, issuer).unwrap();
    (certificate.pem(), key.serialize_pem())
}

fn policies() -> String {
    let mut text = String::new();
    for team in 0..990 {
        text.push_str(&format!(
            "permit(principal in k8s::Group::\"team-{team}\", action in [k8s::Action::\"get\", k8s::Action::\"list\"], resource is k8s::Resource)\n  when {{ resource has namespace && resource.namespace == \"team-{team}\" }};\n"
        ));
    }
    for forbid in 0..10 {
        text.push_str(&format!(
            "forbid(principal, action, resource is k8s::Resource) when {{ resource.resource == \"protected-{forbid}\" }};\n"
        ));
    }
    text
}

fn review(index: usize) -> String {
    // Allowed, denied and no-opinion requests in turn.
    let (resource, namespace) = match index % 3 {
        0 => ("pods", "team-501"),
        1 => ("protected-3", "team-501"),
        _ => ("pods", "elsewhere"),
    };
    serde_json::json!({
        "apiVersion": "authorization.k8s.io/v1",
        "kind": "SubjectAccessReview",
        "spec": {
            "user": "alice@example.com",
            "uid": "6f1c7a3e",
            "groups": ["team-500", "team-501", "system:authenticated"],
            "extra": {"authentication.kubernetes.io/credential-id": ["X509SHA256=abc"]},
            "resourceAttributes": {"verb": "get", "version": "v1", "resource": resource, "namespace": namespace, "name": "web-0"}
        }
    })
    .to_string()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let rate: u64 = args.next().map_or(5_000, |a| a.parse().expect("RATE"));
    let seconds: u64 = args.next().map_or(10, |a| a.parse().expect("SECONDS"));
    let connections: u64 = args.next().map_or(16, |a| a.parse().expect("CONNECTIONS"));

    let dir = tempfile::tempdir().unwrap();
    let server_ca = authority("load server CA");
    let client_ca = authority("load client CA");
    let (cert, key) = leaf(
        &server_ca,
        &["localhost"],
        ExtendedKeyUsagePurpose::ServerAuth,
    );
    let (client_cert, client_key) = leaf(
        &client_ca,
        &["kube-apiserver"],
        ExtendedKeyUsagePurpose::ClientAuth,
    );
    std::fs::write(dir.path().join("cert.pem"), cert).unwrap();
    std::fs::write(dir.path().join("key.pem"), key).unwrap();
    std::fs::write(dir.path().join("client-ca.pem"), client_ca.pem()).unwrap();
    let policy_dir = dir.path().join("policies");
    std::fs::create_dir(&policy_dir).unwrap();
    std::fs::write(policy_dir.join("teams.cedar"), policies()).unwrap();

    // The server, on its own runtime.
    let server_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let config = server_config(&TlsFiles {
        cert: dir.path().join("cert.pem"),
        key: dir.path().join("key.pem"),
        client_ca: Some(dir.path().join("client-ca.pem")),
    })
    .unwrap();
    let state = Arc::new(Authorization::new(policy_dir, Bypass::default()).unwrap());
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
            async move {
                let _ = stopped.await;
            },
        ));
        (address, server)
    });

    // The client: garrison_server::loadgen, shared with the soak harness.
    let client = Client::new(
        server_ca.pem().as_bytes(),
        Some((client_cert.as_bytes(), client_key.as_bytes())),
    )
    .unwrap();
    let client_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let per_connection = rate * seconds / connections;
    let generate: Generator = Arc::new(|index| Probe {
        kind: "valid",
        request: post(AUTHORIZE_PATH, "application/json", review(index as usize)),
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
