//! TLS serving for garrison's webhooks, shared by the authorization and admission webhooks:
//! rustls configuration from PEM files (TLS 1.2 and 1.3, optional client-certificate
//! authentication against a CA bundle), an HTTP/1.1 accept loop over an axum router with
//! graceful shutdown, a plain-HTTP listener for metrics and health, and the process's shutdown
//! signal.
//!
//! Public API: [`TlsFiles`], [`server_config`], [`serve_tls`] (and [`serve_tls_with`] with
//! explicit [`Limits`]), [`serve_plain`], [`shutdown_signal`].

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use rustls::RootCertStore;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

/// How long open connections get to finish their requests once they have been asked to close.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// The most a closing connection reads and throws away of what its client is still sending
/// (see [`Lingering`]): more than any body limit of garrison's servers.
const LINGER_BYTES: usize = 32 << 20;

/// What one client may hold of a TLS server: the defences against slow or numerous clients.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The longest a client may take to complete the TLS handshake, to send a request's headers
    /// (from their first byte), and to send its body and get the answer; a request over it is
    /// answered 408 and its connection closed.
    pub read_timeout: Duration,
    /// Connections served at once; further clients wait in the listen backlog until one closes.
    pub max_connections: usize,
    /// After shutdown begins (the listener is closed at once), how long connections already
    /// open keep being served before idle ones are closed; requests in flight then get
    /// [`DRAIN_TIMEOUT`] more. This covers a request written on a keep-alive connection just as
    /// the signal came.
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            read_timeout: Duration::from_secs(10),
            max_connections: 1024,
            shutdown_grace: Duration::from_secs(2),
        }
    }
}

/// The PEM files of a TLS server.
#[derive(Clone, Debug)]
pub struct TlsFiles {
    /// The certificate chain, leaf first.
    pub cert: PathBuf,
    pub key: PathBuf,
    /// CA certificates that client certificates must chain to; none means no client
    /// authentication.
    pub client_ca: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("{path}: {message}")]
    Pem { path: String, message: String },
    #[error("{path}: no certificates")]
    NoCertificates { path: String },
    #[error("TLS configuration: {0}")]
    Config(String),
}

fn certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let pem_error = |error: rustls::pki_types::pem::Error| TlsError::Pem {
        path: path.display().to_string(),
        message: error.to_string(),
    };
    let certificates = CertificateDer::pem_file_iter(path)
        .map_err(pem_error)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(pem_error)?;
    if certificates.is_empty() {
        return Err(TlsError::NoCertificates {
            path: path.display().to_string(),
        });
    }
    Ok(certificates)
}

/// The protocol versions and client authentication every garrison TLS server uses: TLS 1.2
/// and 1.3 with the `ring` provider, client certificates required when `client_ca` is given.
fn builder(
    files: &TlsFiles,
    provider: &Arc<rustls::crypto::CryptoProvider>,
) -> Result<rustls::ConfigBuilder<rustls::ServerConfig, rustls::server::WantsServerCert>, TlsError>
{
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|error| TlsError::Config(error.to_string()))?;
    Ok(match &files.client_ca {
        None => builder.with_no_client_auth(),
        Some(path) => {
            let mut roots = RootCertStore::empty();
            for certificate in certificates(path)? {
                roots.add(certificate).map_err(|error| TlsError::Pem {
                    path: path.display().to_string(),
                    message: error.to_string(),
                })?;
            }
            let verifier =
                WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                    .build()
                    .map_err(|error| TlsError::Config(error.to_string()))?;
            builder.with_client_cert_verifier(verifier)
        }
    })
}

fn private_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    PrivateKeyDer::from_pem_file(path).map_err(|error| TlsError::Pem {
        path: path.display().to_string(),
        message: error.to_string(),
    })
}

