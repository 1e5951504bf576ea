//! What the plain-HTTP metrics listener of every server answers — `/metrics` (OpenMetrics),
//! `/healthz` (the process is up), `/readyz` (it takes requests; false from shutdown on) — that
//! listener's life beside the TLS one, and binding: one implementation for the admission
//! webhook, the authorization webhook and the audit sink.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::tls;

/// A server's state as its probes see it.
pub trait Probed: Send + Sync + 'static {
    /// Whether it takes requests.
    fn ready(&self) -> bool;
    /// From now on it takes no more requests (shutting down).
    fn set_not_ready(&self);
    /// Its metrics in the OpenMetrics text format.
    fn metrics_text(&self) -> Result<String, std::fmt::Error>;
}

/// Implements [`Probed`] for a server state with a `ready: AtomicBool` and a `metrics` field
/// whose `encode()` gives the OpenMetrics text.
macro_rules! probed {
    ($state:ty) => {
        impl $crate::probes::Probed for $state {
            fn ready(&self) -> bool {
                self.ready.load(::std::sync::atomic::Ordering::Relaxed)
            }

            fn set_not_ready(&self) {
                self.ready
                    .store(false, ::std::sync::atomic::Ordering::Relaxed);
            }

            fn metrics_text(&self) -> Result<String, std::fmt::Error> {
                self.metrics.encode()
            }
        }
    };
}
pub(crate) use probed;

/// `GET /healthz`: the process answers.
pub(crate) async fn healthz() -> &'static str {
    "ok"
}

async fn readyz<S: Probed>(State(state): State<Arc<S>>) -> Response {
    if state.ready() {
        (StatusCode::OK, "ok").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "not ready").into_response()
    }
}

async fn metrics<S: Probed>(State(state): State<Arc<S>>) -> Response {
    match state.metrics_text() {
        Ok(text) => (
            StatusCode::OK,
            [(
                header::CONTENT_TYPE,
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            )],
            text,
        )
            .into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// The metrics listener's routes: `/metrics`, `/healthz`, `/readyz`.
pub fn metrics_router<S: Probed>(state: Arc<S>) -> Router {
    Router::new()
        .route("/metrics", get(metrics::<S>))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz::<S>))
        .with_state(state)
}

/// An address that could not be listened on.
#[derive(Debug, thiserror::Error)]
#[error("cannot listen on {address}: {source}")]
pub struct ListenError {
    pub address: String,
    pub source: std::io::Error,
}

/// Binds `address` (`host:port`).
pub(crate) async fn bind(address: &str) -> Result<tokio::net::TcpListener, ListenError> {
    tokio::net::TcpListener::bind(address)
        .await
        .map_err(|source| ListenError {
            address: address.to_string(),
            source,
        })
}

/// A server's metrics listener, serving until [`MetricsListener::stop`].
pub(crate) struct MetricsListener {
    stop: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
}

impl MetricsListener {
    /// Serves `state`'s probes on `listener` in a task of its own.
    pub(crate) fn spawn<S: Probed>(listener: TcpListener, state: Arc<S>) -> MetricsListener {
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(tls::serve_plain(
            listener,
            metrics_router(state),
            async move {
                let _ = stopped.await;
            },
        ));
        MetricsListener { stop, task }
    }

    /// Stops it, letting the requests in progress finish.
    pub(crate) async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }
}

/// Serves `app` over TLS on `webhook` under `limits`, and `state`'s probes on `metrics`, until
/// `shutdown` completes: from then on `/readyz` answers 503, no connection is accepted, those
/// open are drained; then the metrics listener stops.
pub(crate) async fn serve_webhook<S: Probed>(
    webhook: TcpListener,
    metrics: TcpListener,
    config: Arc<rustls::ServerConfig>,
    app: Router,
    state: Arc<S>,
    limits: tls::Limits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let metrics = MetricsListener::spawn(metrics, state.clone());
    let result = tls::serve_tls_with(webhook, config, app, limits, async move {
        shutdown.await;
        state.set_not_ready();
    })
    .await;
    metrics.stop().await;
    result
}
