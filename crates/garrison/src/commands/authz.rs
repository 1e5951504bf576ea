//! `garrison authz`: Cedar authorization for Kubernetes. `check` decides one request offline,
//! `convert-rbac` turns RBAC objects into Cedar policies, `replay` runs audit logs through a
//! policy set, `serve` is the SubjectAccessReview webhook, `schema` prints the Cedar schema.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use garrison_authz::rbac::Authorizer;
use garrison_cedar::audit::AuditLog;
use garrison_cedar::generate::{ClusterApi, generate};
use garrison_cedar::request::{ResourceRequest, Target, UserInfo};
use garrison_cedar::schema::{SCHEMA_TEXT, schema};
use garrison_cedar::{AccessRequest, Bypass, Decision, Engine, Policies};
use garrison_core::{DiagnosticLevel, LoadOptions, load_paths};
use serde_json::json;

use super::CommandError;

#[derive(Debug, Args)]
pub struct AuthzArgs {
    #[command(subcommand)]
    command: AuthzCommand,
}

#[derive(Debug, Subcommand)]
enum AuthzCommand {
    /// Decide one request offline, from flags or a SubjectAccessReview JSON file: allow (a
    /// permit matched), deny (a forbid matched) or no-opinion (left to the next authorizer).
    Check(CheckArgs),
    /// Convert Roles, ClusterRoles and their bindings to Cedar policies with exactly RBAC's
    /// semantics, annotated with their source objects. Prints the policies.
    ConvertRbac(ConvertArgs),
    /// Run audit logs (audit.k8s.io/v1 events, JSON lines or EventList) through a policy set
    /// and report what it would have denied, allowed or left to RBAC.
    Replay(ReplayArgs),
    /// Serve SubjectAccessReview v1 over TLS on POST /authorize: the authorization webhook.
    Serve(ServeArgs),
    /// Print the Cedar schema that policies are validated against; with --snapshot (or --live,
    /// --kubeconfig, --context), the schema of that cluster: the shipped one plus an entity type
    /// for every kind admission can see, generated from its discovery and OpenAPI documents.
    Schema(SchemaArgs),
}

