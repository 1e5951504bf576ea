//! `garrison audit serve` under load, over real TLS on loopback: 100,000 audit events in
//! EventList batches of 400, sent by 8 clients at once into a queue of 10,000 events, far faster
//! than the detectors run. The sink must push back (429 with Retry-After) rather than drop: at
//! the end every batch has been accepted (the clients retry after Retry-After), received =
//! processed + rejected, and the findings show every event was processed exactly once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use garrison_audit::engine::Config;
use garrison_server::audit::{AUDIT_PATH, Listeners, Options, serve};
use garrison_server::tls::{TlsFiles, server_config};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use rcgen::{CertificateParams, KeyPair};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use serde_json::{Value, json};
use tokio::net::TcpStream;

const EVENTS: usize = 100_000;
const BATCH: usize = 400;
const SENDERS: usize = 8;
/// Room for about a second of the worker's work in a debug build, so that while refused
/// clients wait out `Retry-After: 1` the worker still has batches to process.
const QUEUE: usize = 10_000;

/// Event `n`: every fourth a successful Secret read (one "K8s Secret Get Successfully"
/// finding each), the others reads of pods (no finding).
fn event(n: usize) -> Value {
    let (resource, name) = if n.is_multiple_of(4) {
        ("secrets", "db")
    } else {
        ("pods", "web")
    };
    json!({
        "kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata",
        "auditID": format!("00000000-0000-0000-0000-{n:012}"), "stage": "ResponseComplete",
        "requestURI": format!("/api/v1/namespaces/shop/{resource}/{name}"), "verb": "get",
        "user": {"username": "system:serviceaccount:shop:app", "groups": ["system:serviceaccounts"]},
        "sourceIPs": ["10.0.1.7"], "userAgent": "app/1.0",
        "objectRef": {"resource": resource, "namespace": "shop", "name": name, "apiVersion": "v1"},
        "responseStatus": {"metadata": {}, "code": 200},
        "requestReceivedTimestamp": "2026-11-29T10:00:00.000000Z",
        "stageTimestamp": "2026-11-29T10:00:00.001000Z"
    })
}

fn batches() -> Vec<Bytes> {
    (0..EVENTS / BATCH)
        .map(|b| {
            let items: Vec<Value> = (b * BATCH..(b + 1) * BATCH).map(event).collect();
            Bytes::from(
                json!({"kind": "EventList", "apiVersion": "audit.k8s.io/v1", "metadata": {}, "items": items})
                    .to_string(),
            )
        })
        .collect()
}

/// One keep-alive HTTPS connection to the sink.
async fn connect(
    address: std::net::SocketAddr,
    connector: &tokio_rustls::TlsConnector,
) -> hyper::client::conn::http1::SendRequest<Full<Bytes>> {
    let tcp = TcpStream::connect(address).await.unwrap();
    let tls = connector
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .unwrap();
    let (sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tls))
            .await
            .unwrap();
    tokio::spawn(connection);
    sender
}

/// The value of a metric in OpenMetrics text.
fn metric(text: &str, name: &str) -> u64 {
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
        .unwrap_or_else(|| panic!("no metric {name} in\n{text}"))
        .trim()
        .parse()
        .unwrap()
}

