//! `garrison.toml`: suppressions, the EKS-managed allow-list, disabled checks, defaults.

use std::path::Path;

use globset::{Glob, GlobMatcher};
use serde::Deserialize;

use crate::finding::Severity;

/// Namespaces whose workloads EKS (or an AWS add-on) manages.
pub const EKS_MANAGED_NAMESPACES: &[&str] = &[
    "kube-system",
    "kube-node-lease",
    "kube-public",
    "amazon-guardduty",
];

/// RBAC object name prefixes that Kubernetes and EKS own: the built-in `system:` and `eks:`
/// objects, and the roles and bindings the EKS managed add-ons create (VPC CNI `aws-node`, the EBS
/// and EFS CSI drivers, the Pod Identity agent).
pub const EKS_MANAGED_RBAC_PREFIXES: &[&str] = &[
    "system:",
    "eks:",
    "aws-node",
    "ebs-csi-",
    "ebs-external-",
    "efs-csi-",
    "eks-pod-identity-agent",
];

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Parse { path: String, message: String },
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    #[serde(default)]
    fail_on: Option<String>,
    #[serde(default)]
    disabled_checks: Vec<String>,
    #[serde(default)]
    ignore: Vec<RawIgnore>,
    #[serde(default)]
    eks_managed: Option<RawManaged>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawIgnore {
    check: String,
    #[serde(default)]
    namespace: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    name: Option<String>,
    reason: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawManaged {
    #[serde(default)]
    namespaces: Option<Vec<String>>,
    #[serde(default)]
    rbac_prefixes: Option<Vec<String>>,
}

/// One `[[ignore]]` rule: a check id (or `*`) and globs on namespace, kind and name.
#[derive(Debug)]
pub struct IgnoreRule {
    pub check: String,
    namespace: Option<GlobMatcher>,
    kind: Option<GlobMatcher>,
    name: Option<GlobMatcher>,
    pub reason: String,
}

impl IgnoreRule {
    pub fn matches(&self, check: &str, namespace: Option<&str>, kind: &str, name: &str) -> bool {
        let glob_matches = |glob: &Option<GlobMatcher>, value: &str| {
            glob.as_ref().is_none_or(|glob| glob.is_match(value))
        };
        (self.check == "*" || self.check.eq_ignore_ascii_case(check))
            && glob_matches(&self.namespace, namespace.unwrap_or(""))
            && glob_matches(&self.kind, kind)
            && glob_matches(&self.name, name)
    }
}

/// The effective configuration of a scan.
#[derive(Debug)]
pub struct Config {
    pub fail_on: Option<Severity>,
    pub disabled_checks: Vec<String>,
    pub ignore: Vec<IgnoreRule>,
    pub managed_namespaces: Vec<String>,
    pub managed_rbac_prefixes: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            fail_on: None,
            disabled_checks: Vec::new(),
            ignore: Vec::new(),
            managed_namespaces: EKS_MANAGED_NAMESPACES
                .iter()
                .map(|s| s.to_string())
                .collect(),
            managed_rbac_prefixes: EKS_MANAGED_RBAC_PREFIXES
                .iter()
                .map(|s| s.to_string())
                .collect(),
        }
    }
}

impl Config {
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Config::parse(&path.display().to_string(), &text)
    }

    pub fn parse(path: &str, text: &str) -> Result<Config, ConfigError> {
        let parse_error = |message: String| ConfigError::Parse {
            path: path.to_string(),
            message,
        };
        let raw: RawConfig =
            toml::from_str(text).map_err(|error| parse_error(error.to_string()))?;
        let mut config = Config::default();
        if let Some(fail_on) = raw.fail_on {
            config.fail_on = Some(Severity::parse(&fail_on).ok_or_else(|| {
                parse_error(format!(
                    "fail-on = {fail_on:?}: expected critical, high, medium, low or info"
                ))
            })?);
        }
        config.disabled_checks = raw.disabled_checks;
        let glob = |pattern: Option<String>| -> Result<Option<GlobMatcher>, ConfigError> {
            pattern
                .map(|pattern| {
                    Glob::new(&pattern)
                        .map(|glob| glob.compile_matcher())
                        .map_err(|error| parse_error(format!("bad pattern {pattern:?}: {error}")))
                })
                .transpose()
        };
        for rule in raw.ignore {
            if rule.reason.trim().is_empty() {
                return Err(parse_error(format!(
                    "[[ignore]] for {} needs a non-empty reason",
                    rule.check
                )));
            }
            config.ignore.push(IgnoreRule {
                check: rule.check,
                namespace: glob(rule.namespace)?,
                kind: glob(rule.kind)?,
                name: glob(rule.name)?,
                reason: rule.reason,
            });
        }
        if let Some(managed) = raw.eks_managed {
            if let Some(namespaces) = managed.namespaces {
                config.managed_namespaces = namespaces;
            }
            if let Some(prefixes) = managed.rbac_prefixes {
                config.managed_rbac_prefixes = prefixes;
            }
        }
        Ok(config)
    }

    pub fn is_managed_namespace(&self, namespace: Option<&str>) -> bool {
        namespace.is_some_and(|namespace| self.managed_namespaces.iter().any(|n| n == namespace))
    }

    pub fn is_managed_rbac_name(&self, name: &str) -> bool {
        self.managed_rbac_prefixes
            .iter()
            .any(|prefix| name.starts_with(prefix.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rules_and_rejects_unknown_keys() {
        let config = Config::parse(
            "garrison.toml",
            "fail-on = \"medium\"\n[[ignore]]\ncheck = \"EKS-PSS-013\"\nnamespace = \"mon*\"\nreason = \"vendor image\"\n[eks-managed]\nnamespaces = []\n",
        )
        .unwrap();
        assert_eq!(config.fail_on, Some(Severity::Medium));
        assert!(config.ignore[0].matches("EKS-PSS-013", Some("monitoring"), "Deployment", "x"));
        assert!(!config.ignore[0].matches("EKS-PSS-013", Some("payments"), "Deployment", "x"));
        assert!(!config.is_managed_namespace(Some("kube-system")));
        let error = Config::parse("g.toml", "unknown = 1\n").unwrap_err();
        assert!(error.to_string().contains("unknown"), "{error}");
    }
}
