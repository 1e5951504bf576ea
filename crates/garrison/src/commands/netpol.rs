//! `garrison netpol`: NetworkPolicy analysis over manifests or a cluster snapshot. `list` writes
//! the allowed connections in netpol-analyzer's formats, `explain` says why one connection is
//! allowed or denied, `diff` compares two inputs, `coverage` reports what policies leave open,
//! `flows` checks VPC flow logs against the policies.

use std::fmt::Write as _;
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use garrison_core::loader::load_snapshot_files;
use garrison_core::{Inventory, LoadOptions, Loaded, Status, load_paths};
use garrison_netpol::eval::{Reason, Tier};
use garrison_netpol::output::{self, Focus, Format};
use garrison_netpol::{Analyzer, Cluster, ConnSet, Peer, Protocol};

use super::CommandError;
use crate::demo;

#[derive(Debug, Args)]
pub struct NetpolArgs {
    #[command(subcommand)]
    command: NetpolCommand,
}

#[derive(Debug, Subcommand)]
enum NetpolCommand {
    /// List the allowed connections between workloads and external address ranges.
    List(ListArgs),
    /// Say whether a connection is allowed, and which policies and rules decide it.
    /// Exit code 0 when allowed, 1 when denied.
    Explain(ExplainArgs),
    /// List the connections added, removed or changed between two inputs.
    Diff(DiffArgs),
    /// Report namespaces without default deny, workloads open to everyone, egress to the
    /// instance metadata service, policies selecting nothing, and whether anything enforces
    /// the policies. Exit code 1 on any failure or unknown.
    Coverage(CoverageArgs),
    /// Check VPC flow logs against the policies: accepted flows between workloads the policies
    /// deny, pod traffic to the instance metadata service, top talkers, the communication
    /// graph, and addresses inside the VPC that nothing in the snapshot has. Exit code 1 when
    /// denied flows or metadata traffic were seen.
    Flows(FlowsArgs),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FlowsFormat {
    Txt,
    Json,
    Dot,
    Html,
}

#[derive(Debug, Args)]
struct FlowsArgs {
    /// The cluster snapshot (or manifests) with the policies, pods, nodes and Services.
    #[arg(long, value_name = "DIR", required_unless_present = "demo")]
    snapshot: Vec<String>,
    /// Use the demo EKS cluster snapshot compiled into garrison.
    #[arg(long, conflicts_with = "snapshot")]
    demo: bool,
    /// Flow-log files or directories as delivered to S3 (header line first, plain or gzip),
    /// CloudWatch Logs exports (`aws logs filter-log-events` JSON, or an export's text lines),
    /// or `-` for standard input.
    #[arg(required = true, value_name = "FLOWLOG")]
    logs: Vec<String>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = FlowsFormat::Txt)]
    format: FlowsFormat,
    /// The record format of inputs without a header line (CloudWatch Logs), as the flow log's
    /// LogFormat: `'${version} ${srcaddr} ...'` or bare field names. Default: the default format.
    #[arg(long, value_name = "FIELDS")]
    log_format: Option<String>,
    /// How many top talkers and unattributed addresses to list (txt and html).
    #[arg(long, default_value_t = 10)]
    top: usize,
}

