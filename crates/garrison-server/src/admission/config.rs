//! The admission webhook's configuration file (`--config`): YAML or JSON, one or more documents,
//! each recognised by its kind:
//!
//! - `PodSecurityConfiguration` (`pod-security.admission.config.k8s.io/v1`, also `v1beta1`): the
//!   PodSecurity plugin's defaults and exemptions, in the very shape the API server reads;
//! - `AdmissionConfiguration` (`apiserver.config.k8s.io/v1`): the API server's file, from which
//!   the `PodSecurity` plugin's embedded configuration is taken;
//! - `ImagePolicy` (`garrison.dev/v1alpha1`): image rules, `allowedRegistries` (the patterns of
//!   `garrison.toml`'s `[images] allowed-registries`; private ECR is always allowed once the list
//!   is given) and `requireDigest`.
//!
//! Everything is validated at start; a problem names the file and line.

use std::path::Path;

use garrison_checks::pss::{PssLevel, PssPolicy, PssVersion};
use garrison_core::config::RegistryPattern;
use garrison_core::loader::load_text;
use garrison_core::{LoadOptions, Loaded, Object, load_paths};
use serde::Deserialize;
use serde_json::Value;

use super::images::ImageRules;
use super::pod_security::{Exemptions, NamespacePolicy, PodSecurity};

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

