//! The Cedar authorization webhook: SubjectAccessReview v1 on `POST /authorize`.
//!
//! - a body that is not `Content-Type: application/json` → 415, over 2 MiB (axum's default
//!   limit) → 413, unreadable JSON → 200 with `evaluationError` (no opinion);
//! - allow → `allowed: true`; deny → `allowed: false, denied: true`; no opinion →
//!   `allowed: false` (the API server asks the next authorizer, usually RBAC);
//! - the reason names the deciding policies and their annotations;
//! - policies are re-read when a `*.cedar` file of the directory changes, validated strictly,
//!   and swapped atomically; a set that fails to load leaves the last good set in force, logged
//!   and counted in `garrison_authz_policy_reloads_total{result="failure"}`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant, SystemTime};

use arc_swap::ArcSwap;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use garrison_cedar::schema::{Schema, schema};
use garrison_cedar::{AccessRequest, Bypass, Decision, Engine, Policies, PolicyError};
use serde_json::json;

use crate::metrics::Metrics;
use crate::probes::{self, bind, healthz};
use crate::tls::{self, TlsFiles};

/// The path of the webhook.
pub const AUTHORIZE_PATH: &str = "/authorize";

/// What `garrison authz serve` is given.
#[derive(Clone, Debug)]
pub struct Options {
    pub listen: String,
    pub metrics_listen: String,
    pub tls: TlsFiles,
    pub policies: PathBuf,
    pub reload_interval: Duration,
    pub bypass: Bypass,
    /// Read timeouts, connection cap and shutdown grace of the TLS listener.
    pub limits: tls::Limits,
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    #[error("policies: {0}")]
    Policies(#[from] PolicyError),
    #[error("{0}")]
    Setup(String),
    #[error(transparent)]
    Listen(#[from] probes::ListenError),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// The webhook's state: the decision engine, the policy set in force, metrics.
#[derive(Debug)]
pub struct Authorization {
    engine: Engine,
    schema: Schema,
    directory: PathBuf,
    policies: ArcSwap<Policies>,
    fingerprint: std::sync::Mutex<Fingerprint>,
    ready: AtomicBool,
    pub metrics: Metrics,
}

/// The `*.cedar` files of a directory by name, size and modification time: a change in any
/// means a reload.
type Fingerprint = Vec<(String, u64, Option<SystemTime>)>;

fn fingerprint(directory: &Path) -> Fingerprint {
    let mut files: Fingerprint = std::fs::read_dir(directory)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|entry| {
            entry
                .path()
                .extension()
                .is_some_and(|extension| extension == "cedar")
        })
        .filter_map(|entry| {
            // Through symlinks: a ConfigMap volume updates a file by swapping the `..data`
            // link its `*.cedar` links point through, never touching those links themselves.
            let metadata = std::fs::metadata(entry.path()).ok()?;
            Some((
                entry.file_name().to_string_lossy().to_string(),
                metadata.len(),
                metadata.modified().ok(),
            ))
        })
        .collect();
    files.sort();
    files
}

impl Authorization {
    /// Loads the policies of `directory`; fails if they do not load (there is no last good set
    /// to fall back on at start).
    pub fn new(directory: PathBuf, bypass: Bypass) -> Result<Authorization, ServeError> {
        let schema = schema().map_err(|error| ServeError::Setup(error.to_string()))?;
        let engine = Engine::new(bypass).map_err(|error| ServeError::Setup(error.to_string()))?;
        let print = fingerprint(&directory);
        let policies = Policies::load(&directory, &schema)?;
        warn_about(&policies);
        let metrics = Metrics::new();
        metrics.policies_loaded(policies.len());
        metrics.reload(true);
        Ok(Authorization {
            engine,
            schema,
            directory,
            policies: ArcSwap::from_pointee(policies),
            fingerprint: std::sync::Mutex::new(print),
            ready: AtomicBool::new(true),
            metrics,
        })
    }

    /// Decides one request under the policies in force.
    pub fn decide(&self, request: &AccessRequest) -> garrison_cedar::Answer {
        let policies = self.policies.load();
        self.engine.decide(&policies, request)
    }

    /// Re-reads the policies if the directory changed. `Some(Ok(n))` after a successful reload
    /// of `n` policies, `Some(Err)` after a failed one (the previous set stays), `None` when
    /// nothing changed.
    pub fn reload_if_changed(&self) -> Option<Result<usize, PolicyError>> {
        let current = fingerprint(&self.directory);
        {
            let mut last = self.fingerprint.lock().ok()?;
            if *last == current {
                return None;
            }
            *last = current;
        }
        Some(self.reload())
    }

    /// Re-reads the policies now.
    pub fn reload(&self) -> Result<usize, PolicyError> {
        match Policies::load(&self.directory, &self.schema) {
            Ok(policies) => {
                let count = policies.len();
                warn_about(&policies);
                self.policies.store(Arc::new(policies));
                self.metrics.reload(true);
                self.metrics.policies_loaded(count);
                tracing::info!(policies = count, "policies reloaded");
                Ok(count)
            }
            Err(error) => {
                self.metrics.reload(false);
                tracing::error!(%error, "policy reload failed; the previous policies stay in force");
                Err(error)
            }
        }
    }

    /// Polls the directory every `interval` until the process ends.
    pub async fn watch(self: Arc<Self>, interval: Duration) {
        let mut ticker = tokio::time::interval(interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            let this = self.clone();
            // Reading and validating files blocks; keep it off the request threads.
            let _ = tokio::task::spawn_blocking(move || this.reload_if_changed()).await;
        }
    }
}

fn review(status: serde_json::Value) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        json!({
            "apiVersion": "authorization.k8s.io/v1",
            "kind": "SubjectAccessReview",
            "status": status,
        })
        .to_string(),
    )
        .into_response()
}

