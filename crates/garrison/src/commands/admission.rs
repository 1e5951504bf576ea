//! `garrison admission serve`: the validating admission webhook (Pod Security admission exactly
//! as the built-in plugin, Cedar admission policies, image rules).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Subcommand};

use super::CommandError;

#[derive(Debug, Args)]
pub struct AdmissionArgs {
    #[command(subcommand)]
    command: AdmissionCommand,
}

#[derive(Debug, Subcommand)]
enum AdmissionCommand {
    /// Serve AdmissionReview v1 (and v1beta1) over TLS on POST /validate.
    Serve(ServeArgs),
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// Address of the webhook's TLS listener.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8443")]
    listen: String,
    /// Address of the plain-HTTP listener for /metrics, /healthz and /readyz.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:9090")]
    metrics_listen: String,
    /// The server certificate chain (PEM), re-read when it changes.
    #[arg(long, value_name = "FILE")]
    tls_cert: PathBuf,
    /// The server's private key (PEM), re-read when it changes.
    #[arg(long, value_name = "FILE")]
    tls_key: PathBuf,
    /// CA certificates (PEM) of the API server's client certificate: clients without a
    /// certificate signed by one of them are refused during the TLS handshake.
    #[arg(long, value_name = "FILE")]
    client_ca: Option<PathBuf>,
    /// Configuration: a PodSecurityConfiguration (or the API server's AdmissionConfiguration)
    /// for defaults and exemptions, and an ImagePolicy (garrison.dev/v1alpha1) for image rules.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Namespace objects whose pod-security.kubernetes.io labels decide the policies: files,
    /// directories or a cluster snapshot (repeatable), re-read when they change. A namespace
    /// not found there is judged by the defaults, as a namespace without labels. Without
    /// this option the namespaces are watched on the API server (in-cluster, or --kubeconfig
    /// and --context; needs list and watch on namespaces), /readyz waits for the first list,
    /// and a pod in a namespace the watch has not delivered is refused as the built-in plugin
    /// refuses one whose namespace lookup fails.
    #[arg(long, value_name = "PATH")]
    namespaces: Vec<String>,
    /// Kubeconfig file for the namespace watch (default: KUBECONFIG, ~/.kube/config, or
    /// in-cluster).
    #[arg(long, value_name = "FILE", conflicts_with = "namespaces")]
    kubeconfig: Option<PathBuf>,
    /// Kubeconfig context for the namespace watch (default: the current context).
    #[arg(long, value_name = "NAME", conflicts_with = "namespaces")]
    context: Option<String>,
    /// A directory of *.cedar admission policies (or one file), watched for changes.
    #[arg(long, value_name = "DIR")]
    policies: Option<PathBuf>,
    /// How often certificates, policies and namespaces are checked for changes, in ms.
    #[arg(long, value_name = "MS", default_value_t = 1000)]
    reload_interval_ms: u64,
    /// The longest a review may take before the webhook answers 504, in ms.
    #[arg(long, value_name = "MS", default_value_t = 2000)]
    request_timeout_ms: u64,
    #[command(flatten)]
    limits: LimitArgs,
}

/// The TLS listener's defences against slow and numerous clients, shared by the webhooks.
#[derive(Debug, Args)]
pub(super) struct LimitArgs {
    /// The longest a client may take for the TLS handshake, for a request's headers, and for
    /// its body and answer (then 408 and the connection is closed), in ms.
    #[arg(long, value_name = "MS", default_value_t = 10_000)]
    read_timeout_ms: u64,
    /// Connections served at once; further clients wait in the listen backlog.
    #[arg(long, value_name = "N", default_value_t = 1024)]
    max_connections: usize,
    /// On SIGTERM the listener closes at once; connections already open are served this long
    /// before idle ones are closed and in-flight requests drained, in ms.
    #[arg(long, value_name = "MS", default_value_t = 2000)]
    shutdown_grace_ms: u64,
}

impl LimitArgs {
    pub(super) fn limits(&self) -> garrison_server::tls::Limits {
        garrison_server::tls::Limits {
            read_timeout: Duration::from_millis(self.read_timeout_ms),
            max_connections: self.max_connections,
            shutdown_grace: Duration::from_millis(self.shutdown_grace_ms),
        }
    }
}

pub fn run(args: AdmissionArgs) -> Result<ExitCode, CommandError> {
    match args.command {
        AdmissionCommand::Serve(args) => serve(args),
    }
}

fn serve(args: ServeArgs) -> Result<ExitCode, CommandError> {
    #[cfg(feature = "collect")]
    let kube = if args.namespaces.is_empty() {
        let config = garrison_collect::kubernetes::config_blocking(
            args.kubeconfig.as_deref(),
            args.context.as_deref(),
        )
        .map_err(|error| {
            CommandError::Usage(format!(
                "no --namespaces, and no cluster to watch namespaces on: {error}"
            ))
        })?;
        Some(config)
    } else {
        None
    };
    #[cfg(not(feature = "collect"))]
    if args.namespaces.is_empty() && (args.kubeconfig.is_some() || args.context.is_some()) {
        return Err(CommandError::Usage(
            "--kubeconfig and --context need a build with the `collect` feature (kube-rs)"
                .to_string(),
        ));
    }
    let options = garrison_server::admission::Options {
        listen: args.listen,
        metrics_listen: args.metrics_listen,
        tls: garrison_server::tls::TlsFiles {
            cert: args.tls_cert,
            key: args.tls_key,
            client_ca: args.client_ca,
        },
        config: args.config,
        namespaces: args.namespaces,
        policies: args.policies,
        reload_interval: Duration::from_millis(args.reload_interval_ms),
        request_timeout: Duration::from_millis(args.request_timeout_ms),
        limits: args.limits.limits(),
    };
    #[cfg(feature = "collect")]
    let served = match kube {
        Some(config) => {
            garrison_server::admission::run_blocking_watching_namespaces(options, config)
        }
        None => garrison_server::admission::run_blocking(options),
    };
    #[cfg(not(feature = "collect"))]
    let served = garrison_server::admission::run_blocking(options);
    served.map_err(|error| CommandError::Usage(error.to_string()))?;
    Ok(ExitCode::SUCCESS)
}