/// Everything `--config` sets.
#[derive(Debug, Default)]
pub struct AdmissionConfig {
    pub pod_security: PodSecurity,
    pub images: ImageRules,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDefaults {
    enforce: Option<String>,
    #[serde(rename = "enforce-version")]
    enforce_version: Option<String>,
    audit: Option<String>,
    #[serde(rename = "audit-version")]
    audit_version: Option<String>,
    warn: Option<String>,
    #[serde(rename = "warn-version")]
    warn_version: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawPodSecurity {
    #[serde(default)]
    api_version: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    defaults: RawDefaults,
    #[serde(default)]
    exemptions: Exemptions,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawImagePolicy {
    api_version: String,
    kind: String,
    #[serde(default)]
    metadata: Option<Value>,
    #[serde(default)]
    allowed_registries: Vec<String>,
    #[serde(default)]
    require_digest: bool,
}

fn where_(object: &Object) -> String {
    format!("{}:{}", object.origin.file.name, object.origin.line)
}

fn policy(
    level: Option<&String>,
    version: Option<&String>,
    field: &str,
    place: &str,
) -> Result<PssPolicy, ConfigError> {
    let level = match level {
        None => PssLevel::Privileged,
        Some(text) => text
            .parse::<PssLevel>()
            .map_err(|error| ConfigError(format!("{place}: defaults.{field}: {error}")))?,
    };
    let version = match version {
        None => PssVersion::LATEST,
        Some(text) => text
            .parse::<PssVersion>()
            .map_err(|error| ConfigError(format!("{place}: defaults.{field}-version: {error}")))?,
    };
    Ok(PssPolicy { level, version })
}

fn pod_security(value: &Value, place: &str) -> Result<PodSecurity, ConfigError> {
    let raw: RawPodSecurity = serde_path_to_error::deserialize(value)
        .map_err(|error| ConfigError(format!("{place}: {error}")))?;
    if let Some(kind) = &raw.kind
        && kind != "PodSecurityConfiguration"
    {
        return Err(ConfigError(format!(
            "{place}: expected kind PodSecurityConfiguration, got {kind}"
        )));
    }
    if let Some(api_version) = &raw.api_version
        && !api_version.starts_with("pod-security.admission.config.k8s.io/")
    {
        return Err(ConfigError(format!(
            "{place}: unknown apiVersion {api_version} for PodSecurityConfiguration"
        )));
    }
    let d = &raw.defaults;
    Ok(PodSecurity {
        defaults: NamespacePolicy {
            enforce: policy(
                d.enforce.as_ref(),
                d.enforce_version.as_ref(),
                "enforce",
                place,
            )?,
            audit: policy(d.audit.as_ref(), d.audit_version.as_ref(), "audit", place)?,
            warn: policy(d.warn.as_ref(), d.warn_version.as_ref(), "warn", place)?,
        },
        exemptions: raw.exemptions,
    })
}

impl AdmissionConfig {
    /// Reads and validates `path`.
    pub fn load(path: &Path) -> Result<AdmissionConfig, ConfigError> {
        let loaded = load_paths(&[path.display().to_string()], &LoadOptions::default());
        if let Some(input) = loaded.unreadable_inputs.first() {
            return Err(ConfigError(format!("cannot read {input}")));
        }
        AdmissionConfig::from_loaded(&loaded)
    }

    /// Validates `text` as if read from a file called `name` (YAML or JSON by its extension).
    pub fn parse(name: &str, text: &str) -> Result<AdmissionConfig, ConfigError> {
        AdmissionConfig::from_loaded(&load_text(name, text))
    }

    fn from_loaded(loaded: &Loaded) -> Result<AdmissionConfig, ConfigError> {
        if let Some(problem) = loaded.diagnostics.first() {
            return Err(ConfigError(problem.to_string()));
        }
        let mut config = AdmissionConfig::default();
        let mut pod_security_seen = false;
        for object in &loaded.objects {
            let place = where_(object);
            match object.kind.as_str() {
                "PodSecurityConfiguration" => {
                    if pod_security_seen {
                        return Err(ConfigError(format!(
                            "{place}: a second PodSecurity configuration"
                        )));
                    }
                    pod_security_seen = true;
                    config.pod_security = pod_security(&object.value, &place)?;
                }
                "AdmissionConfiguration" => {
                    let plugins = object
                        .value
                        .get("plugins")
                        .and_then(Value::as_array)
                        .cloned()
                        .unwrap_or_default();
                    for plugin in plugins {
                        if plugin.get("name").and_then(Value::as_str) != Some("PodSecurity") {
                            continue;
                        }
                        let Some(embedded) = plugin.get("configuration") else {
                            return Err(ConfigError(format!(
                                "{place}: the PodSecurity plugin has no embedded configuration (a `path` to another file is not followed)"
                            )));
                        };
                        if pod_security_seen {
                            return Err(ConfigError(format!(
                                "{place}: a second PodSecurity configuration"
                            )));
                        }
                        pod_security_seen = true;
                        config.pod_security = pod_security(embedded, &place)?;
                    }
                }
                "ImagePolicy" => {
                    let raw: RawImagePolicy = serde_path_to_error::deserialize(&object.value)
                        .map_err(|error| ConfigError(format!("{place}: {error}")))?;
                    if raw.api_version != "garrison.dev/v1alpha1" {
                        return Err(ConfigError(format!(
                            "{place}: ImagePolicy has apiVersion garrison.dev/v1alpha1, not {}",
                            raw.api_version
                        )));
                    }
                    let _ = (raw.kind, raw.metadata);
                    let mut registries = Vec::new();
                    if !raw.allowed_registries.is_empty() {
                        for pattern in garrison_core::config::DEFAULT_ALLOWED_REGISTRIES
                            .iter()
                            .map(|p| p.to_string())
                            .chain(raw.allowed_registries)
                        {
                            registries.push(RegistryPattern::new(&pattern).map_err(|error| {
                                ConfigError(format!(
                                    "{place}: bad registry pattern {pattern:?}: {error}"
                                ))
                            })?);
                        }
                    }
                    config.images = ImageRules {
                        allowed_registries: registries,
                        require_digest: raw.require_digest,
                    };
                }
                other => {
                    return Err(ConfigError(format!(
                        "{place}: unknown kind {other:?}: expected PodSecurityConfiguration, AdmissionConfiguration or ImagePolicy"
                    )));
                }
            }
        }
        Ok(config)
    }
}
