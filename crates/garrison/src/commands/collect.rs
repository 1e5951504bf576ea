//! `garrison collect`: snapshot a live EKS cluster through the AWS and Kubernetes APIs.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::CommandError;

#[derive(Debug, Args)]
pub struct CollectArgs {
    /// Name of the EKS cluster.
    #[arg(long)]
    cluster: String,
    /// AWS region (default: the AWS_REGION / profile region chain).
    #[arg(long)]
    region: Option<String>,
    /// AWS shared-config profile.
    #[arg(long)]
    profile: Option<String>,
    /// Directory to write the snapshot into.
    #[arg(long, default_value = "garrison-snapshot")]
    out: PathBuf,
    /// Kubeconfig file (default: KUBECONFIG, ~/.kube/config, or in-cluster).
    #[arg(long)]
    kubeconfig: Option<PathBuf>,
    /// Kubeconfig context (default: the current context).
    #[arg(long)]
    context: Option<String>,
    /// Collect only the AWS documents.
    #[arg(long, conflicts_with = "kube_only")]
    aws_only: bool,
    /// Collect only the Kubernetes objects.
    #[arg(long)]
    kube_only: bool,
    /// Also read each node's kubelet configuration through the API server's node proxy
    /// (/api/v1/nodes/<node>/proxy/configz). Needs `get` on `nodes/proxy`, a sensitive
    /// permission (CIS 4.1.10): grant it to the collecting identity only for the collection.
    #[arg(long)]
    with_node_config: bool,
    /// Send AWS calls to this endpoint instead of AWS's (an AWS-compatible service).
    #[arg(long)]
    endpoint_url: Option<String>,
    /// Calls in flight at once.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=64))]
    concurrency: u16,
    /// Objects per page of a Kubernetes list.
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u32).range(1..))]
    page_size: u32,
}

pub fn run(args: CollectArgs) -> Result<ExitCode, CommandError> {
    let mut options = garrison_collect::Options::new(args.cluster, args.out);
    options.region = args.region;
    options.profile = args.profile;
    options.endpoint_url = args.endpoint_url;
    options.kubeconfig = args.kubeconfig;
    options.context = args.context;
    options.aws = !args.kube_only;
    options.kube = !args.aws_only;
    options.node_config = args.with_node_config;
    options.concurrency = usize::from(args.concurrency);
    options.page_size = args.page_size;
    options.progress = std::io::stderr().is_terminal();
    let summary = garrison_collect::collect(&options).map_err(CommandError::Collect)?;
    eprintln!(
        "wrote {} files to {} ({} calls, {} failed; see manifest.json)",
        summary.files,
        summary.out.display(),
        summary.calls,
        summary.failed
    );
    Ok(ExitCode::SUCCESS)
}
