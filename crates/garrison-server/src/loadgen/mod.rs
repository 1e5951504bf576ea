//! A load generator for garrison's webhooks over TLS on loopback, shared by the load examples
//! (`admission_load`, `authz_load`), the soak harness (`examples/soak.rs`, `scripts/soak.sh`)
//! and the CLI soak tests. Built only with the `loadgen` feature.
//!
//! - [`Client`]: a rustls client trusting one CA, with an optional client certificate;
//! - [`run`]: requests at a fixed rate over keep-alive connections until a stop signal or a
//!   count, each one a [`Probe`] (a request, a kind and a check of its answer), tallied in a
//!   [`Tally`] with latency from the actual send and from the scheduled send;
//! - [`percentiles`]: the one latency summary every tool prints;
//! - [`soak`]: the soak and fault run against a real `garrison` process;
//! - [`fixtures`]: the admission workload of the load tools and the review bench.

pub mod fixtures;
pub mod soak;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::SendRequest;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use tokio::net::TcpStream;

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{0}")]
    Setup(String),
    #[error("{context}: {source}")]
    Io {
        context: String,
        source: std::io::Error,
    },
}

fn setup(error: impl std::fmt::Display) -> LoadError {
    LoadError::Setup(error.to_string())
}

/// A TLS client for the webhooks: trusts one CA, presents a client certificate when given one,
/// and names the server `localhost`.
#[derive(Clone)]
pub struct Client {
    connector: tokio_rustls::TlsConnector,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("Client")
    }
}

/// A TLS connection to a webhook.
pub type TlsStream = tokio_rustls::client::TlsStream<TcpStream>;

impl Client {
    /// `ca` is the PEM of the CA the server certificate chains to; `identity` the client
    /// certificate chain and key (PEM) for servers that require one.
    pub fn new(ca: &[u8], identity: Option<(&[u8], &[u8])>) -> Result<Client, LoadError> {
        let mut roots = rustls::RootCertStore::empty();
        for certificate in CertificateDer::pem_slice_iter(ca) {
            roots.add(certificate.map_err(setup)?).map_err(setup)?;
        }
        let builder = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(setup)?
        .with_root_certificates(roots);
        let config = match identity {
            None => builder.with_no_client_auth(),
            Some((chain, key)) => builder
                .with_client_auth_cert(
                    CertificateDer::pem_slice_iter(chain)
                        .collect::<Result<Vec<_>, _>>()
                        .map_err(setup)?,
                    PrivateKeyDer::from_pem_slice(key).map_err(setup)?,
                )
                .map_err(setup)?,
        };
        Ok(Client {
            connector: tokio_rustls::TlsConnector::from(Arc::new(config)),
        })
    }

    /// A TLS connection to `address`.
    pub async fn connect(&self, address: SocketAddr) -> std::io::Result<TlsStream> {
        let tcp = TcpStream::connect(address).await?;
        tcp.set_nodelay(true)?;
        let name = ServerName::try_from("localhost")
            .map_err(|error| std::io::Error::other(error.to_string()))?;
        self.connector.connect(name, tcp).await
    }

    /// An HTTP/1.1 connection over TLS to `address`, its driver spawned on the current runtime.
    pub async fn http(&self, address: SocketAddr) -> std::io::Result<SendRequest<Full<Bytes>>> {
        let tls = self.connect(address).await?;
        let (sender, driver) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tls))
                .await
                .map_err(std::io::Error::other)?;
        tokio::spawn(driver);
        Ok(sender)
    }
}

/// Checks a response: its status and body. `Err` explains what was wrong.
pub type Check = Box<dyn FnOnce(u16, &[u8]) -> Result<(), String> + Send>;

/// One request of a load and how to judge its answer.
pub struct Probe {
    /// What kind of request this is (`valid`, `malformed`, ...), the key of its tally.
    pub kind: &'static str,
    pub request: hyper::Request<Full<Bytes>>,
    pub check: Check,
}