/// A rustls server configuration from PEM files: TLS 1.2 and 1.3 with the `ring` provider,
/// HTTP/1.1 by ALPN, and client certificates required when `client_ca` is given.
pub fn server_config(files: &TlsFiles) -> Result<Arc<rustls::ServerConfig>, TlsError> {
    let chain = certificates(&files.cert)?;
    let key = private_key(&files.key)?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = builder(files, &provider)?
        .with_single_cert(chain, key)
        .map_err(|error| TlsError::Config(error.to_string()))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

type FileStamp = Vec<Option<(u64, std::time::SystemTime)>>;

fn stamp(files: &TlsFiles) -> FileStamp {
    [&files.cert, &files.key]
        .iter()
        .map(|path| {
            let metadata = std::fs::metadata(path).ok()?;
            Some((metadata.len(), metadata.modified().ok()?))
        })
        .collect()
}

/// The server's certificate and key, re-read when their files change: new handshakes get the
/// new pair, open connections keep theirs. A pair that does not load (a half-written renewal,
/// a key that does not match) leaves the previous one in force and is logged.
#[derive(Debug)]
pub struct ReloadingCertificate {
    files: TlsFiles,
    provider: Arc<rustls::crypto::CryptoProvider>,
    current: arc_swap::ArcSwap<rustls::sign::CertifiedKey>,
    stamp: std::sync::Mutex<FileStamp>,
}

impl ReloadingCertificate {
    fn read(
        files: &TlsFiles,
        provider: &rustls::crypto::CryptoProvider,
    ) -> Result<rustls::sign::CertifiedKey, TlsError> {
        let chain = certificates(&files.cert)?;
        let key = private_key(&files.key)?;
        let signing = provider
            .key_provider
            .load_private_key(key)
            .map_err(|error| TlsError::Pem {
                path: files.key.display().to_string(),
                message: error.to_string(),
            })?;
        let certified = rustls::sign::CertifiedKey::new(chain, signing);
        certified.keys_match().map_err(|error| {
            TlsError::Config(format!(
                "{} and {}: {error}",
                files.cert.display(),
                files.key.display()
            ))
        })?;
        Ok(certified)
    }

    /// Re-reads the pair if a file changed: `Some(Ok)` after a reload, `Some(Err)` when the new
    /// pair was refused, `None` when nothing changed.
    pub fn reload_if_changed(&self) -> Option<Result<(), TlsError>> {
        let current = stamp(&self.files);
        {
            let mut last = self.stamp.lock().ok()?;
            if *last == current {
                return None;
            }
            *last = current;
        }
        Some(
            ReloadingCertificate::read(&self.files, &self.provider)
                .map(|pair| self.current.store(Arc::new(pair))),
        )
    }

    /// Polls the files every `interval` until the process ends.
    pub async fn watch(self: Arc<Self>, interval: Duration) {
        let mut ticker = tokio::time::interval(interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            let this = self.clone();
            match tokio::task::spawn_blocking(move || this.reload_if_changed()).await {
                Ok(Some(Ok(()))) => tracing::info!("TLS certificate reloaded"),
                Ok(Some(Err(error))) => tracing::error!(
                    %error,
                    "TLS certificate reload failed; the previous certificate stays in use"
                ),
                _ => {}
            }
        }
    }
}

impl rustls::server::ResolvesServerCert for ReloadingCertificate {
    fn resolve(
        &self,
        _hello: rustls::server::ClientHello<'_>,
    ) -> Option<Arc<rustls::sign::CertifiedKey>> {
        Some(self.current.load_full())
    }
}

/// Like [`server_config`], with the certificate and key re-read on change (see
/// [`ReloadingCertificate`]); the caller runs [`ReloadingCertificate::watch`].
pub fn reloading_server_config(
    files: &TlsFiles,
) -> Result<(Arc<rustls::ServerConfig>, Arc<ReloadingCertificate>), TlsError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let stamp = stamp(files);
    let pair = ReloadingCertificate::read(files, &provider)?;
    let resolver = Arc::new(ReloadingCertificate {
        files: files.clone(),
        provider: provider.clone(),
        current: arc_swap::ArcSwap::from_pointee(pair),
        stamp: std::sync::Mutex::new(stamp),
    });
    let mut config = builder(files, &provider)?.with_cert_resolver(resolver.clone());
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok((Arc::new(config), resolver))
}

/// Serves `router` over TLS on `listener` until `shutdown` completes, then lets open
/// connections finish, with the default [`Limits`]. A failed handshake (such as a client
/// without the required certificate) closes that connection only.
pub async fn serve_tls(
    listener: TcpListener,
    config: Arc<rustls::ServerConfig>,
    router: Router,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    serve_tls_with(listener, config, router, Limits::default(), shutdown).await
}

/// Answers 408 when a request (reading its body included) is not answered within `deadline`,
/// and marks a 413 `connection: close`: its body was not read to the end, so the connection
/// cannot carry another request, and a client told so opens a new one instead of writing into
/// a connection that is closing.
async fn request_deadline(
    axum::extract::State(deadline): axum::extract::State<Duration>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    match tokio::time::timeout(deadline, next.run(request)).await {
        Ok(mut response) => {
            if response.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                response.headers_mut().insert(
                    axum::http::header::CONNECTION,
                    axum::http::HeaderValue::from_static("close"),
                );
            }
            response
        }
        Err(_) => {
            use axum::response::IntoResponse;
            (
                axum::http::StatusCode::REQUEST_TIMEOUT,
                [(axum::http::header::CONNECTION, "close")],
                "the request was not received and answered in time\n",
            )
                .into_response()
        }
    }
}

