//! `garrison checks`: the catalogue, one check's documentation, the generated docs.

use std::path::Path;
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use garrison_checks::{CHECKS, docs, find_check};
use garrison_core::CheckMeta;

use super::CommandError;

#[derive(Debug, Args)]
pub struct ChecksArgs {
    #[command(subcommand)]
    action: Option<Action>,
    /// Output format of the catalogue.
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    format: ListFormat,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ListFormat {
    Table,
    Json,
}

#[derive(Debug, Subcommand)]
enum Action {
    /// Print a check's documentation: what it does, why it matters, how to fix, references.
    Explain {
        /// Check id (EKS-PSS-003) or name (privileged-container).
        id: String,
    },
    /// Write docs/checks/<id>.md and an index into DIR; with --check, only verify they are current.
    Docs {
        dir: String,
        /// Fail (exit 1) if a file is missing or differs, instead of writing.
        #[arg(long)]
        check: bool,
    },
}

fn metas() -> Vec<&'static CheckMeta> {
    let mut metas: Vec<&CheckMeta> = CHECKS.iter().map(|check| check.meta).collect();
    metas.sort_by(|a, b| a.id.cmp(b.id));
    metas
}

pub fn run(args: ChecksArgs) -> Result<ExitCode, CommandError> {
    match args.action {
        None => {
            print!("{}", list(args.format));
            Ok(ExitCode::SUCCESS)
        }
        Some(Action::Explain { id }) => {
            let check = find_check(&id).ok_or_else(|| {
                CommandError::Usage(format!(
                    "no check with id or name {id:?}; `garrison checks` lists them"
                ))
            })?;
            print!("{}", docs::markdown(check.meta));
            Ok(ExitCode::SUCCESS)
        }
        Some(Action::Docs { dir, check }) => generate_docs(Path::new(&dir), check),
    }
}

fn list(format: ListFormat) -> String {
    let metas = metas();
    match format {
        ListFormat::Json => {
            let mut text = serde_json::to_string_pretty(&metas).unwrap_or_default();
            text.push('\n');
            text
        }
        ListFormat::Table => {
            let mut text = format!(
                "{:<15} {:<9} {:<15} {:<32} {:<6} {}\n",
                "ID", "SEVERITY", "LEVEL", "SEED CONTROL", "CIS", "TITLE"
            );
            for meta in &metas {
                text.push_str(&format!(
                    "{:<15} {:<9} {:<15} {:<32} {:<6} {}\n",
                    meta.id,
                    meta.severity,
                    meta.level,
                    meta.control,
                    meta.cis.unwrap_or("-"),
                    meta.title
                ));
            }
            text.push_str(&format!("{} checks\n", metas.len()));
            text
        }
    }
}

/// The generated documentation: file name → contents.
pub fn generated_docs() -> Vec<(String, String)> {
    let metas = metas();
    let mut files: Vec<(String, String)> = metas
        .iter()
        .map(|meta| (format!("{}.md", meta.id), docs::markdown(meta)))
        .collect();
    files.push(("README.md".to_string(), docs::index(&metas)));
    files
}

fn generate_docs(dir: &Path, check: bool) -> Result<ExitCode, CommandError> {
    write_generated_docs(dir, check, &generated_docs(), &DocsKind::CHECKS)
}

/// What a set of generated docs documents, for its messages.
pub struct DocsKind {
    /// Plural noun of the messages: "check" docs, "audit detector" docs.
    pub noun: &'static str,
    /// What one file documents, for a file without one.
    pub item: &'static str,
    /// The garrison subcommand that writes them.
    pub command: &'static str,
}

impl DocsKind {
    const CHECKS: DocsKind = DocsKind {
        noun: "check",
        item: "check",
        command: "checks docs",
    };
}

/// Writes `files` into `dir` (replacing its `.md` files), or with `check` reports those that
/// differ from what is there and exits 1 when any does.
pub fn write_generated_docs(
    dir: &Path,
    check: bool,
    files: &[(String, String)],
    kind: &DocsKind,
) -> Result<ExitCode, CommandError> {
    if check {
        let mut stale = Vec::new();
        for (name, contents) in files {
            let path = dir.join(name);
            if std::fs::read_to_string(&path).ok().as_deref() != Some(contents.as_str()) {
                stale.push(path.display().to_string());
            }
        }
        let expected: Vec<&str> = files.iter().map(|(name, _)| name.as_str()).collect();
        if let Ok(entries) = std::fs::read_dir(dir) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.ends_with(".md") && !expected.contains(&name.as_str()) {
                    stale.push(format!(
                        "{} (no such {})",
                        entry.path().display(),
                        kind.item
                    ));
                }
            }
        }
        if stale.is_empty() {
            println!("{} {} docs are current", files.len(), kind.noun);
            return Ok(ExitCode::SUCCESS);
        }
        eprintln!(
            "{} docs are stale; run `garrison {} {}`:",
            kind.noun,
            kind.command,
            dir.display()
        );
        for path in stale {
            eprintln!("  {path}");
        }
        return Ok(ExitCode::from(1));
    }
    std::fs::create_dir_all(dir).map_err(|source| CommandError::Write {
        path: dir.display().to_string(),
        source,
    })?;
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            if entry
                .path()
                .extension()
                .is_some_and(|extension| extension == "md")
            {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
    for (name, contents) in files {
        let path = dir.join(name);
        std::fs::write(&path, contents).map_err(|source| CommandError::Write {
            path: path.display().to_string(),
            source,
        })?;
    }
    println!("wrote {} files to {}", files.len(), dir.display());
    Ok(ExitCode::SUCCESS)
}