impl std::fmt::Debug for Probe {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Probe")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

/// A POST of `body` to `path` with the given content type.
pub fn post(path: &str, content_type: &str, body: impl Into<Bytes>) -> hyper::Request<Full<Bytes>> {
    let mut request = hyper::Request::new(Full::new(body.into()));
    *request.method_mut() = hyper::Method::POST;
    if let Ok(uri) = path.parse() {
        *request.uri_mut() = uri;
    }
    let headers = request.headers_mut();
    headers.insert(
        hyper::header::HOST,
        hyper::header::HeaderValue::from_static("localhost"),
    );
    if let Ok(value) = hyper::header::HeaderValue::from_str(content_type) {
        headers.insert(hyper::header::CONTENT_TYPE, value);
    }
    request
}

/// Makes the probe of request number `index`.
pub type Generator = Arc<dyn Fn(u64) -> Probe + Send + Sync>;

/// The answers of one kind of request.
#[derive(Clone, Debug, Default)]
pub struct KindTally {
    pub sent: u64,
    /// Answered, and the answer passed its check.
    pub correct: u64,
    /// Answered, and the answer failed its check.
    pub wrong: u64,
    /// No answer: the connection failed or closed first.
    pub failed: u64,
}

/// What a load saw.
#[derive(Clone, Debug, Default)]
pub struct Tally {
    pub kinds: BTreeMap<&'static str, KindTally>,
    pub statuses: BTreeMap<u16, u64>,
    /// For requests of kind `valid` answered correctly: (from the actual send, from the
    /// scheduled send) to the complete response.
    pub latencies: Vec<(Duration, Duration)>,
    /// The first few wrong answers and failures, explained.
    pub examples: Vec<String>,
    /// Connections (re)opened, beyond the first of each slot: the server closes a connection
    /// after an answer it cannot keep alive (413, 408), and the load reconnects.
    pub reconnects: u64,
}

const EXAMPLES: usize = 8;

impl Tally {
    fn note(&mut self, example: String) {
        if self.examples.len() < EXAMPLES {
            self.examples.push(example);
        }
    }

    pub fn merge(&mut self, other: Tally) {
        for (kind, tally) in other.kinds {
            let mine = self.kinds.entry(kind).or_default();
            mine.sent += tally.sent;
            mine.correct += tally.correct;
            mine.wrong += tally.wrong;
            mine.failed += tally.failed;
        }
        for (status, count) in other.statuses {
            *self.statuses.entry(status).or_default() += count;
        }
        self.latencies.extend(other.latencies);
        for example in other.examples {
            self.note(example);
        }
        self.reconnects += other.reconnects;
    }

    /// Requests that were not answered, or answered wrongly.
    pub fn errors(&self) -> u64 {
        self.kinds
            .values()
            .map(|kind| kind.wrong + kind.failed)
            .sum()
    }

    pub fn sent(&self) -> u64 {
        self.kinds.values().map(|kind| kind.sent).sum()
    }

