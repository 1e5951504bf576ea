//! Cedar admission policies (`--policies DIR`): `*.cedar` files validated strictly against
//! garrison's one Kubernetes schema (its `k8s::admission` part), re-read when the directory
//! changes. A set that fails to load leaves the last good set in force.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use arc_swap::ArcSwap;
use garrison_cedar::admission::{AdmissionEngine, AdmissionRequest};
use garrison_cedar::schema::{Schema, schema};
use garrison_cedar::{Policies, PolicyError, UserInfo};
use serde_json::Value;

use super::pod_security::NamespaceMap;
use super::review::{Operation, Request, Status, Verdict};

#[derive(Debug, thiserror::Error)]
pub enum CedarError {
    #[error(transparent)]
    Policies(#[from] PolicyError),
    #[error("{0}")]
    Setup(String),
}

type Fingerprint = Vec<(String, u64, Option<SystemTime>)>;

fn fingerprint(path: &Path) -> Fingerprint {
    let mut files: Fingerprint = if path.is_dir() {
        std::fs::read_dir(path)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|entry| entry.path().extension().is_some_and(|e| e == "cedar"))
            .filter_map(|entry| {
                // Through symlinks: a ConfigMap volume updates a file by swapping the `..data`
                // link its `*.cedar` links point through, never touching those links themselves.
                let metadata = std::fs::metadata(entry.path()).ok()?;
                Some((
                    entry.file_name().to_string_lossy().to_string(),
                    metadata.len(),
                    metadata.modified().ok(),
                ))
            })
            .collect()
    } else {
        std::fs::metadata(path)
            .ok()
            .map(|metadata| {
                (
                    path.display().to_string(),
                    metadata.len(),
                    metadata.modified().ok(),
                )
            })
            .into_iter()
            .collect()
    };
    files.sort();
    files
}

#[derive(Debug)]
pub struct CedarRules {
    engine: AdmissionEngine,
    schema: Schema,
    path: PathBuf,
    policies: ArcSwap<Policies>,
    fingerprint: std::sync::Mutex<Fingerprint>,
}

impl CedarRules {
    /// Loads the policies of `path` (a directory of `*.cedar` files, or one file).
    pub fn load(path: PathBuf) -> Result<CedarRules, CedarError> {
        let schema = schema().map_err(|error| CedarError::Setup(error.to_string()))?;
        let engine =
            AdmissionEngine::new().map_err(|error| CedarError::Setup(error.to_string()))?;
        let print = fingerprint(&path);
        let policies = Policies::load(&path, &schema)?;
        crate::authorize::warn_about(&policies);
        Ok(CedarRules {
            engine,
            schema,
            path,
            policies: ArcSwap::from_pointee(policies),
            fingerprint: std::sync::Mutex::new(print),
        })
    }

    pub fn len(&self) -> usize {
        self.policies.load().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Re-reads the policies if their files changed: `Some(Ok(count))` after a reload,
    /// `Some(Err)` when the new set was refused (the previous one stays), `None` otherwise.
    pub fn reload_if_changed(&self) -> Option<Result<usize, PolicyError>> {
        let current = fingerprint(&self.path);
        {
            let mut last = self.fingerprint.lock().ok()?;
            if *last == current {
                return None;
            }
            *last = current;
        }
        Some(Policies::load(&self.path, &self.schema).map(|policies| {
            let count = policies.len();
            crate::authorize::warn_about(&policies);
            self.policies.store(Arc::new(policies));
            count
        }))
    }

    /// A denial when a forbid matches; `None` when the policies admit the request. `object` is
    /// the request's object, read once for all the rules that need it.
    pub fn validate(
        &self,
        request: &Request,
        namespaces: &NamespaceMap,
        object: Option<&Value>,
    ) -> Option<Verdict> {
        // The object judged: the new one, or for a delete the one going away.
        let old: Option<Value> = match request.operation {
            Operation::Delete => request
                .old_object
                .as_deref()
                .and_then(|raw| serde_json::from_str(raw.get()).ok()),
            _ => None,
        };
        let object = match request.operation {
            Operation::Delete => old.as_ref(),
            _ => object,
        };
        let input = AdmissionRequest {
            user: UserInfo {
                name: request.user_info.username.clone(),
                uid: (!request.user_info.uid.is_empty()).then(|| request.user_info.uid.clone()),
                groups: request.user_info.groups.clone(),
                extra: request.user_info.extra.clone(),
            },
            operation: request.operation.as_str(),
            api_group: &request.resource.group,
            api_version: &request.resource.version,
            kind: &request.kind.kind,
            resource: &request.resource.resource,
            subresource: &request.sub_resource,
            name: &request.name,
            namespace: &request.namespace,
            object,
            namespace_labels: namespaces.get(&request.namespace).map(|info| &info.labels),
            dry_run: request.dry_run.unwrap_or(false),
        };
        let policies = self.policies.load();
        let answer = self.engine.decide(&policies, &input);
        answer
            .denied
            .then(|| Verdict::deny(Status::new(403, "Forbidden", answer.reason)))
    }
}
