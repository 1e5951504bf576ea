//! User-defined detection rules: a TOML file of rules, each a CEL expression over the audit
//! event, loaded at run time (`garrison audit scan --rules FILE`).
//!
//! ```toml
//! [[rule]]
//! id = "EKS-USER-001"                 # EKS-<AREA>-<n>, like garrison's own ids
//! title = "Exec into a production pod"
//! severity = "high"                   # critical, high, medium, low or info
//! verbs = ["create", "get"]           # optional: only these verbs are evaluated
//! resources = ["pods"]                # optional: only these objectRef.resource values
//! condition = '''
//! event.stage == "ResponseStarted"
//!   && event.objectRef.subresource == "exec"
//!   && event.objectRef.namespace.startsWith("prod-")
//! '''
//! remediation = "Use the break-glass role."   # optional
//! ```
//!
//! `event` is the whole audit event as the API server wrote it (`requestObject` included),
//! as a CEL map: read optional fields through `has(event.objectRef.subresource)` first, since a
//! missing key is an evaluation error. A rule fires when its condition is `true`; an evaluation
//! error or a non-boolean result counts as no match and is counted in [`UserRule::errors`].
//! CEL (the Common Expression Language) is what Kubernetes itself uses for
//! ValidatingAdmissionPolicy and CRD validation rules, so operators already know it.

use std::cell::Cell;
use std::path::Path;

use garrison_core::{CheckMeta, Level, SeedControl, Severity};
use serde::Deserialize;

/// A rule file that could not be loaded: the file, the line, what is wrong.
#[derive(Debug, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct RuleError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    #[serde(default)]
    rule: Vec<toml::Spanned<RuleText>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleText {
    id: toml::Spanned<String>,
    title: String,
    severity: toml::Spanned<String>,
    condition: toml::Spanned<String>,
    #[serde(default)]
    verbs: Vec<String>,
    #[serde(default)]
    resources: Vec<String>,
    #[serde(default)]
    remediation: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

/// One loaded rule.
pub struct UserRule {
    /// Its metadata, with the lifetime findings need; rules are loaded once per process.
    pub meta: &'static CheckMeta,
    verbs: Vec<String>,
    resources: Vec<String>,
    program: cel::Program,
    /// Evaluations that ended in an error or a non-boolean value.
    pub errors: Cell<u64>,
    /// The first such error, for the user to see.
    pub first_error: std::cell::RefCell<Option<String>>,
}

impl std::fmt::Debug for UserRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserRule")
            .field("id", &self.meta.id)
            .field("verbs", &self.verbs)
            .field("resources", &self.resources)
            .finish_non_exhaustive()
    }
}

/// The ids findings must have (the scan schema's `checkId` pattern).
fn valid_id(id: &str) -> bool {
    let Some(rest) = id.strip_prefix("EKS-") else {
        return false;
    };
    let Some((area, number)) = rest.split_once('-') else {
        return false;
    };
    !area.is_empty()
        && area.bytes().all(|b| b.is_ascii_uppercase())
        && number
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        && number
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'.' || b == b'+')
}

fn leak(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

/// The 1-based line of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())]
        .bytes()
        .filter(|b| *b == b'\n')
        .count()
        + 1
}

/// Parses a rule file's text; `file` names it in errors.
pub fn parse_rules(file: &str, text: &str) -> Result<Vec<UserRule>, RuleError> {
    let error = |offset: usize, message: String| RuleError {
        file: file.to_string(),
        line: line_of(text, offset),
        message,
    };
    let parsed: RuleFile = toml::from_str(text).map_err(|e| {
        let offset = e.span().map_or(0, |span| span.start);
        error(offset, e.message().to_string())
    })?;
    let mut rules = Vec::new();
    let mut ids = std::collections::HashSet::new();
    for spanned in parsed.rule {
        let start = spanned.span().start;
        let rule = spanned.into_inner();
        let id = rule.id.get_ref().clone();
        if !valid_id(&id) {
            return Err(error(
                rule.id.span().start,
                format!("rule id {id:?} is not of the form EKS-<AREA>-<n> (e.g. EKS-USER-001)"),
            ));
        }
        if crate::find_detector(&id).is_some() || !ids.insert(id.clone()) {
            return Err(error(
                rule.id.span().start,
                format!("rule id {id} is already taken"),
            ));
        }
        let severity = Severity::parse(rule.severity.get_ref()).ok_or_else(|| {
            error(
                rule.severity.span().start,
                format!(
                    "severity {:?} is not one of critical, high, medium, low, info",
                    rule.severity.get_ref()
                ),
            )
        })?;
        let condition = rule.condition.get_ref();
        let program = cel::Program::compile(condition).map_err(|errors| {
            // CEL positions are within the expression; the line is the condition's first one
            // plus the expression's own line.
            let (line_in_expression, message) = errors
                .errors
                .first()
                .map(|e| (usize::try_from(e.pos.0).unwrap_or(0), e.msg.clone()))
                .unwrap_or((0, errors.to_string()));
            let mut located = error(rule.condition.span().start, String::new());
            // A multi-line string starts on the line after its opening quotes.
            if text[rule.condition.span().start..].starts_with("'''")
                || text[rule.condition.span().start..].starts_with("\"\"\"")
            {
                located.line += 1;
            }
            located.line += line_in_expression.saturating_sub(1);
            located.message = format!("condition of {id} is not valid CEL: {message}");
            located
        })?;
        let title = rule.title;
        let doc = format!(
            "User-defined rule from {file}.\n\n## What it does\n\n{}\n\nCondition (CEL): `{}`\n\n## Why it matters\n\nDefined by the operator.\n\n## How to fix\n\n{}\n\n## References\n\n- {file}, line {}\n",
            rule.description.as_deref().unwrap_or(&title),
            condition.trim(),
            rule.remediation
                .as_deref()
                .unwrap_or("See the rule's author."),
            line_of(text, start)
        );
        let meta = Box::leak(Box::new(CheckMeta {
            id: leak(id.clone()),
            name: leak(id.to_ascii_lowercase()),
            title: leak(title),
            severity,
            level: Level::Cluster,
            control: SeedControl::AuditLoggingAndMonitoring,
            cis: None,
            security_hub: None,
            pss: None,
            remediation: leak(rule.remediation.unwrap_or_default()),
            doc: leak(doc),
        }));
        rules.push(UserRule {
            meta,
            verbs: rule.verbs,
            resources: rule.resources,
            program,
            errors: Cell::new(0),
            first_error: std::cell::RefCell::new(None),
        });
    }
    Ok(rules)
}

