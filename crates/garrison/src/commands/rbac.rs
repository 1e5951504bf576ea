//! `garrison rbac who-can` and `garrison rbac can-i`: RBAC evaluated as the API server evaluates
//! it, over manifests or a cluster snapshot, with aggregated ClusterRoles resolved and EKS access
//! entries (their Kubernetes groups and access policies) joined in.

use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use garrison_authz::rbac::{Authorizer, Grant, Request, Scope, UserInfo, Via};
use garrison_core::loader::load_snapshot_files;
use garrison_core::{Diagnostic, DiagnosticLevel, LoadOptions, Loaded, load_paths};
use serde_json::json;

use super::CommandError;
use crate::demo;

#[derive(Debug, Args)]
pub struct RbacArgs {
    #[command(subcommand)]
    command: RbacCommand,
}

#[derive(Debug, Subcommand)]
enum RbacCommand {
    /// List everyone who may make a request: the subjects of the bindings that allow it (a
    /// group's members by EKS access entry after it) and the EKS access entries whose access
    /// policies allow it.
    WhoCan(WhoCanArgs),
    /// Answer whether one user may make a request, and through which binding and rule.
    /// Exit code 0 for yes, 1 for no, 2 for an error.
    CanI(CanIArgs),
}

#[derive(Debug, Args)]
struct RequestArgs {
    /// The verb: get, list, watch, create, update, patch, delete, deletecollection, or another
    /// one RBAC knows (bind, escalate, impersonate, approve, use, `*`).
    verb: String,
    /// RESOURCE[.GROUP][/SUBRESOURCE] (`pods`, `deployments.apps`, `pods/exec`), or a
    /// non-resource URL starting with `/` (`/metrics`).
    resource: String,
    /// Manifest files, directories (recursive), cluster snapshot directories, or `-` for stdin.
    paths: Vec<String>,
    /// Use the demo EKS cluster snapshot compiled into garrison.
    #[arg(long, conflicts_with = "paths")]
    demo: bool,
    /// The namespace of the request; without it, the request is cluster-wide (a cluster-scoped
    /// resource, or all namespaces), which only ClusterRoleBindings allow.
    #[arg(long, short = 'n', value_name = "NAMESPACE")]
    namespace: Option<String>,
    /// The API group of the resource ("" for the core group), instead of RESOURCE.GROUP.
    #[arg(long, value_name = "GROUP")]
    api_group: Option<String>,
    /// The name of the object, for rules limited by resourceNames.
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = RbacFormat::Table)]
    format: RbacFormat,
}

#[derive(Debug, Args)]
struct WhoCanArgs {
    #[command(flatten)]
    request: RequestArgs,
    /// Ask about every namespace: RoleBindings of every namespace count, each in its own.
    #[arg(long, short = 'A', conflicts_with = "namespace")]
    all_namespaces: bool,
}