#[derive(Debug, Args)]
struct InputArgs {
    /// Manifest files, directories (recursive), cluster snapshot directories, or `-` for stdin.
    paths: Vec<String>,
    /// Use the demo EKS cluster snapshot compiled into garrison.
    #[arg(long, conflicts_with = "paths")]
    demo: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ListFormat {
    Txt,
    Json,
    Csv,
    Md,
    Dot,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FocusDirection {
    Ingress,
    Egress,
}

#[derive(Debug, Args)]
struct ListArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Only connections from or to these workloads (`name` or `namespace/name`; repeatable;
    /// `ingress-controller` for the ingress controller).
    #[arg(long, value_name = "WORKLOAD")]
    focus_workload: Vec<String>,
    /// With --focus-workload: only connections whose other end is one of these workloads.
    #[arg(long, value_name = "WORKLOAD", requires = "focus_workload")]
    focus_workload_peer: Vec<String>,
    /// With --focus-workload: only its ingress or only its egress.
    #[arg(long, value_enum, requires = "focus_workload")]
    focus_direction: Option<FocusDirection>,
    /// Only connections on one port, written as pairs: `tcp-8080`, `udp-53`, `sctp-9003`.
    #[arg(long, value_name = "PROTOCOL-PORT")]
    focus_conn: Option<String>,
    /// Output format (netpol-analyzer's).
    #[arg(long, short = 'f', value_enum, default_value_t = ListFormat::Txt)]
    format: ListFormat,
    /// Also list what each workload is exposed to beyond the input's workloads: the entire
    /// cluster, namespaces and pods by the labels policy rules name, external addresses; and
    /// the workloads no policy protects (netpol-analyzer's `--exposure`).
    #[arg(long)]
    exposure: bool,
    /// Analyse each network apart (OVN-Kubernetes): the pod network, primary
    /// (Cluster)UserDefinedNetworks, secondary NetworkAttachmentDefinitions with their
    /// MultiNetworkPolicies; ends with each workload's networks (netpol-analyzer's
    /// `--multiple-networks`).
    #[arg(long, conflicts_with = "exposure")]
    multiple_networks: bool,
}

#[derive(Debug, Args)]
struct ExplainArgs {
    /// The source: a workload (`name` or `namespace/name`) or an IPv4 address.
    src: String,
    /// The destination: a workload (`name` or `namespace/name`) or an IPv4 address.
    dst: String,
    #[command(flatten)]
    input: InputArgs,
    /// A single port to ask about: `8080`, `tcp/8080`, `udp/53`, `sctp/9003`.
    #[arg(long, short = 'p', value_name = "PORT")]
    port: Option<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum DiffFormat {
    Txt,
    Csv,
    Md,
}

#[derive(Debug, Args)]
struct DiffArgs {
    /// The old input: a manifest file or directory, or a cluster snapshot.
    old: String,
    /// The new input.
    new: String,
    /// Output format (netpol-analyzer's).
    #[arg(long, short = 'f', value_enum, default_value_t = DiffFormat::Txt)]
    format: DiffFormat,
    /// Analyse each network apart (OVN-Kubernetes (Cluster)UserDefinedNetworks, secondary
    /// NetworkAttachmentDefinitions with their MultiNetworkPolicies), as `list
    /// --multiple-networks` does, and compare the union of their connections.
    #[arg(long)]
    multiple_networks: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum CoverageFormat {
    Table,
    Json,
}

#[derive(Debug, Args)]
struct CoverageArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = CoverageFormat::Table)]
    format: CoverageFormat,
    /// Also print passing results.
    #[arg(long)]
    all: bool,
}

pub fn run(args: NetpolArgs) -> Result<ExitCode, CommandError> {
    match args.command {
        NetpolCommand::List(args) => list(args),
        NetpolCommand::Explain(args) => explain(args),
        NetpolCommand::Diff(args) => diff(args),
        NetpolCommand::Coverage(args) => coverage(args),
        NetpolCommand::Flows(args) => flows(args),
    }
}

fn flows(args: FlowsArgs) -> Result<ExitCode, CommandError> {
    use garrison_netpol::flows::{self, Analysis, Attribution, Format as LogFormat};
    let format = match &args.log_format {
        Some(text) => Some(
            LogFormat::parse(text)
                .map_err(|error| CommandError::Usage(format!("--log-format: {error}")))?,
        ),
        None => None,
    };
    let inventory = load(&args.snapshot, args.demo)?;
    let cluster = Cluster::from_inventory(&inventory);
    warn(&cluster);
    let analyzer = Analyzer::new(&cluster);
    let attribution = Attribution::from_inventory(&inventory, &cluster);
    if attribution.is_empty() {
        eprintln!(
            "warning: the snapshot has no pod, node or Service addresses; every address is external or unattributed"
        );
    }
    let mut analysis = Analysis::new(&analyzer, &attribution);
    flows::read_inputs(&args.logs, format.as_ref(), &mut analysis);
    for problem in analysis.problems() {
        eprintln!("{problem}");
    }
    let report = analysis.finish();
    let shown = report.problems.len() as u64;
    if report.counts.malformed > shown {
        eprintln!(
            "... and {} more unreadable lines",
            report.counts.malformed - shown
        );
    }
    let text = match args.format {
        FlowsFormat::Txt => flows::report::write_txt(&report, args.top),
        FlowsFormat::Json => flows::report::write_json(&report),
        FlowsFormat::Dot => flows::report::write_dot(&report),
        FlowsFormat::Html => flows::report::write_html(&report, args.top),
    };
    emit_text(&text);
    Ok(if report.has_findings() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn load(paths: &[String], demo_snapshot: bool) -> Result<Inventory, CommandError> {
    let loaded: Loaded = if demo_snapshot {
        load_snapshot_files("demo", demo::files())
    } else {
        if paths.is_empty() {
            return Err(CommandError::Usage(
                "give manifest files, directories or a snapshot (or --demo)".to_string(),
            ));
        }
        load_paths(paths, &LoadOptions::default())
    };
    if !loaded.unreadable_inputs.is_empty() {
        return Err(CommandError::Usage(format!(
            "cannot read {}",
            loaded.unreadable_inputs.join(", ")
        )));
    }
    for diagnostic in &loaded.diagnostics {
        eprintln!("{diagnostic}");
    }
    Ok(Inventory::new(loaded))
}

/// Writes `text` and a newline to standard output; a closed pipe (`| head`) is not an error.
fn emit(text: &str) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{text}");
}

/// Writes `text` as it is to standard output, ignoring a closed pipe.
fn emit_text(text: &str) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
}

fn warn(cluster: &Cluster) {
    for warning in &cluster.warnings {
        eprintln!("warning: {warning}");
    }
}

fn list(args: ListArgs) -> Result<ExitCode, CommandError> {
    let inventory = load(&args.input.paths, args.input.demo)?;
    let mut cluster = Cluster::from_inventory(&inventory);
    if args.exposure {
        cluster.add_representatives();
    }
    warn(&cluster);
    let analyzer = Analyzer::new(&cluster);
    let mut connections = analyzer.connections();
    let mut nodes = analyzer.pods();
    for focus in args.focus_workload.iter().chain(&args.focus_workload_peer) {
        if focus != garrison_netpol::ingress::CONTROLLER_NAME
            && find_workloads(&cluster, focus).is_empty()
        {
            return Err(CommandError::Usage(format!(
                "no workload {focus:?} in the input"
            )));
        }
    }
    let conn = match &args.focus_conn {
        Some(text) => Some(Focus::parse_conn(text).ok_or_else(|| {
            CommandError::Usage(format!(
                "--focus-conn {text:?}: expected PROTOCOL-PORT such as tcp-8080"
            ))
        })?),
        None => None,
    };
    let focus = Focus {
        workloads: args.focus_workload.clone(),
        peers: args.focus_workload_peer.clone(),
        direction: args.focus_direction.map(|direction| match direction {
            FocusDirection::Ingress => garrison_netpol::Direction::Ingress,
            FocusDirection::Egress => garrison_netpol::Direction::Egress,
        }),
        conn,
    };
    focus.apply(&analyzer, &mut connections, &mut nodes);
    let format = match args.format {
        ListFormat::Txt => Format::Txt,
        ListFormat::Json => Format::Json,
        ListFormat::Csv => Format::Csv,
        ListFormat::Md => Format::Md,
        ListFormat::Dot => Format::Dot,
    };
    emit(&match focus.conn {
        _ if args.multiple_networks => {
            let networks = garrison_netpol::networks::Networks::of(&inventory, &cluster);
            let sections =
                garrison_netpol::networks::sections(&inventory, &cluster, &networks, &focus);
            garrison_netpol::networks::write(&cluster, &networks, &sections, format, focus.conn)
        }
        _ if args.exposure => {
            let exposure = garrison_netpol::exposure::analyze(&analyzer, &connections, &focus);
            output::write_exposure(
                &analyzer,
                &connections,
                &nodes,
                &exposure,
                format,
                focus.conn,
            )
        }
        Some(conn) => output::write_pairs(&analyzer, &connections, &nodes, format, conn),
        None => output::write(&analyzer, &connections, &nodes, format),
    });
    Ok(ExitCode::SUCCESS)
}

/// Workloads named `name` or `namespace/name`.
fn find_workloads(cluster: &Cluster, name: &str) -> Vec<usize> {
    cluster
        .pods
        .iter()
        .enumerate()
        .filter(|(_, pod)| match name.split_once('/') {
            Some((namespace, name)) => pod.namespace == namespace && pod.name == name,
            None => pod.name == name,
        })
        .map(|(index, _)| index)
        .collect()
}

fn peer(cluster: &Cluster, text: &str) -> Result<Peer, CommandError> {
    if let Ok(address) = text.parse::<std::net::Ipv4Addr>() {
        let address = u32::from(address);
        return Ok(Peer::Ip(address, address));
    }
    match find_workloads(cluster, text).as_slice() {
        [index] => Ok(Peer::Pod(*index)),
        [] => Err(CommandError::Usage(format!(
            "no workload {text:?} in the input (give `name`, `namespace/name` or an IPv4 address)"
        ))),
        many => Err(CommandError::Usage(format!(
            "{text:?} names {} workloads: {}; give `namespace/name`",
            many.len(),
            many.iter()
                .map(|index| cluster.pods[*index].display())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

fn parse_port(text: &str) -> Result<ConnSet, CommandError> {
    let (protocol, number) = match text.split_once('/') {
        Some((protocol, number)) => (
            Protocol::parse(protocol).ok_or_else(|| {
                CommandError::Usage(format!("{protocol:?} is not tcp, udp or sctp"))
            })?,
            number,
        ),
        None => (Protocol::Tcp, text),
    };
    let number: u32 = number
        .parse()
        .ok()
        .filter(|n| (1..=65535).contains(n))
        .ok_or_else(|| CommandError::Usage(format!("{number:?} is not a port number (1-65535)")))?;
    Ok(ConnSet::ports(protocol, number, number))
}

fn explain(args: ExplainArgs) -> Result<ExitCode, CommandError> {
    let inventory = load(&args.input.paths, args.input.demo)?;
    let cluster = Cluster::from_inventory(&inventory);
    warn(&cluster);
    let analyzer = Analyzer::new(&cluster);
    let src = peer(&cluster, &args.src)?;
    let dst = peer(&cluster, &args.dst)?;
    if matches!(src, Peer::Ip(..)) && matches!(dst, Peer::Ip(..)) {
        return Err(CommandError::Usage(
            "at least one of source and destination must be a workload".to_string(),
        ));
    }
    let asked = match &args.port {
        Some(port) => parse_port(port)?,
        None => ConnSet::all(),
    };
    let mut out = String::new();
    let mut reasons = Vec::new();
    let allowed = analyzer
        .allowed_explained(src, dst, Some(&mut reasons))
        .intersect(&asked);
    let name = |peer: Peer| match peer {
        Peer::Ip(low, _) => std::net::Ipv4Addr::from(low).to_string(),
        Peer::Pod(_) | Peer::Rep(_) => analyzer.display(peer),
    };
    let question = match &args.port {
        Some(port) => format!("{} => {} on {port}", name(src), name(dst)),
        None => format!("{} => {}", name(src), name(dst)),
    };
    let verdict = if allowed.is_empty() {
        "DENIED"
    } else {
        "ALLOWED"
    };
    let _ = writeln!(out, "{question}: {verdict}");
    if !allowed.is_empty() {
        let _ = writeln!(out, "allowed connections: {allowed}");
    }
    for direction in [
        garrison_netpol::Direction::Egress,
        garrison_netpol::Direction::Ingress,
    ] {
        let of_direction: Vec<&Reason> = reasons
            .iter()
            .filter(|reason| reason.direction == direction)
            .collect();
        let side = match direction {
            garrison_netpol::Direction::Egress => name(src),
            garrison_netpol::Direction::Ingress => name(dst),
        };
        if of_direction.is_empty() {
            let why = match (direction, src, dst) {
                (garrison_netpol::Direction::Egress, Peer::Ip(..), _)
                | (garrison_netpol::Direction::Ingress, _, Peer::Ip(..)) => {
                    "an external address: not subject to policies"
                }
                _ => "no policy rule applies",
            };
            let _ = writeln!(out, "{} of {side}: {why}", direction.name());
            continue;
        }
        let _ = writeln!(out, "{} of {side}:", direction.name());
        for reason in of_direction {
            let tier = match reason.tier {
                Tier::Admin => "AdminNetworkPolicy",
                Tier::NetworkPolicy => "NetworkPolicy",
                Tier::Baseline => "BaselineAdminNetworkPolicy",
                Tier::Default => "default",
            };
            let conns = reason.conns.intersect(&asked);
            if reason.tier == Tier::Default {
                let _ = writeln!(out, "  {tier}: {} ({conns})", reason.rule);
            } else if reason.conns.is_empty() {
                let _ = writeln!(out, "  {tier} {} {}", reason.policy, reason.rule);
            } else {
                let _ = writeln!(
                    out,
                    "  {tier} {} {}: {} {conns}",
                    reason.policy,
                    reason.rule,
                    reason.action.name()
                );
            }
        }
    }
    emit_text(&out);
    Ok(if allowed.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn side_of(
    path: &str,
    multiple_networks: bool,
) -> Result<garrison_netpol::diff::Side, CommandError> {
    let inventory = load(&[path.to_string()], false)?;
    let cluster = Cluster::from_inventory(&inventory);
    warn(&cluster);
    Ok(if multiple_networks {
        garrison_netpol::diff::side_of_networks(&inventory, &cluster)
    } else {
        garrison_netpol::diff::side(&Analyzer::new(&cluster))
    })
}

fn diff(args: DiffArgs) -> Result<ExitCode, CommandError> {
    let (old_rows, old_workloads) = side_of(&args.old, args.multiple_networks)?;
    let (new_rows, new_workloads) = side_of(&args.new, args.multiple_networks)?;
    let rows = garrison_netpol::diff::diff(&old_rows, &new_rows, &old_workloads, &new_workloads);
    let text = match args.format {
        DiffFormat::Txt => garrison_netpol::diff::write_txt(&rows),
        DiffFormat::Csv => garrison_netpol::diff::write_csv(&rows),
        DiffFormat::Md => garrison_netpol::diff::write_md(&rows),
    };
    emit(&text);
    Ok(ExitCode::SUCCESS)
}

fn coverage(args: CoverageArgs) -> Result<ExitCode, CommandError> {
    let inventory = load(&args.input.paths, args.input.demo)?;
    warn(&Cluster::from_inventory(&inventory));
    // The network-policy checks of `garrison scan` (EKS-NP-*): one definition of each finding.
    let checks: Vec<&garrison_checks::Check> = garrison_checks::CHECKS
        .iter()
        .filter(|check| check.meta.id.starts_with("EKS-NP-"))
        .collect();
    let findings: Vec<_> =
        garrison_checks::run_checks(&inventory, &garrison_core::Config::default(), &checks)
            .into_iter()
            .filter(|finding| finding.suppressed.is_none())
            .collect();
    let failed = findings
        .iter()
        .filter(|f| matches!(f.status, Status::Fail | Status::Unknown))
        .count();
    let shown: Vec<_> = findings
        .iter()
        .filter(|f| args.all || !matches!(f.status, Status::Pass | Status::NotApplicable))
        .collect();
    match args.format {
        CoverageFormat::Json => {
            let items: Vec<serde_json::Value> = shown
                .iter()
                .map(|f| {
                    serde_json::json!({
                        "check": f.check.id,
                        "name": f.check.name,
                        "status": f.status.as_str(),
                        "severity": f.check.severity.as_str(),
                        "object": f.object.display_name(),
                        "message": f.message,
                    })
                })
                .collect();
            emit(&serde_json::to_string_pretty(&items).unwrap_or_default());
        }
        CoverageFormat::Table => {
            let mut out = String::new();
            for f in &shown {
                let _ = writeln!(
                    out,
                    "{:<5} {}  {:<8} {}  {}",
                    f.status.as_str(),
                    f.check.id,
                    f.check.severity.as_str(),
                    f.object.display_name(),
                    f.message
                );
            }
            let _ = writeln!(
                out,
                "garrison netpol coverage: {} results, {failed} failed or unknown",
                findings.len()
            );
            emit_text(&out);
        }
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