/// `POST /authorize`. The decision takes microseconds, less than handing it to a blocking
/// thread would, so it runs on the request's task.
async fn authorize(
    State(state): State<Arc<Authorization>>,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Response {
    let started = Instant::now();
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"));
    if !json {
        state.metrics.invalid_request();
        return (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "a SubjectAccessReview is sent as Content-Type: application/json\n",
        )
            .into_response();
    }
    let request = match std::str::from_utf8(&body)
        .map_err(|error| error.to_string())
        .and_then(|text| AccessRequest::from_sar_json(text).map_err(|error| error.to_string()))
    {
        Ok(request) => request,
        Err(error) => {
            state.metrics.invalid_request();
            return review(json!({ "allowed": false, "evaluationError": error }));
        }
    };
    let answer = state.decide(&request);
    let status = match answer.decision {
        Decision::Allow => json!({ "allowed": true, "reason": answer.reason }),
        Decision::Deny => json!({ "allowed": false, "denied": true, "reason": answer.reason }),
        Decision::NoOpinion => json!({ "allowed": false, "reason": answer.reason }),
    };
    state.metrics.decision(answer.decision, started.elapsed());
    review(status)
}

/// Logs what the Cedar validator warns about in a policy set it accepted.
pub(crate) fn warn_about(policies: &Policies) {
    for warning in policies.warnings() {
        tracing::warn!("{warning}");
    }
}

/// The webhook's routes: `POST /authorize` and `GET /healthz`.
pub fn router(state: Arc<Authorization>) -> Router {
    Router::new()
        .route(AUTHORIZE_PATH, post(authorize))
        .route("/healthz", get(healthz))
        .with_state(state)
}

/// The metrics listener's routes: `/metrics`, `/healthz`, `/readyz`.
pub fn metrics_router(state: Arc<Authorization>) -> Router {
    probes::metrics_router(state)
}

probes::probed!(Authorization);

/// The webhook's two listeners: TLS for SubjectAccessReviews, plain HTTP for metrics and
/// health.
#[derive(Debug)]
pub struct Listeners {
    pub webhook: tokio::net::TcpListener,
    pub metrics: tokio::net::TcpListener,
}

/// Serves `state` on bound listeners until `shutdown` completes, checking the policy directory
/// every `reload_interval`.
pub async fn serve(
    listeners: Listeners,
    config: Arc<rustls::ServerConfig>,
    state: Arc<Authorization>,
    reload_interval: Duration,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    serve_with(
        listeners,
        config,
        state,
        reload_interval,
        tls::Limits::default(),
        shutdown,
    )
    .await
}

/// [`serve`] under explicit [`tls::Limits`].
pub async fn serve_with(
    listeners: Listeners,
    config: Arc<rustls::ServerConfig>,
    state: Arc<Authorization>,
    reload_interval: Duration,
    limits: tls::Limits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let watcher = tokio::spawn(state.clone().watch(reload_interval));
    let result = probes::serve_webhook(
        listeners.webhook,
        listeners.metrics,
        config,
        router(state.clone()),
        state,
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
    // The certificate is re-read when its files change, as the admission webhook's.
    let (config, certificate) = tls::reloading_server_config(&options.tls)?;
    let state = Arc::new(Authorization::new(options.policies, options.bypass)?);
    let certificate_watcher = tokio::spawn(certificate.watch(options.reload_interval));
    let listeners = Listeners {
        webhook: bind(&options.listen).await?,
        metrics: bind(&options.metrics_listen).await?,
    };
    tracing::info!(
        listen = %options.listen,
        metrics = %options.metrics_listen,
        client_auth = options.tls.client_ca.is_some(),
        "serving SubjectAccessReview on POST {AUTHORIZE_PATH}"
    );
    let result = serve_with(
        listeners,
        config,
        state,
        options.reload_interval,
        options.limits,
        shutdown,
    )
    .await;
    certificate_watcher.abort();
    result
}

/// [`run`] on a new multi-threaded runtime, until Ctrl-C or SIGTERM, logging to stderr.
pub fn run_blocking(options: Options) -> Result<(), ServeError> {
    // Another subscriber (a test's) may be installed already; that one is kept.
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
