//! The audit webhook backend (`garrison audit serve`): the API server's webhook audit backend
//! POSTs `audit.k8s.io/v1` `EventList` batches to `POST /audit` over TLS; garrison runs its
//! detectors over them on a worker thread and writes findings as JSON lines.
//!
//! - The queue between the handler and the worker is bounded in events (`--queue N`). A batch
//!   that does not fit is answered `429 Too Many Requests` with `Retry-After`, never dropped:
//!   the API server's webhook backend retries it. A batch larger than the whole queue is
//!   accepted when the queue is empty, so it cannot be refused forever.
//! - A body that is not an `EventList` is answered 400 and counted.
//! - Metrics on the plain listener (`/metrics`): events and batches received, processed and
//!   rejected, invalid batches, findings, events queued.
//! - On shutdown (Ctrl-C, SIGTERM) the listener stops accepting, and the worker finishes the
//!   batches already accepted before the process exits.

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, Sender};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use garrison_audit::engine::{Config, Engine, Origin, json_line};
use garrison_audit::event::{AuditEvent, CloudTrailRecord};
use garrison_audit::reader::{Sink, read_stream};
use garrison_audit::rules::UserRule;
use garrison_core::Diagnostic;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use serde::Deserialize;

use crate::probes::{self, bind, healthz};
use crate::tls::{self, TlsFiles};

/// The path the API server's webhook configuration points at.
pub const AUDIT_PATH: &str = "/audit";

/// The largest batch accepted, in bytes: above the API server's default batch (400 events) of
/// the largest events it logs, and the 12 MiB Falco's k8saudit webhook accepts.
pub const MAX_BODY: usize = 16 << 20;

/// Seconds a refused client is told to wait.
const RETRY_AFTER_SECONDS: u64 = 1;

/// What `garrison audit serve` is given.
#[derive(Debug)]
pub struct Options {
    pub listen: String,
    pub metrics_listen: Option<String>,
    pub tls: TlsFiles,
    /// Findings go to this file (appended), or to standard output.
    pub output: Option<PathBuf>,
    /// Events the queue holds at most.
    pub queue: usize,
    pub config: Config,
    pub rules: Vec<UserRule>,
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    #[error(transparent)]
    Listen(#[from] probes::ListenError),
    #[error("cannot open {path}: {source}")]
    Output {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// The sink's counters (`garrison_audit_*` in OpenMetrics).
#[derive(Debug)]
pub struct AuditMetrics {
    registry: Registry,
    pub events_received: Counter,
    pub events_processed: Counter,
    pub events_rejected: Counter,
    pub batches_received: Counter,
    pub batches_processed: Counter,
    pub batches_rejected: Counter,
    pub batches_invalid: Counter,
    pub events_unreadable: Counter,
    pub findings: Counter,
    pub queued_events: Gauge,
}

impl Default for AuditMetrics {
    fn default() -> Self {
        AuditMetrics::new()
    }
}

impl AuditMetrics {
    pub fn new() -> AuditMetrics {
        let mut registry = Registry::with_prefix("garrison_audit");
        let metrics = AuditMetrics {
            registry: Registry::default(),
            events_received: Counter::default(),
            events_processed: Counter::default(),
            events_rejected: Counter::default(),
            batches_received: Counter::default(),
            batches_processed: Counter::default(),
            batches_rejected: Counter::default(),
            batches_invalid: Counter::default(),
            events_unreadable: Counter::default(),
            findings: Counter::default(),
            queued_events: Gauge::default(),
        };
        for (name, help, counter) in [
            (
                "events_received",
                "Events in the EventList batches received, accepted or not",
                &metrics.events_received,
            ),
            (
                "events_processed",
                "Events run through the detectors",
                &metrics.events_processed,
            ),
            (
                "events_rejected",
                "Events of batches answered 429 because the queue was full (the sender retries them)",
                &metrics.events_rejected,
            ),
            (
                "batches_received",
                "EventList batches received, accepted or not",
                &metrics.batches_received,
            ),
            (
                "batches_processed",
                "EventList batches run through the detectors",
                &metrics.batches_processed,
            ),
            (
                "batches_rejected",
                "EventList batches answered 429 because the queue was full",
                &metrics.batches_rejected,
            ),
            (
                "batches_invalid",
                "Request bodies that were not an EventList (answered 400)",
                &metrics.batches_invalid,
            ),
            (
                "events_unreadable",
                "Items of accepted batches that were not readable audit events",
                &metrics.events_unreadable,
            ),
            ("findings", "Findings written", &metrics.findings),
        ] {
            registry.register(name, help, counter.clone());
        }
        registry.register(
            "queued_events",
            "Events accepted and not yet processed",
            metrics.queued_events.clone(),
        );
        AuditMetrics {
            registry,
            ..metrics
        }
    }

    /// The OpenMetrics text of every metric.
    pub fn encode(&self) -> Result<String, std::fmt::Error> {
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)?;
        Ok(text)
    }
}

/// One accepted batch: the request body and how many events it holds.
struct Batch {
    body: Bytes,
    events: usize,
}

/// What the handlers share with the worker.
#[derive(Debug)]
pub struct AuditSink {
    capacity: usize,
    queued: AtomicUsize,
    sender: Mutex<Option<Sender<Batch>>>,
    ready: AtomicBool,
    pub metrics: AuditMetrics,
}

impl std::fmt::Debug for Batch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Batch({} events)", self.events)
    }
}

