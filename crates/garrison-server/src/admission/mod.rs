//! The admission webhook: AdmissionReview v1 (and v1beta1, answered in kind) on
//! `POST /validate`, over TLS.
//!
//! Three rules judge each request, in order, and the first denial answers:
//! 1. Pod Security admission, exactly as the API server's built-in plugin ([`pod_security`]);
//! 2. Cedar admission policies from `--policies` ([`cedar`]): a matching `forbid` denies;
//! 3. image rules from the configuration ([`images`]).
//!
//! Warnings and audit annotations of the rules that allowed are kept. Handlers are thin: the
//! decision is one synchronous function, [`Admission::review`], that the handler runs on the
//! request's task for bodies up to 64 KiB (the work is microseconds, less than a hand-off to a
//! blocking thread would cost) and on the blocking pool for larger ones, under the per-request
//! timeout (504 when it expires).
//!
//! What happens when the webhook cannot answer (down, timed out, an error status) is the
//! ValidatingWebhookConfiguration's `failurePolicy`: `Fail` refuses the request (closed), `Ignore`
//! admits it (open). `garrison install admission` writes `Fail` unless told otherwise.

pub mod cedar;
pub mod config;
pub mod images;
#[cfg(feature = "kube")]
pub mod live;
pub mod metrics;
pub mod namespaces;
pub mod pod_security;
pub mod review;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::probes::{self, bind, healthz};
use crate::tls::{self, TlsFiles};
use cedar::CedarRules;
use config::AdmissionConfig;
use images::ImageRules;
use metrics::AdmissionMetrics;
use pod_security::{NamespaceMap, PodSecurity};
use review::{Request, ReviewError, Verdict};

/// The path of the webhook.
pub const VALIDATE_PATH: &str = "/validate";
/// The largest body accepted: the API server's own limit on a request (3 MiB).
pub const MAX_BODY_BYTES: usize = 3 * 1024 * 1024;
/// Bodies larger than this are decoded and judged on the blocking pool.
const INLINE_BODY_BYTES: usize = 64 * 1024;

/// What `garrison admission serve` is given.
#[derive(Clone, Debug)]
pub struct Options {
    pub listen: String,
    pub metrics_listen: String,
    pub tls: TlsFiles,
    pub config: Option<PathBuf>,
    pub namespaces: Vec<String>,
    pub policies: Option<PathBuf>,
    pub reload_interval: Duration,
    pub request_timeout: Duration,
    /// Read timeouts, connection cap and shutdown grace of the TLS listener.
    pub limits: tls::Limits,
}

