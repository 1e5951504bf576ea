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
    #[serde(default)]
    images: Option<RawImages>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawImages {
    #[serde(default)]
    allowed_registries: Vec<String>,
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

/// Registries whose images are trusted: private ECR always, plus `[images] allowed-registries`.
pub const DEFAULT_ALLOWED_REGISTRIES: &[&str] = &["*.dkr.ecr.*.amazonaws.com"];

/// A registry of `[images] allowed-registries`: a glob on the registry host (`public.ecr.aws`,
/// `*.dkr.ecr.*.amazonaws.com`), or on host and repository when it has a `/`
/// (`docker.io/library/*`).
#[derive(Debug)]
pub struct RegistryPattern {
    pub pattern: String,
    matcher: GlobMatcher,
}

impl RegistryPattern {
    pub fn new(pattern: &str) -> Result<RegistryPattern, globset::Error> {
        Ok(RegistryPattern {
            pattern: pattern.to_string(),
            matcher: Glob::new(pattern)?.compile_matcher(),
        })
    }

    /// Whether an image of `repository` in `registry` (a host, with port if any) matches.
    pub fn matches(&self, registry: &str, repository: &str) -> bool {
        if self.pattern.contains('/') {
            self.matcher.is_match(format!("{registry}/{repository}"))
        } else {
            self.matcher.is_match(registry)
        }
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
    /// [`DEFAULT_ALLOWED_REGISTRIES`] and the configured ones.
    pub allowed_registries: Vec<RegistryPattern>,
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
            allowed_registries: DEFAULT_ALLOWED_REGISTRIES
                .iter()
                .filter_map(|pattern| RegistryPattern::new(pattern).ok())
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
        if let Some(images) = raw.images {
            for pattern in images.allowed_registries {
                let registry = RegistryPattern::new(&pattern).map_err(|error| {
                    parse_error(format!("bad registry pattern {pattern:?}: {error}"))
                })?;
                config.allowed_registries.push(registry);
            }
        }
        Ok(config)
    }

    /// Whether an image from `registry` (host) and `repository` comes from an allowed registry.
    pub fn is_allowed_registry(&self, registry: &str, repository: &str) -> bool {
        self.allowed_registries
            .iter()
            .any(|pattern| pattern.matches(registry, repository))
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
        assert!(config.is_allowed_registry("111122223333.dkr.ecr.eu-west-1.amazonaws.com", "a/b"));
        assert!(!config.is_allowed_registry("docker.io", "library/nginx"));
        let images = Config::parse(
            "g.toml",
            "[images]\nallowed-registries = [\"public.ecr.aws\", \"docker.io/bitnami/*\"]\n",
        )
        .unwrap();
        assert!(images.is_allowed_registry("public.ecr.aws", "eks/coredns"));
        assert!(images.is_allowed_registry("docker.io", "bitnami/redis"));
        assert!(!images.is_allowed_registry("docker.io", "library/redis"));
        let error = Config::parse("g.toml", "unknown = 1\n").unwrap_err();
        assert!(error.to_string().contains("unknown"), "{error}");
    }
}
