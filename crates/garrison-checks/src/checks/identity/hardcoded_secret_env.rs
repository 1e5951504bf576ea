use garrison_core::{Level, Object, SeedControl, Severity, Workload};

use crate::checks::lazy_containers;
use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// Reports environment variables whose name says they hold a secret (`PASSWORD`, `PASSWD`,
    /// `SECRET`, `TOKEN`, `API_KEY`, `APIKEY`, `PRIVATE_KEY`, `CREDENTIALS`) and whose value is
    /// written literally in the manifest. Names ending in `_FILE`, `_PATH`, `_DIR` or `_URL`
    /// (which point to a secret rather than hold it) and empty values are left alone; AWS access
    /// keys are EKS-IAM-012's.
    ///
    /// ## Why it matters
    /// A literal value is in the Git repository, in every rendered Helm release stored in the
    /// cluster, in `kubectl get -o yaml` output for everyone who can read the workload (a far
    /// larger group than those who can read Secrets) and in the audit log.
    ///
    /// ## How to fix
    /// Move the value into a Secret (or AWS Secrets Manager through the Secrets Store CSI driver
    /// or External Secrets), mount it as a file, rotate the exposed value, and remove it from the
    /// repository's history.
    ///
    /// ## References
    /// - CIS Amazon EKS Benchmark 4.4.2: consider external secret storage
    /// - EKS Best Practices Guide, Data Encryption and Secrets Management
    pub static META = CheckMeta {
        id: "EKS-ENC-012",
        name: "hardcoded-secret-in-environment",
        title: "Secret value written literally into an environment variable",
        severity: Severity::High,
        level: Level::Application,
        control: SeedControl::Encryption,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Move the value into a Secret mounted as a file and rotate it.",
    };
}

const SECRET_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "SECRET",
    "TOKEN",
    "API_KEY",
    "APIKEY",
    "PRIVATE_KEY",
    "CREDENTIALS",
];

const REFERENCE_SUFFIXES: &[&str] = &["_FILE", "_PATH", "_DIR", "_URL"];

const AWS_VARIABLES: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
];

/// Bytes equal ignoring ASCII case, `-` standing for `_`.
fn same(a: u8, b: u8) -> bool {
    let fold = |byte: u8| {
        if byte == b'-' {
            b'_'
        } else {
            byte.to_ascii_uppercase()
        }
    };
    fold(a) == fold(b)
}

fn contains(name: &str, word: &str) -> bool {
    name.as_bytes()
        .windows(word.len())
        .any(|window| window.iter().zip(word.bytes()).all(|(a, b)| same(*a, b)))
}

fn ends_with(name: &str, suffix: &str) -> bool {
    name.len() >= suffix.len() && contains(&name[name.len() - suffix.len()..], suffix)
}

/// Whether a variable's name says it holds a secret; no allocation, as it runs for every
/// variable with a literal value.
fn names_a_secret(name: &str) -> bool {
    SECRET_WORDS.iter().any(|word| contains(name, word))
        && !REFERENCE_SUFFIXES
            .iter()
            .any(|suffix| ends_with(name, suffix))
        && !AWS_VARIABLES
            .iter()
            .any(|variable| name.len() == variable.len() && contains(name, variable))
}

pub fn evaluate(_: &Context<'_>, workload: &Workload, _: &Object) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    for container in lazy_containers(workload) {
        for (index, variable) in container.env.iter().enumerate() {
            let literal = variable.value.as_deref().is_some_and(|value| {
                let value = value.trim();
                // `$(OTHER)` only refers to another variable.
                let reference = value.starts_with("$(") && value.ends_with(')');
                !value.is_empty() && !reference
            });
            if literal && names_a_secret(&variable.name) {
                outcomes.push(Outcome::fail(
                    container.field(workload, &format!("env/{index}/value")),
                    format!(
                        "{} sets ${} to a value written in the manifest",
                        container.describe(),
                        variable.name
                    ),
                ));
            }
        }
    }
    outcomes
}

#[cfg(test)]
mod tests {
    use super::names_a_secret;

    #[test]
    fn recognises_secret_names() {
        assert!(names_a_secret("DB_PASSWORD"));
        assert!(names_a_secret("github-token"));
        assert!(names_a_secret("STRIPE_API_KEY"));
        assert!(!names_a_secret("DB_PASSWORD_FILE"));
        assert!(!names_a_secret("AWS_SECRET_ACCESS_KEY"));
        assert!(!names_a_secret("LOG_LEVEL"));
    }
}