fn as_i64(count: usize) -> i64 {
    i64::try_from(count).unwrap_or(i64::MAX)
}

fn as_u64(count: usize) -> u64 {
    u64::try_from(count).unwrap_or(u64::MAX)
}

impl AuditSink {
    /// A sink whose queue holds `capacity` events, and the receiving end for [`work`].
    fn new(capacity: usize) -> (Arc<AuditSink>, Receiver<Batch>) {
        let (sender, receiver) = std::sync::mpsc::channel();
        let sink = AuditSink {
            capacity: capacity.max(1),
            queued: AtomicUsize::new(0),
            sender: Mutex::new(Some(sender)),
            ready: AtomicBool::new(true),
            metrics: AuditMetrics::new(),
        };
        (Arc::new(sink), receiver)
    }

    /// Reserves room for `events`; false when they do not fit (an empty queue takes any batch).
    fn reserve(&self, events: usize) -> bool {
        let mut current = self.queued.load(Ordering::Acquire);
        loop {
            if current > 0 && current.saturating_add(events) > self.capacity {
                return false;
            }
            match self.queued.compare_exchange_weak(
                current,
                current + events,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => {
                    self.metrics.queued_events.set(as_i64(current + events));
                    return true;
                }
                Err(actual) => current = actual,
            }
        }
    }

    fn release(&self, events: usize) {
        let left = self.queued.fetch_sub(events, Ordering::AcqRel) - events;
        self.metrics.queued_events.set(as_i64(left));
    }

    /// Stops taking batches; the worker ends once it has processed those already queued.
    fn close(&self) {
        self.ready.store(false, Ordering::Relaxed);
        if let Ok(mut sender) = self.sender.lock() {
            sender.take();
        }
    }
}

/// The number of events in an `EventList` body, without keeping them.
fn count_events(body: &[u8]) -> Result<usize, String> {
    #[derive(Deserialize)]
    struct EventList {
        kind: String,
        #[serde(default)]
        items: Vec<serde::de::IgnoredAny>,
    }
    let list: EventList = serde_json::from_slice(body).map_err(|error| error.to_string())?;
    if list.kind != "EventList" {
        return Err(format!("kind {:?} is not EventList", list.kind));
    }
    Ok(list.items.len())
}

/// `POST /audit`: queue the batch, or push back with 429 when the queue is full.
async fn receive(State(sink): State<Arc<AuditSink>>, body: Bytes) -> Response {
    let events = match count_events(&body) {
        Ok(events) => events,
        Err(error) => {
            sink.metrics.batches_invalid.inc();
            return (
                StatusCode::BAD_REQUEST,
                format!("not an audit.k8s.io EventList: {error}\n"),
            )
                .into_response();
        }
    };
    sink.metrics.batches_received.inc();
    sink.metrics.events_received.inc_by(as_u64(events));
    if !sink.reserve(events) {
        sink.metrics.batches_rejected.inc();
        sink.metrics.events_rejected.inc_by(as_u64(events));
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, RETRY_AFTER_SECONDS.to_string())],
            "queue full, retry later\n",
        )
            .into_response();
    }
    let sent = match sink.sender.lock() {
        Ok(sender) => sender
            .as_ref()
            .is_some_and(|sender| sender.send(Batch { body, events }).is_ok()),
        Err(_) => false,
    };
    if !sent {
        // Shutting down: the batch is not taken, so it is not counted as received either.
        sink.release(events);
        sink.metrics.events_rejected.inc_by(as_u64(events));
        sink.metrics.batches_rejected.inc();
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, RETRY_AFTER_SECONDS.to_string())],
            "shutting down\n",
        )
            .into_response();
    }
    StatusCode::OK.into_response()
}

/// The webhook's routes: `POST /audit` and `GET /healthz`.
pub fn router(sink: Arc<AuditSink>) -> Router {
    Router::new()
        .route(AUDIT_PATH, post(receive))
        .route("/healthz", get(healthz))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(sink)
}

/// The metrics listener's routes: `/metrics`, `/healthz`, `/readyz`.
pub fn metrics_router(sink: Arc<AuditSink>) -> Router {
    probes::metrics_router(sink)
}

probes::probed!(AuditSink);

/// Feeds one batch's events to the engine.
struct Feed<'e, 'c> {
    engine: &'e mut Engine<'c>,
    unreadable: u64,
}

impl Sink for Feed<'_, '_> {
    fn audit(&mut self, event: &AuditEvent<'_>, origin: &Origin) {
        self.engine.audit(event, origin);
    }

    fn cloudtrail(&mut self, record: &CloudTrailRecord<'_>, origin: &Origin) {
        self.engine.cloudtrail(record, origin);
    }

