use garrison_core::{Level, Object, SeedControl, Severity};
use serde_json::Value;

use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// Reports ConfigMaps that contain credentials: an AWS access key id (`AKIA` or `ASIA`
    /// followed by 16 upper-case letters and digits), a PEM private key
    /// (`-----BEGIN ... PRIVATE KEY-----`), or a key named like a password, secret or token
    /// (`password`, `db-password`, `client_secret`, `api-token`) with a non-empty value.
    /// ConfigMaps the snapshot kept without values are judged by their keys only.
    ///
    /// ## Why it matters
    /// ConfigMaps are not meant for secrets: RBAC grants read access to them far more widely
    /// (the built-in `view` role reads ConfigMaps but not Secrets), they are not covered by
    /// envelope encryption settings aimed at Secrets, and their content is logged and diffed by
    /// GitOps tools.
    ///
    /// ## How to fix
    /// Move the value into a Secret (or AWS Secrets Manager) and reference it from the workload;
    /// rotate the exposed credential.
    ///
    /// ## References
    /// - Kubernetes documentation: ConfigMaps ("ConfigMap does not provide secrecy")
    /// - EKS Best Practices Guide, Data Encryption and Secrets Management
    pub static META = CheckMeta {
        id: "EKS-ENC-013",
        name: "credentials-in-config-map",
        title: "ConfigMap contains credentials",
        severity: Severity::High,
        level: Level::Application,
        control: SeedControl::Encryption,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Move the credential into a Secret and rotate it.",
    };
}

const SECRET_KEY_WORDS: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "token",
    "apikey",
    "privatekey",
];

fn key_names_a_secret(key: &str) -> bool {
    let normalized: String = key
        .chars()
        .filter(|c| !matches!(c, '-' | '_' | '.'))
        .flat_map(char::to_lowercase)
        .collect();
    SECRET_KEY_WORDS
        .iter()
        .any(|word| normalized.contains(word))
        && !["file", "path", "url", "ttl", "secs", "seconds"]
            .iter()
            .any(|suffix| normalized.ends_with(suffix))
}

/// The kind of credential `text` contains, if any.
fn credential_in(text: &str) -> Option<&'static str> {
    if text.contains("-----BEGIN") && text.contains("PRIVATE KEY-----") {
        return Some("a PEM private key");
    }
    let bytes = text.as_bytes();
    let mut start = 0;
    while let Some(offset) = text[start..].find("A") {
        let position = start + offset;
        let candidate = &bytes[position..];
        let prefixed = candidate.starts_with(b"AKIA") || candidate.starts_with(b"ASIA");
        let body_ok = candidate.len() >= 20
            && candidate[4..20]
                .iter()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        let bounded = candidate.get(20).is_none_or(|b| !b.is_ascii_alphanumeric());
        let preceded = position == 0 || !bytes[position - 1].is_ascii_alphanumeric();
        if prefixed && body_ok && bounded && preceded {
            return Some("an AWS access key id");
        }
        start = position + 1;
    }
    None
}

pub fn evaluate(_: &Context<'_>, object: &Object) -> Option<Vec<Outcome>> {
    let mut outcomes = Vec::new();
    let Some(data) = object.value.get("data").and_then(Value::as_object) else {
        return Some(outcomes);
    };
    for (key, value) in data {
        let pointer = format!("/data/{}", key.replace('~', "~0").replace('/', "~1"));
        let text = value.as_str().unwrap_or_default();
        if let Some(credential) = credential_in(text) {
            outcomes.push(Outcome::fail(
                pointer,
                format!("data.{key} contains {credential}"),
            ));
        } else if key_names_a_secret(key) && !text.trim().is_empty() {
            outcomes.push(Outcome::fail(
                pointer,
                format!("data.{key} holds a value named like a secret"),
            ));
        }
    }
    Some(outcomes)
}

#[cfg(test)]
mod tests {
    use super::{credential_in, key_names_a_secret};

    #[test]
    fn finds_credentials() {
        assert!(credential_in("aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n").is_some());
        assert!(credential_in("key: XAKIAIOSFODNN7EXAMPLE").is_none());
        assert!(credential_in("AKIA-not-a-key").is_none());
        assert!(credential_in("-----BEGIN RSA PRIVATE KEY-----\nMII").is_some());
        assert!(credential_in("-----BEGIN CERTIFICATE-----").is_none());
        assert!(key_names_a_secret("db-password"));
        assert!(!key_names_a_secret("password-file"));
        assert!(!key_names_a_secret("log-level"));
    }
}