/// [`serve_tls`] under explicit [`Limits`]: at most `max_connections` at once, each handshake,
/// request head and request (body included) within `read_timeout`, and on shutdown the listener
/// closed at once, open connections served for `shutdown_grace`, then drained.
pub async fn serve_tls_with(
    listener: TcpListener,
    config: Arc<rustls::ServerConfig>,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let acceptor = TlsAcceptor::from(config);
    let router = router.layer(axum::middleware::from_fn_with_state(
        limits.read_timeout,
        request_deadline,
    ));
    let slots = Arc::new(tokio::sync::Semaphore::new(
        limits
            .max_connections
            .clamp(1, tokio::sync::Semaphore::MAX_PERMITS),
    ));
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    tracing::warn!(%error, "accept failed");
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let acceptor = acceptor.clone();
        let service = TowerToHyperService::new(router.clone());
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            let _slot = slot;
            let tls = match tokio::time::timeout(limits.read_timeout, acceptor.accept(stream)).await
            {
                Ok(Ok(tls)) => tls,
                Ok(Err(error)) => {
                    tracing::info!(%peer, %error, "TLS handshake failed");
                    return;
                }
                Err(_) => {
                    tracing::info!(%peer, "TLS handshake timed out");
                    return;
                }
            };
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(limits.read_timeout)
                .serve_connection(
                    TokioIo::new(Lingering::new(tls, limits.read_timeout)),
                    service,
                );
            if let Err(error) = watcher.watch(connection).await {
                tracing::debug!(%peer, %error, "connection ended with an error");
            }
        });
    }
    drop(listener);
    let grace_ends = tokio::time::Instant::now() + limits.shutdown_grace;
    while graceful.count() > 0 && tokio::time::Instant::now() < grace_ends {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let _ = tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown()).await;
    Ok(())
}

/// A served connection that closes the way a client can read: when the server shuts it down,
/// it first ends its own sending side (TLS `close_notify` and a TCP FIN), then reads and throws
/// away what the client is still sending until the client closes too, [`LINGER_BYTES`] have
/// been read, or `linger` has passed. Closing a socket with unread bytes in it makes the kernel
/// answer with a reset, and a reset destroys whatever the client has not read yet: a 413 sent
/// before the refused body was read, or a 408, would reach the client as a broken connection
/// instead of an answer (nginx's `lingering_close` exists for the same reason).
struct Lingering<S> {
    inner: S,
    linger: Duration,
    closing: Option<Closing>,
}

/// The state of a [`Lingering`] connection once its sending side is shut.
struct Closing {
    deadline: std::pin::Pin<Box<tokio::time::Sleep>>,
    left: usize,
}

impl<S> Lingering<S> {
    fn new(inner: S, linger: Duration) -> Lingering<S> {
        Lingering {
            inner,
            linger,
            closing: None,
        }
    }
}

impl<S: tokio::io::AsyncRead + Unpin> tokio::io::AsyncRead for Lingering<S> {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin> tokio::io::AsyncWrite
    for Lingering<S>
{
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        use std::task::Poll;
        let this = self.get_mut();
        if this.closing.is_none() {
            match std::pin::Pin::new(&mut this.inner).poll_shutdown(cx) {
                Poll::Ready(Ok(())) => {}
                other => return other,
            }
            this.closing = Some(Closing {
                deadline: Box::pin(tokio::time::sleep(this.linger)),
                left: LINGER_BYTES,
            });
        }
        let Some(closing) = this.closing.as_mut() else {
            return Poll::Ready(Ok(()));
        };
        let mut scratch = [0u8; 8192];
        loop {
            if closing.left == 0 || closing.deadline.as_mut().poll(cx).is_ready() {
                return Poll::Ready(Ok(()));
            }
            let mut buf = tokio::io::ReadBuf::new(&mut scratch);
            match std::pin::Pin::new(&mut this.inner).poll_read(cx, &mut buf) {
                Poll::Ready(Ok(())) if buf.filled().is_empty() => return Poll::Ready(Ok(())),
                Poll::Ready(Ok(())) => {
                    closing.left = closing.left.saturating_sub(buf.filled().len());
                }
                // The client reset or broke the connection: nothing is left to protect.
                Poll::Ready(Err(_)) => return Poll::Ready(Ok(())),
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

/// Serves `router` over plain HTTP (metrics, health) until `shutdown` completes.
pub async fn serve_plain(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
}

/// Completes on Ctrl-C or, on Unix, SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
}