/// Reads and parses a rule file.
pub fn load_rules(path: &Path) -> Result<Vec<UserRule>, RuleError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| RuleError {
        file: name.clone(),
        line: 0,
        message: format!("cannot read: {e}"),
    })?;
    parse_rules(&name, &text)
}

impl UserRule {
    /// Whether the rule's verb and resource filters let this event through (cheap, before the
    /// event is turned into a CEL value).
    pub fn wants(&self, verb: &str, resource: &str) -> bool {
        (self.verbs.is_empty() || self.verbs.iter().any(|v| v == verb))
            && (self.resources.is_empty() || self.resources.iter().any(|r| r == resource))
    }

    /// Evaluates the condition with `event` bound.
    pub fn matches(&self, event: &cel::Value) -> bool {
        let mut context = cel::Context::default();
        context.add_variable_from_value("event", event.clone());
        match self.program.execute(&context) {
            Ok(cel::Value::Bool(matched)) => matched,
            other => {
                self.errors.set(self.errors.get() + 1);
                let mut first = self.first_error.borrow_mut();
                if first.is_none() {
                    *first = Some(match other {
                        Ok(value) => format!("the condition gave {value:?}, not a boolean"),
                        Err(error) => error.to_string(),
                    });
                }
                false
            }
        }
    }
}

/// The event's JSON as a CEL value.
pub fn event_value(raw: &str) -> Option<cel::Value> {
    let json: serde_json::Value = serde_json::from_str(raw).ok()?;
    cel::to_value(json).ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    const GOOD: &str = r#"
[[rule]]
id = "EKS-USER-001"
title = "Exec into a production pod"
severity = "high"
resources = ["pods"]
condition = '''
event.stage == "ResponseStarted"
  && event.objectRef.subresource == "exec"
  && event.objectRef.namespace.startsWith("prod-")
'''
"#;

    fn exec(namespace: &str) -> cel::Value {
        event_value(&format!(
            r#"{{"kind":"Event","stage":"ResponseStarted","verb":"create","objectRef":{{"resource":"pods","namespace":"{namespace}","name":"web","subresource":"exec"}}}}"#
        ))
        .unwrap()
    }

    #[test]
    fn a_rule_matches_what_its_condition_says() {
        let rules = parse_rules("rules.toml", GOOD).unwrap();
        assert_eq!(rules.len(), 1);
        let rule = &rules[0];
        assert_eq!(rule.meta.id, "EKS-USER-001");
        assert_eq!(rule.meta.severity, Severity::High);
        assert!(rule.wants("create", "pods"));
        assert!(!rule.wants("create", "secrets"));
        assert!(rule.matches(&exec("prod-shop")));
        assert!(!rule.matches(&exec("dev-shop")));
        assert_eq!(rule.errors.get(), 0);
        // An event without objectRef: an evaluation error, counted, and no match.
        assert!(
            !rule.matches(&event_value(r#"{"kind":"Event","stage":"ResponseStarted"}"#).unwrap())
        );
        assert_eq!(rule.errors.get(), 1);
        assert!(
            rule.first_error
                .borrow()
                .as_deref()
                .unwrap()
                .contains("objectRef")
        );
    }

    #[test]
    fn errors_name_the_file_and_line() {
        let bad_cel = GOOD.replace("subresource == \"exec\"", "subresource == == \"exec\"");
        let error = parse_rules("rules.toml", &bad_cel).unwrap_err();
        assert_eq!(error.file, "rules.toml");
        assert_eq!(error.line, 9, "{error}");
        assert!(
            error
                .to_string()
                .starts_with("rules.toml:9: condition of EKS-USER-001 is not valid CEL"),
            "{error}"
        );
        let bad_severity = GOOD.replace("\"high\"", "\"urgent\"");
        let error = parse_rules("rules.toml", &bad_severity).unwrap_err();
        assert_eq!(error.line, 5, "{error}");
        assert!(error.message.contains("urgent"));
        let bad_id = GOOD.replace("EKS-USER-001", "my rule");
        assert_eq!(parse_rules("rules.toml", &bad_id).unwrap_err().line, 3);
        let taken = GOOD.replace("EKS-USER-001", "EKS-FALCO-003");
        assert!(
            parse_rules("r", &taken)
                .unwrap_err()
                .message
                .contains("already taken")
        );
        let unknown = GOOD.replace("title =", "titel =");
        let error = parse_rules("rules.toml", &unknown).unwrap_err();
        assert!(error.message.contains("titel"), "{error}");
        assert!(parse_rules("rules.toml", "[[rule]]\nid = ").is_err());
    }
}