#[derive(Debug, Args)]
struct SchemaArgs {
    /// A snapshot directory with `k8s/discovery/*.json` (`kubectl get --raw /apis/GROUP/VERSION`)
    /// and `k8s/openapi/v3/*.json` (`kubectl get --raw /openapi/v3/apis/GROUP/VERSION`).
    #[arg(long, value_name = "DIR", conflicts_with_all = ["live", "kubeconfig", "context"])]
    snapshot: Option<PathBuf>,
    /// Read the documents from the API server (`/api`, `/apis`, each group version, `/openapi/v3`
    /// and each group version's document): in-cluster, or the current kubeconfig context.
    #[arg(long)]
    live: bool,
    /// Kubeconfig file of the cluster to read live (implies --live).
    #[arg(long, value_name = "FILE")]
    kubeconfig: Option<PathBuf>,
    /// Kubeconfig context of the cluster to read live (implies --live).
    #[arg(long, value_name = "NAME")]
    context: Option<String>,
    /// `cedar` (the schema syntax) or `json` (Cedar's JSON schema format).
    #[arg(long, short = 'f', value_enum, default_value_t = SchemaFormat::Cedar)]
    format: SchemaFormat,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum SchemaFormat {
    Cedar,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    Table,
    Json,
}

/// Identities the policies never judge (their requests get no opinion): configuration for the
/// cluster's own components, so that no policy can lock them out.
#[derive(Debug, Args)]
struct BypassArgs {
    /// A user whose requests bypass the policies (repeatable).
    #[arg(long = "bypass-user", value_name = "USER")]
    bypass_users: Vec<String>,
    /// A group whose members' requests bypass the policies (repeatable), e.g. system:masters.
    #[arg(long = "bypass-group", value_name = "GROUP")]
    bypass_groups: Vec<String>,
}

impl BypassArgs {
    fn bypass(&self) -> Bypass {
        Bypass {
            users: self.bypass_users.iter().cloned().collect::<HashSet<_>>(),
            groups: self.bypass_groups.iter().cloned().collect::<HashSet<_>>(),
        }
    }
}

#[derive(Debug, Args)]
struct CheckArgs {
    /// A directory of *.cedar files, or one file.
    #[arg(long, value_name = "PATH")]
    policies: PathBuf,
    /// A SubjectAccessReview (authorization.k8s.io/v1) JSON file, or `-` for stdin, instead of
    /// the request flags.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["user", "verb"])]
    sar: Option<String>,
    /// The username.
    #[arg(long, value_name = "USER")]
    user: Option<String>,
    /// The user's UID.
    #[arg(long, value_name = "UID")]
    uid: Option<String>,
    /// A group of the user (repeatable).
    #[arg(long = "group", value_name = "GROUP")]
    groups: Vec<String>,
    /// An extra value of the user, KEY=VALUE (repeatable).
    #[arg(long = "extra", value_name = "KEY=VALUE")]
    extra: Vec<String>,
    /// The verb.
    #[arg(long, value_name = "VERB")]
    verb: Option<String>,
    /// The resource (plural, as in RBAC rules).
    #[arg(long, value_name = "RESOURCE", conflicts_with = "non_resource_url")]
    resource: Option<String>,
    #[arg(long, value_name = "SUBRESOURCE")]
    subresource: Option<String>,
    /// The API group ("" or omitted for the core group).
    #[arg(long, value_name = "GROUP")]
    api_group: Option<String>,
    #[arg(long, value_name = "VERSION", default_value = "v1")]
    api_version: String,
    #[arg(long, short = 'n', value_name = "NAMESPACE")]
    namespace: Option<String>,
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
    /// A non-resource URL (`/healthz`) instead of a resource.
    #[arg(long, value_name = "PATH")]
    non_resource_url: Option<String>,
    #[command(flatten)]
    bypass: BypassArgs,
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Table)]
    format: Format,
}

#[derive(Debug, Args)]
struct ConvertArgs {
    /// Manifest files or directories with Roles, ClusterRoles, RoleBindings and
    /// ClusterRoleBindings.
    #[arg(required = true)]
    paths: Vec<String>,
}

#[derive(Debug, Args)]
struct ReplayArgs {
    /// A directory of *.cedar files, or one file.
    #[arg(long, value_name = "PATH")]
    policies: PathBuf,
    /// Audit log files.
    #[arg(required = true, value_name = "AUDIT_LOG")]
    logs: Vec<PathBuf>,
    #[command(flatten)]
    bypass: BypassArgs,
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Table)]
    format: Format,
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// Address of the webhook's TLS listener.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:10288")]
    listen: String,
    /// Address of the plain-HTTP listener for /metrics, /healthz and /readyz.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:10289")]
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
    /// A directory of *.cedar files, watched for changes.
    #[arg(long, value_name = "DIR")]
    policies: PathBuf,
    /// How often the policy directory and the certificate are checked for changes, in
    /// milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 1000)]
    reload_interval_ms: u64,
    #[command(flatten)]
    bypass: BypassArgs,
    #[command(flatten)]
    limits: super::admission::LimitArgs,
}

pub fn run(args: AuthzArgs) -> Result<ExitCode, CommandError> {
    match args.command {
        AuthzCommand::Check(args) => check(args),
        AuthzCommand::ConvertRbac(args) => convert_rbac(args),
        AuthzCommand::Replay(args) => replay(args),
        AuthzCommand::Serve(args) => serve(args),
        AuthzCommand::Schema(args) => print_schema(args),
    }
}