#[derive(Debug, Args)]
struct CanIArgs {
    #[command(flatten)]
    request: RequestArgs,
    /// The user to ask for: a username, `system:serviceaccount:NAMESPACE:NAME`, or the IAM
    /// principal ARN or session ARN of an EKS access entry.
    #[arg(long = "as", value_name = "USER", required = true)]
    user: String,
    /// A group of the user (repeatable). As with `kubectl --as`, a service account without
    /// groups gets its service-account groups, and every user but `system:anonymous` gets
    /// `system:authenticated`.
    #[arg(long = "as-group", value_name = "GROUP")]
    groups: Vec<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum RbacFormat {
    Table,
    Json,
}

pub fn run(args: RbacArgs) -> Result<ExitCode, CommandError> {
    match args.command {
        RbacCommand::WhoCan(args) => who_can(args),
        RbacCommand::CanI(args) => can_i(args),
    }
}

/// The request the arguments describe.
fn request(args: &RequestArgs, scope: Option<Scope>) -> Result<Request, CommandError> {
    let usage = |message: &str| Err(CommandError::Usage(message.to_string()));
    if args.resource.starts_with('/') {
        if args.namespace.is_some() || args.api_group.is_some() || args.name.is_some() {
            return usage(
                "a non-resource URL has no namespace, API group or name: drop -n, --api-group and --name",
            );
        }
        return Ok(Request::non_resource(&args.verb, &args.resource));
    }
    let (resource, subresource) = match args.resource.split_once('/') {
        Some((resource, subresource)) => (resource, Some(subresource)),
        None => (args.resource.as_str(), None),
    };
    let (resource, group) = match (resource.split_once('.'), &args.api_group) {
        (Some(_), Some(_)) => {
            return usage("give the API group once: RESOURCE.GROUP or --api-group, not both");
        }
        (Some((resource, group)), None) => (resource, group),
        (None, group) => (resource, group.as_deref().unwrap_or("")),
    };
    if resource.is_empty() || subresource.is_some_and(str::is_empty) {
        return usage(
            "expected RESOURCE[.GROUP][/SUBRESOURCE], such as pods, deployments.apps or pods/exec",
        );
    }
    let combined = match subresource {
        Some(subresource) => format!("{resource}/{subresource}"),
        None => resource.to_string(),
    };
    let mut request = Request::resource(&args.verb, group, &combined);
    request = match (scope, &args.namespace) {
        (Some(scope), _) => request.with_scope(scope),
        (None, Some(namespace)) => request.in_namespace(namespace.clone()),
        (None, None) => request,
    };
    if let Some(name) = &args.name {
        request = request.named(name.clone());
    }
    Ok(request)
}

/// Loads the inputs and indexes their RBAC objects and access entries. Problems are printed;
/// `Err` when an input cannot be read at all.
fn load(args: &RequestArgs) -> Result<Authorizer, CommandError> {
    if !args.demo && args.paths.is_empty() {
        return Err(CommandError::Usage(
            "nothing to read: give files, directories, a snapshot, `-` for stdin, or --demo"
                .to_string(),
        ));
    }
    let loaded: Loaded = if args.demo {
        load_snapshot_files("demo-snapshot", demo::files())
    } else {
        let options = LoadOptions {
            // Nothing here reads a CustomResourceDefinition's schema.
            identity_only_kinds: vec!["CustomResourceDefinition".to_string()],
            ..LoadOptions::default()
        };
        load_paths(&args.paths, &options)
    };
    let mut diagnostics: Vec<Diagnostic> = loaded.diagnostics.clone();
    let (authorizer, rbac_diagnostics) =
        Authorizer::from_objects(&loaded.objects, loaded.snapshot.as_ref());
    diagnostics.extend(rbac_diagnostics);
    for diagnostic in &diagnostics {
        eprintln!("{diagnostic}");
    }
    let nothing_read = loaded.objects.is_empty()
        && diagnostics
            .iter()
            .any(|d| d.level == DiagnosticLevel::Error);
    if !loaded.unreadable_inputs.is_empty() || nothing_read {
        return Err(CommandError::Usage(format!(
            "cannot evaluate RBAC: {}",
            if loaded.unreadable_inputs.is_empty() {
                "no object could be read".to_string()
            } else {
                format!("cannot read {}", loaded.unreadable_inputs.join(", "))
            }
        )));
    }
    Ok(authorizer)
}

fn who_can(args: WhoCanArgs) -> Result<ExitCode, CommandError> {
    let scope = args.all_namespaces.then_some(Scope::AnyNamespace);
    let request = request(&args.request, scope)?;
    let authorizer = load(&args.request)?;
    let grants = authorizer.who_can(&request);
    let text = match args.request.format {
        RbacFormat::Json => {
            let value = json!({"request": request, "grants": grants});
            format!(
                "{}\n",
                serde_json::to_string_pretty(&value).unwrap_or_default()
            )
        }
        RbacFormat::Table => who_can_table(&request, &grants),
    };
    print!("{text}");
    Ok(ExitCode::SUCCESS)
}

/// One subject per line, in the order bindings name them, with the grants under it.
fn who_can_table(request: &Request, grants: &[Grant]) -> String {
    let mut subjects: Vec<(String, Vec<String>)> = Vec::new();
    for grant in grants {
        let subject = grant.subject.to_string();
        let line = grant_line(grant);
        match subjects
            .iter_mut()
            .find(|(existing, _)| *existing == subject)
        {
            Some((_, lines)) => lines.push(line),
            None => subjects.push((subject, vec![line])),
        }
    }
    let mut text = String::new();
    for (subject, lines) in &subjects {
        text.push_str(subject);
        text.push('\n');
        for line in lines {
            text.push_str("  ");
            text.push_str(line);
            text.push('\n');
        }
    }
    let noun = if subjects.len() == 1 {
        "subject"
    } else {
        "subjects"
    };
    text.push_str(&format!(
        "garrison rbac who-can: {} {noun} may {request}\n",
        subjects.len()
    ));
    text
}

/// "RoleBinding ns/name → ClusterRole edit (rules[0])", or for an access policy, which is its
/// own role, "access policy … of EKS access entry … (rules[0])".
fn grant_line(grant: &Grant) -> String {
    let rule = grant.rule.describe(&grant.role);
    match &grant.binding {
        Via::AccessPolicy { .. } => format!("{} ({rule})", grant.binding),
        _ => format!("{} → {} ({rule})", grant.binding, grant.role),
    }
}

fn can_i(args: CanIArgs) -> Result<ExitCode, CommandError> {
    let request = request(&args.request, None)?;
    let authorizer = load(&args.request)?;
    let user = UserInfo::impersonated(&args.user, &args.groups);
    let grant = authorizer.can_i(&user, &request);
    let text = match args.request.format {
        RbacFormat::Json => {
            let value = json!({
                "allowed": grant.is_some(),
                "user": {"name": user.name, "groups": user.groups},
                "request": request,
                "grant": grant,
            });
            format!(
                "{}\n",
                serde_json::to_string_pretty(&value).unwrap_or_default()
            )
        }
        RbacFormat::Table => match &grant {
            Some(grant) => format!("yes\n  as {}: {}\n", grant.subject, grant_line(grant)),
            None => {
                let mut groups = user.groups.clone();
                let mut entries = Vec::new();
                for entry in authorizer.access_entries_of_user(&user.name) {
                    entries.push(entry.principal_arn.clone());
                    groups.extend(entry.kubernetes_groups.iter().cloned());
                }
                let entries = if entries.is_empty() {
                    String::new()
                } else {
                    format!("; EKS access entry {}", entries.join(", "))
                };
                format!(
                    "no\n  nothing allows {} (groups: {}{entries}) to {request}\n",
                    user.name,
                    groups.join(", ")
                )
            }
        },
    };
    print!("{text}");
    Ok(if grant.is_some() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