    fn problem(&mut self, diagnostic: Diagnostic) {
        self.unreadable += 1;
        tracing::warn!("{diagnostic}");
    }
}

/// The worker: runs the detectors over each batch in arrival order, writes the findings, and
/// frees the batch's room in the queue. Ends when the sink is closed and the queue is empty.
fn work(
    sink: &AuditSink,
    batches: Receiver<Batch>,
    config: &Config,
    rules: &[UserRule],
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let mut engine = Engine::new(garrison_audit::DETECTORS.to_vec(), config).with_rules(rules);
    for (number, batch) in batches.into_iter().enumerate() {
        let mut feed = Feed {
            engine: &mut engine,
            unreadable: 0,
        };
        let name = format!("webhook batch {}", number + 1);
        read_stream(
            &name,
            Box::new(std::io::Cursor::new(&batch.body[..])),
            false,
            &mut feed,
        );
        let unreadable = feed.unreadable;
        let findings = std::mem::take(&mut engine.findings);
        for finding in &findings {
            writeln!(out, "{}", json_line(finding))?;
        }
        out.flush()?;
        sink.metrics.events_unreadable.inc_by(unreadable);
        sink.metrics.findings.inc_by(as_u64(findings.len()));
        sink.metrics.events_processed.inc_by(as_u64(batch.events));
        sink.metrics.batches_processed.inc();
        sink.release(batch.events);
    }
    Ok(())
}

/// The sink's listeners: TLS for batches, and optionally plain HTTP for metrics and health.
#[derive(Debug)]
pub struct Listeners {
    pub webhook: tokio::net::TcpListener,
    pub metrics: Option<tokio::net::TcpListener>,
}

/// Serves on bound listeners until `shutdown` completes, then finishes the queued batches.
/// `started` receives the sink once it is serving (tests read its metrics).
pub async fn serve(
    listeners: Listeners,
    config: Arc<rustls::ServerConfig>,
    options: Options,
    out: Box<dyn Write + Send>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let (sink, batches) = AuditSink::new(options.queue);
    let worker_sink = sink.clone();
    let detector_config = options.config;
    let rules = options.rules;
    let worker = std::thread::Builder::new()
        .name("audit-detect".to_string())
        .spawn(move || {
            let mut out = out;
            work(&worker_sink, batches, &detector_config, &rules, &mut out)
        })?;
    let metrics = listeners
        .metrics
        .map(|listener| probes::MetricsListener::spawn(listener, sink.clone()));
    let result = tls::serve_tls(listeners.webhook, config, router(sink.clone()), shutdown).await;
    sink.close();
    tracing::info!(
        queued = sink.queued.load(Ordering::Relaxed),
        "stopped accepting; processing the queued batches"
    );
    let written = tokio::task::spawn_blocking(move || worker.join())
        .await
        .map_err(|error| ServeError::Io(std::io::Error::other(error.to_string())))?;
    if let Some(metrics) = metrics {
        metrics.stop().await;
    }
    match written {
        Ok(written) => written?,
        Err(_) => return Err(ServeError::Io(std::io::Error::other("the worker panicked"))),
    }
    result.map_err(ServeError::from)
}

/// Loads the TLS files, opens the output, binds the addresses and serves until `shutdown`.
pub async fn run(
    options: Options,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let config = tls::server_config(&options.tls)?;
    let out: Box<dyn Write + Send> = match &options.output {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|source| ServeError::Output {
                    path: path.display().to_string(),
                    source,
                })?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout())),
    };
    let listeners = Listeners {
        webhook: bind(&options.listen).await?,
        metrics: match &options.metrics_listen {
            Some(address) => Some(bind(address).await?),
            None => None,
        },
    };
    tracing::info!(
        listen = %options.listen,
        metrics = options.metrics_listen.as_deref().unwrap_or("-"),
        queue = options.queue,
        rules = options.rules.len(),
        "serving audit EventList batches on POST {AUDIT_PATH}"
    );
    serve(listeners, config, options, out, shutdown).await
}

/// [`run`] on a new multi-threaded runtime, until Ctrl-C or SIGTERM, logging to stderr.
pub fn run_blocking(options: Options) -> Result<(), ServeError> {
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let result = runtime.block_on(run(options, tls::shutdown_signal()));
    tracing::info!("stopped");
    result
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_queue_refuses_what_does_not_fit_but_never_starves_a_large_batch() {
        let (sink, _batches) = AuditSink::new(10);
        assert!(sink.reserve(6));
        assert!(!sink.reserve(5));
        assert!(sink.reserve(4));
        sink.release(10);
        // Larger than the whole queue: taken when the queue is empty, refused otherwise.
        assert!(sink.reserve(25));
        assert!(!sink.reserve(1));
        sink.release(25);
        assert_eq!(sink.queued.load(Ordering::Relaxed), 0);
    }

    #[test]
    fn only_event_lists_are_counted() {
        assert_eq!(
            count_events(br#"{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[{},{"kind":"Event"}]}"#),
            Ok(2)
        );
        assert!(count_events(br#"{"kind":"Event"}"#).is_err());
        assert!(count_events(b"nonsense").is_err());
    }
}