    /// One line per kind and one for the statuses.
    pub fn summary(&self) -> String {
        let mut lines: Vec<String> = self
            .kinds
            .iter()
            .map(|(kind, tally)| {
                format!(
                    "  {kind:<18} sent {:>9}  correct {:>9}  wrong {:>5}  no answer {:>5}",
                    tally.sent, tally.correct, tally.wrong, tally.failed
                )
            })
            .collect();
        lines.push(format!(
            "  statuses: {}",
            self.statuses
                .iter()
                .map(|(status, count)| format!("{status} × {count}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        lines.join("\n")
    }
}

/// The latency summary every load tool prints: p50, p90, p99, p99.9 and max in milliseconds, of
/// `sorted` (ascending).
pub fn percentiles(sorted: &[Duration]) -> String {
    if sorted.is_empty() {
        return "no samples".to_string();
    }
    let at = |p: f64| {
        let index = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
        sorted[index].as_secs_f64() * 1e3
    };
    format!(
        "p50 {:.3} ms, p90 {:.3} ms, p99 {:.3} ms, p99.9 {:.3} ms, max {:.3} ms",
        at(0.50),
        at(0.90),
        at(0.99),
        at(0.999),
        at(1.0)
    )
}

/// The two latencies of a tally's valid requests, sorted: (from the actual send, from the
/// scheduled send).
pub fn sorted_latencies(tally: &Tally) -> (Vec<Duration>, Vec<Duration>) {
    let mut service: Vec<Duration> = tally.latencies.iter().map(|(sent, _)| *sent).collect();
    let mut scheduled: Vec<Duration> = tally.latencies.iter().map(|(_, late)| *late).collect();
    service.sort();
    scheduled.sort();
    (service, scheduled)
}

/// The shape of a load: `rate` requests per second spread over `connections` keep-alive
/// connections (each sends its next request at its own scheduled times, one at a time), until
/// `stop` turns true or each connection has sent `limit` requests.
#[derive(Clone, Debug)]
pub struct Plan {
    pub address: SocketAddr,
    pub rate: u64,
    pub connections: u64,
    pub limit: Option<u64>,
    /// Once true (the server was told to shut down and has closed its listener), a connection
    /// the server closes is not replaced: that slot stops sending.
    pub no_new_connections: Option<Arc<std::sync::atomic::AtomicBool>>,
}

/// Runs `plan` with requests from `generate` until `stop` turns true (or the limit), and tallies
/// the answers. Requests are numbered so that connection `c` sends `c`, `c + connections`, ...
pub async fn run(
    client: Client,
    plan: Plan,
    generate: Generator,
    stop: tokio::sync::watch::Receiver<bool>,
) -> Tally {
    let connections = plan.connections.max(1);
    let interval = Duration::from_nanos(1_000_000_000 * connections / plan.rate.max(1));
    let start = tokio::time::Instant::now() + Duration::from_millis(100);
    let mut tasks = Vec::new();
    for connection in 0..connections {
        let client = client.clone();
        let generate = generate.clone();
        let mut stop = stop.clone();
        let address = plan.address;
        let limit = plan.limit;
        let no_new_connections = plan.no_new_connections.clone();
        tasks.push(tokio::spawn(async move {
            let mut tally = Tally::default();
            let mut sender: Option<SendRequest<Full<Bytes>>> = None;
            let mut opened = 0u64;
            // Connections start staggered across one interval.
            let offset = interval * connection as u32 / connections as u32;
            let mut round = 0u64;
            loop {
                if limit.is_some_and(|limit| round >= limit) {
                    break;
                }
                let scheduled = start + offset + interval * round as u32;
                tokio::select! {
                    () = tokio::time::sleep_until(scheduled) => {}
                    _ = stop.wait_for(|stop| *stop) => break,
                }
                if *stop.borrow() {
                    break;
                }
                let index = connection + round * connections;
                round += 1;
                // A connection the server closed (after a 413 or 408) is replaced first.
                let ready = match sender.as_mut() {
                    Some(open) => open.ready().await.is_ok(),
                    None => false,
                };
                let shutting_down = no_new_connections
                    .as_ref()
                    .is_some_and(|flag| flag.load(std::sync::atomic::Ordering::SeqCst));
                if !ready && shutting_down {
                    break;
                }
                let probe = generate(index);
                let kind = tally.kinds.entry(probe.kind).or_default();
                kind.sent += 1;
                if !ready {
                    match client.http(address).await {
                        Ok(mut fresh) => {
                            opened += 1;
                            if fresh.ready().await.is_err() {
                                tally.kinds.entry(probe.kind).or_default().failed += 1;
                                tally.note(format!(
                                    "{}: a new connection closed at once",
                                    probe.kind
                                ));
                                continue;
                            }
                            sender = Some(fresh);
                        }
                        Err(error) => {
                            tally.kinds.entry(probe.kind).or_default().failed += 1;
                            tally.note(format!("{}: connect: {error}", probe.kind));
                            sender = None;
                            continue;
                        }
                    }
                }
                let Some(open) = sender.as_mut() else {
                    continue;
                };
                let sent = tokio::time::Instant::now();
                let answer = match open.send_request(probe.request).await {
                    Ok(response) => {
                        let status = response.status().as_u16();
                        match response.into_body().collect().await {
                            Ok(body) => Ok((status, body.to_bytes())),
                            Err(error) => Err(format!("reading the body: {error}")),
                        }
                    }
                    Err(error) => Err(error.to_string()),
                };
                match answer {
                    Ok((status, body)) => {
                        *tally.statuses.entry(status).or_default() += 1;
                        match (probe.check)(status, &body) {
                            Ok(()) => {
                                tally.kinds.entry(probe.kind).or_default().correct += 1;
                                if probe.kind == "valid" {
                                    tally.latencies.push((sent.elapsed(), scheduled.elapsed()));
                                }
                            }
                            Err(why) => {
                                tally.kinds.entry(probe.kind).or_default().wrong += 1;
                                tally.note(format!("{} #{index}: {why}", probe.kind));
                            }
                        }
                    }
                    Err(error) => {
                        tally.kinds.entry(probe.kind).or_default().failed += 1;
                        tally.note(format!("{} #{index}: no answer: {error}", probe.kind));
                        sender = None;
                    }
                }
            }
            tally.reconnects = opened.saturating_sub(1);
            tally
        }));
    }
    let mut total = Tally::default();
    for task in tasks {
        match task.await {
            Ok(tally) => total.merge(tally),
            Err(error) => total.note(format!("a load task ended abnormally: {error}")),
        }
    }
    total
}

/// `GET path` over plain HTTP (the metrics listener): the status and body.
pub async fn get_plain(address: SocketAddr, path: &str) -> std::io::Result<(u16, String)> {
    let tcp = TcpStream::connect(address).await?;
    let (mut sender, driver) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tcp))
            .await
            .map_err(std::io::Error::other)?;
    tokio::spawn(driver);
    let mut request = hyper::Request::new(http_body_util::Empty::<Bytes>::new());
    *request.uri_mut() = path.parse().map_err(std::io::Error::other)?;
    request.headers_mut().insert(
        hyper::header::HOST,
        hyper::header::HeaderValue::from_static("localhost"),
    );
    let response = sender
        .send_request(request)
        .await
        .map_err(std::io::Error::other)?;
    let status = response.status().as_u16();
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(std::io::Error::other)?
        .to_bytes();
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}