/// Where a watch on Namespaces connects: a kube-rs client configuration (feature `kube`).
#[cfg(feature = "kube")]
type Watch = Option<kube::Config>;
#[cfg(not(feature = "kube"))]
type Watch = Option<std::convert::Infallible>;

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    #[error("config: {0}")]
    Config(#[from] config::ConfigError),
    #[error("namespaces: {0}")]
    Namespaces(#[from] namespaces::NamespacesError),
    #[error("policies: {0}")]
    Policies(#[from] cedar::CedarError),
    #[error(transparent)]
    Listen(#[from] probes::ListenError),
    #[error("Kubernetes client: {0}")]
    Kube(String),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// The webhook's state.
#[derive(Debug)]
pub struct Admission {
    pod_security: PodSecurity,
    images: ImageRules,
    cedar: Option<CedarRules>,
    namespace_paths: Vec<String>,
    namespaces: ArcSwap<NamespaceMap>,
    namespace_fingerprint: std::sync::Mutex<Vec<(String, u64, Option<std::time::SystemTime>)>>,
    ready: AtomicBool,
    /// Namespaces come from a watch: one it has not delivered is a failed lookup.
    live_namespaces: bool,
    pub metrics: AdmissionMetrics,
}

/// A decision and the rule that made it (for metrics and logs).
#[derive(Debug)]
pub struct Decision {
    pub verdict: Verdict,
    pub rule: &'static str,
}

impl Admission {
    /// The webhook's state from parts already loaded (what tests and benches use).
    pub fn new(
        config: AdmissionConfig,
        namespaces: NamespaceMap,
        cedar: Option<CedarRules>,
    ) -> Admission {
        let metrics = AdmissionMetrics::new();
        if let Some(cedar) = &cedar {
            metrics.policies_loaded(cedar.len());
        }
        Admission {
            pod_security: config.pod_security,
            images: config.images,
            cedar,
            namespace_paths: Vec::new(),
            namespaces: ArcSwap::from_pointee(namespaces),
            namespace_fingerprint: std::sync::Mutex::new(Vec::new()),
            ready: AtomicBool::new(true),
            live_namespaces: false,
            metrics,
        }
    }

    /// Loads everything `options` names; any problem is an error (there is nothing to fall back
    /// on at start).
    pub fn load(options: &Options) -> Result<Admission, ServeError> {
        let config = match &options.config {
            Some(path) => AdmissionConfig::load(path)?,
            None => AdmissionConfig::default(),
        };
        let fingerprint = namespaces::fingerprint(&options.namespaces);
        let map = namespaces::load(&options.namespaces)?;
        let cedar = match &options.policies {
            Some(path) => Some(CedarRules::load(path.clone())?),
            None => None,
        };
        let mut admission = Admission::new(config, map, cedar);
        admission.namespace_paths = options.namespaces.clone();
        admission.namespace_fingerprint = std::sync::Mutex::new(fingerprint);
        Ok(admission)
    }

    /// Namespaces will come from a watch: not ready until its first list, and a namespace it
    /// has not delivered is a failed lookup rather than a namespace without labels.
    fn expect_namespace_watch(&mut self) {
        self.live_namespaces = true;
        self.ready.store(false, Ordering::Relaxed);
    }

    /// Judges one request.
    pub fn decide(&self, request: &Request) -> Decision {
        let namespaces = self.namespaces.load();
        // Cedar and the image rules read the object as a JSON tree: when they will, it is parsed
        // first, and Pod Security decodes its typed view from that tree instead of the text.
        let object = if self.cedar.is_some() || !self.images.is_empty() {
            request.object_tree()
        } else {
            None
        };
        let mut kept = Verdict::allow();
        let pod_security = if self.live_namespaces {
            namespaces::lookup_failure(&self.pod_security, request, &namespaces)
        } else {
            None
        };
        if let Some(verdict) =
            pod_security.or_else(|| self.pod_security.validate(request, &namespaces))
        {
            if !verdict.allowed {
                return Decision {
                    verdict,
                    rule: "pod-security",
                };
            }
            kept = verdict;
        }
        let mut decided = "none";
        if let Some(cedar) = &self.cedar
            && let Some(denial) = cedar.validate(request, &namespaces, object)
        {
            decided = "cedar";
            kept = merge(kept, denial);
        }
        if kept.allowed
            && let Some(denial) = self.images.validate(request, object)
        {
            decided = "images";
            kept = merge(kept, denial);
        }
        Decision {
            verdict: kept,
            rule: decided,
        }
    }

    /// Reads an AdmissionReview body and answers it.
    pub fn review(&self, body: &[u8]) -> Result<(serde_json::Value, Decision), ReviewError> {
        let (version, request) = review::parse(body)?;
        let decision = self.decide(&request);
        Ok((decision.verdict.to_review(version, &request.uid), decision))
    }

    /// Re-reads `--namespaces` and the Cedar policies if their files changed; a failed load
    /// keeps what is in force.
    pub fn reload_if_changed(&self) {
        if !self.namespace_paths.is_empty() {
            let current = namespaces::fingerprint(&self.namespace_paths);
            let changed = match self.namespace_fingerprint.lock() {
                Ok(mut last) if *last != current => {
                    *last = current;
                    true
                }
                _ => false,
            };
            if changed {
                match namespaces::load(&self.namespace_paths) {
                    Ok(map) => {
                        tracing::info!(namespaces = map.len(), "namespaces reloaded");
                        self.namespaces.store(Arc::new(map));
                        self.metrics.reload(true);
                    }
                    Err(error) => {
                        tracing::error!(%error, "namespace reload failed; the previous namespaces stay in force");
                        self.metrics.reload(false);
                    }
                }
            }
        }
        if let Some(cedar) = &self.cedar {
            match cedar.reload_if_changed() {
                Some(Ok(count)) => {
                    tracing::info!(policies = count, "Cedar admission policies reloaded");
                    self.metrics.reload(true);
                    self.metrics.policies_loaded(count);
                }
                Some(Err(error)) => {
                    tracing::error!(%error, "Cedar policy reload failed; the previous policies stay in force");
                    self.metrics.reload(false);
                }
                None => {}
            }
        }
    }

    async fn watch(self: Arc<Self>, interval: Duration) {
        let mut ticker = tokio::time::interval(interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            let this = self.clone();
            // Reading files blocks; keep it off the request threads.
            let _ = tokio::task::spawn_blocking(move || this.reload_if_changed()).await;
        }
    }
}

/// `base` (an allowing verdict) with a later rule's `denial`: the denial's status, both
/// warnings and annotations.
fn merge(base: Verdict, denial: Verdict) -> Verdict {
    let mut merged = denial;
    let mut warnings = base.warnings;
    warnings.append(&mut merged.warnings);
    merged.warnings = warnings;
    for (key, value) in base.audit_annotations {
        merged.audit_annotations.entry(key).or_insert(value);
    }
    merged
}

/// Shared between the routes.
#[derive(Debug)]
struct Shared {
    admission: Arc<Admission>,
    timeout: Duration,
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
}

fn plain(status: StatusCode, message: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        message,
    )
        .into_response()
}

async fn validate(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let started = Instant::now();
    let admission = shared.admission.clone();
    let body = match body {
        Ok(body) => body,
        Err(rejection) => {
            admission.metrics.invalid_request();
            return plain(rejection.status(), format!("{}\n", rejection.body_text()));
        }
    };
    if !is_json(&headers) {
        admission.metrics.invalid_request();
        return plain(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "an AdmissionReview is sent as Content-Type: application/json\n".to_string(),
        );
    }
    let judged = if body.len() <= INLINE_BODY_BYTES {
        Ok(admission.review(&body))
    } else {
        let work = admission.clone();
        tokio::time::timeout(
            shared.timeout,
            tokio::task::spawn_blocking(move || work.review(&body)),
        )
        .await
        .map_err(|_| ())
        .and_then(|joined| joined.map_err(|_| ()))
    };
    match judged {
        Ok(Ok((review, decision))) => {
            admission
                .metrics
                .review(decision.verdict.allowed, decision.rule, started.elapsed());
            (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/json")],
                review.to_string(),
            )
                .into_response()
        }
        Ok(Err(error)) => {
            admission.metrics.invalid_request();
            plain(StatusCode::BAD_REQUEST, format!("{error}\n"))
        }
        Err(()) => plain(
            StatusCode::GATEWAY_TIMEOUT,
            "the review took longer than the request timeout\n".to_string(),
        ),
    }
}

/// The webhook's routes: `POST /validate` (at most [`MAX_BODY_BYTES`], else 413) and
/// `GET /healthz`.
pub fn router(admission: Arc<Admission>, timeout: Duration) -> Router {
    let shared = Arc::new(Shared { admission, timeout });
    Router::new()
        .route(VALIDATE_PATH, post(validate))
        .route("/healthz", get(healthz))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(shared)
}

/// The metrics listener's routes: `/metrics`, `/healthz`, `/readyz`.
pub fn metrics_router(admission: Arc<Admission>) -> Router {
    probes::metrics_router(admission)
}

probes::probed!(Admission);

/// The webhook's two listeners: TLS for AdmissionReviews, plain HTTP for metrics and health.
#[derive(Debug)]
pub struct Listeners {
    pub webhook: tokio::net::TcpListener,
    pub metrics: tokio::net::TcpListener,
}

/// Serves `admission` on bound listeners until `shutdown` completes, re-reading changed
/// policies and namespaces every `reload_interval`; open connections are drained.
pub async fn serve(
    listeners: Listeners,
    config: Arc<rustls::ServerConfig>,
    admission: Arc<Admission>,
    reload_interval: Duration,
    request_timeout: Duration,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let limits = tls::Limits::default();
    serve_with(
        listeners,
        config,
        admission,
        reload_interval,
        request_timeout,
        limits,
        shutdown,
    )
    .await
}

/// [`serve`] under explicit [`tls::Limits`].
pub async fn serve_with(
    listeners: Listeners,
    config: Arc<rustls::ServerConfig>,
    admission: Arc<Admission>,
    reload_interval: Duration,
    request_timeout: Duration,
    limits: tls::Limits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let watcher = tokio::spawn(admission.clone().watch(reload_interval));
    let result = probes::serve_webhook(
        listeners.webhook,
        listeners.metrics,
        config,
        router(admission.clone(), request_timeout),
        admission,
        limits,
        shutdown,
    )
    .await;
    watcher.abort();
    result.map_err(ServeError::from)
}

/// Loads everything `options` names, binds its addresses and serves until `shutdown`.
pub async fn run(
    options: Options,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    run_with(options, None, shutdown).await
}

/// [`run`], with the namespaces' labels from a watch on the API server `config` reaches
/// instead of `--namespaces` files (see [`live`]).
#[cfg(feature = "kube")]
pub async fn run_watching_namespaces(
    options: Options,
    config: kube::Config,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    run_with(options, Some(config), shutdown).await
}

async fn run_with(
    options: Options,
    watch: Watch,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let (config, certificate) = tls::reloading_server_config(&options.tls)?;
    let mut admission = Admission::load(&options)?;
    if watch.is_some() {
        admission.expect_namespace_watch();
    }
    let admission = Arc::new(admission);
    #[cfg(feature = "kube")]
    let namespace_watch = match watch {
        Some(config) => Some(
            live::spawn(&admission, config).map_err(|error| ServeError::Kube(error.to_string()))?,
        ),
        None => None,
    };
    let certificate_watcher = tokio::spawn(certificate.watch(options.reload_interval));
    let listeners = Listeners {
        webhook: bind(&options.listen).await?,
        metrics: bind(&options.metrics_listen).await?,
    };
    tracing::info!(
        listen = %options.listen,
        metrics = %options.metrics_listen,
        namespaces = admission.namespaces.load().len(),
        cedar_policies = admission.cedar.as_ref().map_or(0, CedarRules::len),
        "serving AdmissionReview on POST {VALIDATE_PATH}"
    );
    let result = serve_with(
        listeners,
        config,
        admission,
        options.reload_interval,
        options.request_timeout,
        options.limits,
        shutdown,
    )
    .await;
    certificate_watcher.abort();
    #[cfg(feature = "kube")]
    if let Some(watch) = namespace_watch {
        watch.abort();
    }
    result
}

/// [`run`] on a new multi-threaded runtime, until Ctrl-C or SIGTERM, logging to stderr.
pub fn run_blocking(options: Options) -> Result<(), ServeError> {
    run_blocking_with(options, None)
}

/// [`run_watching_namespaces`] on a new multi-threaded runtime, until Ctrl-C or SIGTERM.
#[cfg(feature = "kube")]
pub fn run_blocking_watching_namespaces(
    options: Options,
    config: kube::Config,
) -> Result<(), ServeError> {
    run_blocking_with(options, Some(config))
}

fn run_blocking_with(options: Options, watch: Watch) -> Result<(), ServeError> {
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
    let result = runtime.block_on(run_with(options, watch, tls::shutdown_signal()));
    tracing::info!("stopped");
    result
}
