//! `garrison collect`: writes a cluster snapshot from the live APIs, in exactly the layout that
//! `garrison scan` reads (`garrison_core::Snapshot` and the loader's `k8s/` directory).
//!
//! Every call is recorded in `manifest.json`; a call that fails (access denied, not found, not
//! supported by the endpoint) is recorded with its error and never ends the collection, so that
//! the checks which need its document report UNKNOWN with the reason instead of PASS.

pub mod aws;
pub mod discovery;
pub mod kubernetes;
mod progress;
mod recorder;

use std::path::PathBuf;

pub use progress::Progress;
pub use recorder::{Recorder, Summary, safe_file_name};

/// Errors that end a collection. A failed API call is not one of them: it goes to the manifest.
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot load the Kubernetes client configuration: {0}")]
    KubeConfig(String),
    #[error("no AWS region: pass --region or set AWS_REGION or a region in the AWS profile")]
    NoRegion,
    #[error("Kubernetes API: {0}")]
    Api(String),
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
}

/// What to collect and where to write it.
#[derive(Clone, Debug)]
pub struct Options {
    pub cluster: String,
    pub region: Option<String>,
    pub profile: Option<String>,
    pub endpoint_url: Option<String>,
    pub out: PathBuf,
    pub kubeconfig: Option<PathBuf>,
    pub context: Option<String>,
    pub aws: bool,
    pub kube: bool,
    pub node_config: bool,
    /// How many calls run at once.
    pub concurrency: usize,
    /// Items per page of a Kubernetes list.
    pub page_size: u32,
    /// Draw a progress bar when standard error is a terminal.
    pub progress: bool,
}

impl Options {
    pub fn new(cluster: impl Into<String>, out: impl Into<PathBuf>) -> Options {
        Options {
            cluster: cluster.into(),
            region: None,
            profile: None,
            endpoint_url: None,
            out: out.into(),
            kubeconfig: None,
            context: None,
            aws: true,
            kube: true,
            node_config: false,
            concurrency: 8,
            page_size: 500,
            progress: false,
        }
    }
}

/// Collects the snapshot `options` describe, building the AWS and Kubernetes clients from the
/// environment (default credential chain, kubeconfig).
pub fn collect(options: &Options) -> Result<Summary, CollectError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(CollectError::Runtime)?;
    runtime.block_on(async {
        let progress = Progress::new(options.progress);
        let recorder = Recorder::new(&options.out, progress)?;
        let mut region = None;
        let mut cluster_arn = None;
        // Kubernetes first: the IAM roles its ServiceAccounts name (IRSA) are read on the AWS side.
        let mut collected = kubernetes::Collected::default();
        if options.kube {
            match kubernetes::client(options).await {
                Ok(client) => collected = kubernetes::collect(&client, options, &recorder).await,
                Err(error) => recorder.fail("k8s:Connect", "k8s/", &error.to_string()),
            }
        }
        if options.aws {
            let config = aws::load_config(options).await?;
            region = config.region().map(|region| region.to_string());
            cluster_arn = aws::collect_with(&config, options, &recorder, &collected).await;
        }
        recorder.finish(&options.cluster, cluster_arn.as_deref(), region.as_deref())
    })
}