async fn metrics(address: std::net::SocketAddr) -> String {
    let tcp = TcpStream::connect(address).await.unwrap();
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tcp))
            .await
            .unwrap();
    tokio::spawn(connection);
    let request = hyper::Request::get("/metrics")
        .header("host", "localhost")
        .body(Full::new(Bytes::new()))
        .unwrap();
    let response = sender.send_request(request).await.unwrap();
    assert_eq!(response.status(), 200);
    let body = response.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8(body.to_vec()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pushes_back_under_load_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let key = KeyPair::generate().unwrap();
    let certificate = CertificateParams::new(vec!["localhost".to_string()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    let (cert_path, key_path) = (dir.path().join("tls.crt"), dir.path().join("tls.key"));
    std::fs::write(&cert_path, certificate.pem()).unwrap();
    std::fs::write(&key_path, key.serialize_pem()).unwrap();
    let tls = server_config(&TlsFiles {
        cert: cert_path,
        key: key_path,
        client_ca: None,
    })
    .unwrap();
    let webhook = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let metrics_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let (address, metrics_address) = (
        webhook.local_addr().unwrap(),
        metrics_listener.local_addr().unwrap(),
    );
    let findings_path = dir.path().join("findings.jsonl");
    let out = Box::new(std::fs::File::create(&findings_path).unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve(
        Listeners {
            webhook,
            metrics: Some(metrics_listener),
        },
        tls,
        Options {
            listen: address.to_string(),
            metrics_listen: Some(metrics_address.to_string()),
            tls: TlsFiles {
                cert: "-".into(),
                key: "-".into(),
                client_ca: None,
            },
            output: None,
            queue: QUEUE,
            config: Config::default(),
            rules: Vec::new(),
        },
        out,
        async move {
            let _ = stopped.await;
        },
    ));

    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_slice(certificate.pem().as_bytes()).unwrap())
        .unwrap();
    let client = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(client));

    let batches = Arc::new(batches());
    let next = Arc::new(AtomicUsize::new(0));
    let refused = Arc::new(AtomicUsize::new(0));
    let accepted = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let senders: Vec<_> = (0..SENDERS)
        .map(|_| {
            let (batches, next, refused, accepted, connector) = (
                batches.clone(),
                next.clone(),
                refused.clone(),
                accepted.clone(),
                connector.clone(),
            );
            tokio::spawn(async move {
                let mut sender = connect(address, &connector).await;
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(body) = batches.get(index) else {
                        return;
                    };
                    // Retry the same batch until it is taken, waiting as told.
                    loop {
                        sender.ready().await.unwrap();
                        let request = hyper::Request::post(AUDIT_PATH)
                            .header("host", "localhost")
                            .header("content-type", "application/json")
                            .body(Full::new(body.clone()))
                            .unwrap();
                        let response = sender.send_request(request).await.unwrap();
                        let status = response.status();
                        let retry_after = response
                            .headers()
                            .get("retry-after")
                            .map(|value| value.to_str().unwrap().parse::<u64>().unwrap());
                        let _ = response.into_body().collect().await.unwrap();
                        match status.as_u16() {
                            200 => {
                                accepted.fetch_add(1, Ordering::Relaxed);
                                break;
                            }
                            429 => {
                                refused.fetch_add(1, Ordering::Relaxed);
                                let seconds = retry_after.expect("429 without Retry-After");
                                assert!(seconds >= 1);
                                tokio::time::sleep(Duration::from_secs(seconds)).await;
                            }
                            other => panic!("batch {index}: status {other}"),
                        }
                    }
                }
            })
        })
        .collect();
    for sender in senders {
        sender.await.unwrap();
    }
    let sent_in = started.elapsed();
    let batch_count = EVENTS / BATCH;
    assert_eq!(accepted.load(Ordering::Relaxed), batch_count);
    let refused = refused.load(Ordering::Relaxed);
    assert!(
        refused > 0,
        "the clients were never pushed back: the load did not exceed the queue"
    );

    // Wait for the worker to drain the queue.
    let deadline = Instant::now() + Duration::from_secs(60);
    let text = loop {
        let text = metrics(metrics_address).await;
        if metric(&text, "garrison_audit_events_processed_total") == EVENTS as u64 {
            break text;
        }
        assert!(Instant::now() < deadline, "queue not drained:\n{text}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let received = metric(&text, "garrison_audit_events_received_total");
    let processed = metric(&text, "garrison_audit_events_processed_total");
    let rejected = metric(&text, "garrison_audit_events_rejected_total");
    assert_eq!(received, processed + rejected, "{text}");
    assert_eq!(rejected, (refused * BATCH) as u64);
    assert_eq!(
        metric(&text, "garrison_audit_batches_rejected_total"),
        refused as u64
    );
    assert_eq!(
        metric(&text, "garrison_audit_batches_processed_total"),
        batch_count as u64
    );
    assert_eq!(metric(&text, "garrison_audit_batches_invalid_total"), 0);
    assert_eq!(metric(&text, "garrison_audit_events_unreadable_total"), 0);
    assert_eq!(metric(&text, "garrison_audit_queued_events"), 0);

    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
    // Every Secret read produced its finding once: nothing lost, nothing run twice.
    let findings = std::fs::read_to_string(&findings_path).unwrap();
    let secret_reads = findings
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap())
        .filter(|finding| finding["checkId"] == "EKS-FALCO-042")
        .count();
    assert_eq!(secret_reads, EVENTS / 4);
    eprintln!(
        "{EVENTS} events in {batch_count} batches sent in {:.1} s; {refused} batches pushed back with 429 and retried",
        sent_in.as_secs_f64()
    );
}

#[tokio::test]
async fn refuses_what_is_not_an_event_list() {
    let (sink_metrics, status) = {
        let dir = tempfile::tempdir().unwrap();
        let key = KeyPair::generate().unwrap();
        let certificate = CertificateParams::new(vec!["localhost".to_string()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        let (cert_path, key_path) = (dir.path().join("tls.crt"), dir.path().join("tls.key"));
        std::fs::write(&cert_path, certificate.pem()).unwrap();
        std::fs::write(&key_path, key.serialize_pem()).unwrap();
        let tls = server_config(&TlsFiles {
            cert: cert_path,
            key: key_path,
            client_ca: None,
        })
        .unwrap();
        let webhook = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let metrics_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let (address, metrics_address) = (
            webhook.local_addr().unwrap(),
            metrics_listener.local_addr().unwrap(),
        );
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(serve(
            Listeners {
                webhook,
                metrics: Some(metrics_listener),
            },
            tls,
            Options {
                listen: address.to_string(),
                metrics_listen: None,
                tls: TlsFiles {
                    cert: "-".into(),
                    key: "-".into(),
                    client_ca: None,
                },
                output: None,
                queue: 10,
                config: Config::default(),
                rules: Vec::new(),
            },
            Box::new(std::io::sink()),
            async move {
                let _ = stopped.await;
            },
        ));
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(CertificateDer::from_pem_slice(certificate.pem().as_bytes()).unwrap())
            .unwrap();
        let client = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
        let connector = tokio_rustls::TlsConnector::from(Arc::new(client));
        let mut sender = connect(address, &connector).await;
        let request = hyper::Request::post(AUDIT_PATH)
            .header("host", "localhost")
            .body(Full::new(Bytes::from(event(1).to_string())))
            .unwrap();
        let status = sender.send_request(request).await.unwrap().status();
        let text = metrics(metrics_address).await;
        stop.send(()).unwrap();
        server.await.unwrap().unwrap();
        (text, status)
    };
    assert_eq!(status, 400);
    assert_eq!(
        metric(&sink_metrics, "garrison_audit_batches_invalid_total"),
        1
    );
    assert_eq!(
        metric(&sink_metrics, "garrison_audit_events_received_total"),
        0
    );
}
