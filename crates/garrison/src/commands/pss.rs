//! `garrison pss`: judge manifests against a Pod Security Standards level, as the PodSecurity
//! admission plugin of the API server would: Pods as it enforces them, workloads through their
//! pod template as it warns about them.

use std::process::ExitCode;

use clap::{Args, ValueEnum};
use garrison_checks::pss::{
    Admission, ObjectVerdict, PssLevel, PssPolicy, PssVersion, evaluate_object,
};
use garrison_core::{Diagnostic, DiagnosticLevel, LoadOptions, Object, load_paths};
use serde_json::{Value, json};

use super::CommandError;

#[derive(Debug, Args)]
pub struct PssArgs {
    /// Manifest files, directories (recursive), or `-` for stdin.
    #[arg(required = true)]
    paths: Vec<String>,
    /// Pod Security Standards level to judge against.
    #[arg(long, default_value = "restricted", value_parser = parse_level)]
    level: PssLevel,
    /// Policy version: v1.N or latest (the newest policy version).
    #[arg(long, default_value = "latest", value_parser = parse_version)]
    version: PssVersion,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = PssFormat::Table)]
    format: PssFormat,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum PssFormat {
    Table,
    Json,
}

/// Privileged is a level too, but judging against it allows everything, so it is not offered.
fn parse_level(text: &str) -> Result<PssLevel, String> {
    match text.parse::<PssLevel>() {
        Ok(PssLevel::Privileged) | Err(_) => Err(format!(
            "{text:?} is not a level to judge against: expected baseline or restricted"
        )),
        Ok(level) => Ok(level),
    }
}

fn parse_version(text: &str) -> Result<PssVersion, String> {
    text.parse::<PssVersion>()
        .map_err(|error| error.to_string())
}

/// One evaluated object.
struct Judged<'a> {
    object: &'a Object,
    verdict: ObjectVerdict,
}

pub fn run(args: PssArgs) -> Result<ExitCode, CommandError> {
    let policy = PssPolicy {
        level: args.level,
        version: args.version,
    };
    let options = LoadOptions {
        // Nothing here reads a CustomResourceDefinition's schema.
        identity_only_kinds: vec!["CustomResourceDefinition".to_string()],
        ..LoadOptions::default()
    };
    let loaded = load_paths(&args.paths, &options);
    let mut diagnostics: Vec<Diagnostic> = loaded.diagnostics;
    let mut judged: Vec<Judged<'_>> = Vec::new();
    for object in &loaded.objects {
        match evaluate_object(policy.level, policy.version, object) {
            None => {}
            Some(Ok(verdict)) => judged.push(Judged { object, verdict }),
            Some(Err(error)) => diagnostics.push(Diagnostic::error(
                object.origin.file.name.clone(),
                Some(object.origin.line_of(&error.pointer)),
                format!(
                    "{} {}: cannot read {}: {}",
                    object.kind, object.name, error.pointer, error.message
                ),
            )),
        }
    }
    for diagnostic in &diagnostics {
        eprintln!("{diagnostic}");
    }

    let text = match args.format {
        PssFormat::Json => json_report(&judged, policy),
        PssFormat::Table => table_report(&judged, policy),
    };
    print!("{text}");

    if diagnostics
        .iter()
        .any(|diagnostic| diagnostic.level == DiagnosticLevel::Error)
    {
        return Ok(ExitCode::from(2));
    }
    Ok(if judged.iter().all(|j| j.verdict.allowed()) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// An array of one object per evaluated object. Keys are written in a fixed, documented order
/// (serde_json's `Value` would sort them).
fn json_report(judged: &[Judged<'_>], policy: PssPolicy) -> String {
    let policy_text = policy.to_string();
    let mut text = String::from("[");
    for (index, Judged { object, verdict }) in judged.iter().enumerate() {
        let reasons: Vec<&str> = verdict.forbidden.iter().map(|f| f.reason).collect();
        let fields: [(&str, Value); 9] = [
            ("source", json!(object.origin.file.name)),
            ("line", json!(object.origin.line)),
            ("kind", json!(object.kind)),
            ("namespace", json!(object.namespace)),
            ("name", json!(object.name)),
            ("policy", json!(policy_text)),
            ("allowed", json!(verdict.allowed())),
            ("reasons", json!(reasons)),
            ("message", json!(verdict.message(policy))),
        ];
        text.push_str(if index == 0 { "\n  {" } else { ",\n  {" });
        for (field, (key, value)) in fields.iter().enumerate() {
            let separator = if field == 0 { "" } else { "," };
            let value = serde_json::to_string(value).unwrap_or_default();
            text.push_str(&format!("{separator}\n    {key:?}: {value}"));
        }
        text.push_str("\n  }");
    }
    text.push_str(if judged.is_empty() { "]\n" } else { "\n]\n" });
    text
}

fn table_report(judged: &[Judged<'_>], policy: PssPolicy) -> String {
    let mut text = String::new();
    let mut violating = 0;
    for Judged { object, verdict } in judged {
        let location = format!("{}:{}", object.origin.file.name, object.origin.line);
        let identity = match &object.namespace {
            Some(namespace) => format!("{} {namespace}/{}", object.kind, object.name),
            None => format!("{} {}", object.kind, object.name),
        };
        let status = match (verdict.allowed(), verdict.admission) {
            (true, _) => "allowed",
            (false, Admission::Enforced) => "denied",
            (false, Admission::Warned) => "pods denied",
        };
        text.push_str(&format!("{location}  {identity}  {status}\n"));
        if let Some(message) = verdict.message(policy) {
            violating += 1;
            text.push_str(&format!("  {message}\n"));
        }
    }
    let objects = if judged.len() == 1 {
        "object"
    } else {
        "objects"
    };
    text.push_str(&format!(
        "garrison pss: {} {objects} judged against {policy}: {} allowed, {violating} violate\n",
        judged.len(),
        judged.len() - violating
    ));
    text
}