fn print_schema(args: SchemaArgs) -> Result<ExitCode, CommandError> {
    let live = args.live || args.kubeconfig.is_some() || args.context.is_some();
    let api = match &args.snapshot {
        Some(dir) => ClusterApi::from_snapshot(dir).map_err(failure)?,
        None if live => live_api(&args)?,
        None => {
            if let SchemaFormat::Cedar = args.format {
                print!("{SCHEMA_TEXT}");
                return Ok(ExitCode::SUCCESS);
            }
            ClusterApi::default()
        }
    };
    let generated = generate(&api).map_err(failure)?;
    for warning in &generated.warnings {
        eprintln!("warning: {warning}");
    }
    match args.format {
        SchemaFormat::Cedar => print!("{}", generated.text),
        SchemaFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&generated.json).map_err(failure)?
        ),
    }
    if args.snapshot.is_some() || live {
        eprintln!(
            "{} admission entity types from {} resources",
            generated.entity_types.len(),
            api.resources.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The API of the cluster `args` names, read live.
#[cfg(feature = "collect")]
fn live_api(args: &SchemaArgs) -> Result<ClusterApi, CommandError> {
    let documents = garrison_collect::discovery::api_documents_blocking(
        args.kubeconfig.as_deref(),
        args.context.as_deref(),
    )
    .map_err(CommandError::Collect)?;
    ClusterApi::from_documents(&documents.discovery, &documents.openapi).map_err(failure)
}

#[cfg(not(feature = "collect"))]
fn live_api(_: &SchemaArgs) -> Result<ClusterApi, CommandError> {
    Err(CommandError::Usage(
        "reading a cluster live needs a build with the `collect` feature (kube-rs); use --snapshot"
            .to_string(),
    ))
}

fn failure(error: impl std::fmt::Display) -> CommandError {
    CommandError::Usage(error.to_string())
}

fn load_policies(path: &Path) -> Result<Policies, CommandError> {
    let schema = schema().map_err(failure)?;
    let policies = Policies::load(path, &schema).map_err(failure)?;
    for warning in policies.warnings() {
        eprintln!("warning: {warning}");
    }
    Ok(policies)
}

fn check_request(args: &CheckArgs) -> Result<AccessRequest, CommandError> {
    if let Some(file) = &args.sar {
        let text = if file == "-" {
            std::io::read_to_string(std::io::stdin())
        } else {
            std::fs::read_to_string(file)
        }
        .map_err(|error| failure(format!("cannot read {file}: {error}")))?;
        return AccessRequest::from_sar_json(&text)
            .map_err(|error| failure(format!("{file}: {error}")));
    }
    let user = args
        .user
        .clone()
        .ok_or_else(|| failure("give --user (or --sar FILE)"))?;
    let verb = args
        .verb
        .clone()
        .ok_or_else(|| failure("give --verb (or --sar FILE)"))?;
    let mut extra: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for pair in &args.extra {
        let (key, value) = pair
            .split_once('=')
            .ok_or_else(|| failure(format!("--extra {pair:?}: expected KEY=VALUE")))?;
        extra
            .entry(key.to_string())
            .or_default()
            .push(value.to_string());
    }
    let target = match (&args.non_resource_url, &args.resource) {
        (Some(path), _) => Target::NonResource { path: path.clone() },
        (None, Some(resource)) => Target::Resource(ResourceRequest {
            api_group: args.api_group.clone().unwrap_or_default(),
            version: args.api_version.clone(),
            resource: resource.clone(),
            subresource: args.subresource.clone().unwrap_or_default(),
            name: args.name.clone().unwrap_or_default(),
            namespace: args.namespace.clone().unwrap_or_default(),
            label_selector: None,
            field_selector: None,
        }),
        (None, None) => return Err(failure("give --resource or --non-resource-url")),
    };
    Ok(AccessRequest {
        user: UserInfo {
            name: user,
            uid: args.uid.clone(),
            groups: args.groups.clone(),
            extra,
        },
        verb,
        target,
    })
}

fn check(args: CheckArgs) -> Result<ExitCode, CommandError> {
    let request = check_request(&args)?;
    let policies = load_policies(&args.policies)?;
    let engine = Engine::new(args.bypass.bypass()).map_err(failure)?;
    let answer = engine.decide(&policies, &request);
    match args.format {
        Format::Json => println!(
            "{}",
            json!({
                "decision": answer.decision.as_str(),
                "policies": answer.policies,
                "reason": answer.reason,
            })
        ),
        Format::Table => println!("{}: {}", answer.decision.as_str(), answer.reason),
    }
    Ok(ExitCode::SUCCESS)
}

fn convert_rbac(args: ConvertArgs) -> Result<ExitCode, CommandError> {
    let loaded = load_paths(&args.paths, &LoadOptions::default());
    let mut failed = false;
    for diagnostic in &loaded.diagnostics {
        eprintln!("{diagnostic}");
        failed |= diagnostic.level == DiagnosticLevel::Error;
    }
    let (authorizer, diagnostics) = Authorizer::from_objects(&loaded.objects, None);
    for diagnostic in &diagnostics {
        eprintln!("{diagnostic}");
        failed |= diagnostic.level == DiagnosticLevel::Error;
    }
    let engine = Engine::new(Bypass::default()).map_err(failure)?;
    let converted = garrison_cedar::convert::convert(&authorizer, engine.types());
    for warning in &converted.warnings {
        eprintln!("warning: {warning}");
    }
    // The output must load where it will be used.
    let schema = schema().map_err(failure)?;
    Policies::from_sources(
        &[("converted.cedar".to_string(), converted.text.clone())],
        &schema,
    )
    .map_err(|error| failure(format!("the converted policies do not validate: {error}")))?;
    print!("{}", converted.text);
    eprintln!(
        "{} policies from {} bindings",
        converted.policies,
        authorizer.bindings().len()
    );
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn replay(args: ReplayArgs) -> Result<ExitCode, CommandError> {
    let policies = load_policies(&args.policies)?;
    let engine = Engine::new(args.bypass.bypass()).map_err(failure)?;
    let mut log = AuditLog::default();
    let mut seen = HashSet::new();
    for file in &args.logs {
        let text = std::fs::read_to_string(file)
            .map_err(|error| failure(format!("cannot read {}: {error}", file.display())))?;
        log.read(&file.display().to_string(), &text, &mut seen);
    }
    for problem in &log.problems {
        eprintln!("warning: {problem}");
    }
    let summary = garrison_cedar::replay::replay(&engine, &policies, &log.requests);
    match args.format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&summary).map_err(failure)?
        ),
        Format::Table => {
            println!(
                "{} requests: {} denied ({} of them allowed by the cluster), {} allowed, {} left to RBAC",
                summary.requests,
                summary.deny,
                summary.newly_denied,
                summary.allow,
                summary.no_opinion
            );
            if log.problems.is_empty() {
                println!();
            } else {
                println!("{} events could not be read\n", log.problems.len());
            }
            println!(
                "{:<10} {:>6}  {:<40} {:<16} RESOURCE",
                "DECISION", "COUNT", "USER", "VERB"
            );
            for row in &summary.rows {
                println!(
                    "{:<10} {:>6}  {:<40} {:<16} {}",
                    row.decision.as_str(),
                    row.count,
                    row.user,
                    row.verb,
                    row.resource
                );
                if row.decision != Decision::NoOpinion {
                    for example in &row.examples {
                        println!(
                            "           e.g. {} ({}): {}",
                            example.request, example.location, example.reason
                        );
                    }
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn serve(args: ServeArgs) -> Result<ExitCode, CommandError> {
    let options = garrison_server::authorize::Options {
        listen: args.listen,
        metrics_listen: args.metrics_listen,
        tls: garrison_server::tls::TlsFiles {
            cert: args.tls_cert,
            key: args.tls_key,
            client_ca: args.client_ca,
        },
        policies: args.policies,
        reload_interval: std::time::Duration::from_millis(args.reload_interval_ms),
        bypass: args.bypass.bypass(),
        limits: args.limits.limits(),
    };
    garrison_server::authorize::run_blocking(options).map_err(failure)?;
    Ok(ExitCode::SUCCESS)
}
