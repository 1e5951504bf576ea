//! Everything the checks read: the objects, their decoded workloads, indexes, the AWS snapshot.

use std::collections::{HashMap, HashSet};

use rayon::prelude::*;
use serde_json::Value;

use crate::diagnostic::Diagnostic;
use crate::loader::Loaded;
use crate::object::Object;
use crate::snapshot::Snapshot;
use crate::workload::Workload;

#[derive(Debug, Default)]
pub struct Inventory {
    pub objects: Vec<Object>,
    /// Workloads to report on: every object with a pod spec except those whose controller is in
    /// the inventory too (a ReplicaSet's Pods, a Deployment's ReplicaSets, a CronJob's Jobs), so
    /// that findings name the controller a user edits.
    pub workloads: Vec<Workload>,
    pub snapshot: Option<Snapshot>,
    /// Problems found while decoding objects (wrong field types).
    pub diagnostics: Vec<Diagnostic>,
    service_accounts: HashMap<(String, String), usize>,
    bound_service_accounts: HashSet<(String, String)>,
    namespaces: HashMap<String, usize>,
    /// Workload positions in `workloads` by (namespace, service account).
    workloads_by_account: HashMap<(String, String), Vec<usize>>,
}

impl Inventory {
    pub fn new(loaded: Loaded) -> Inventory {
        let Loaded {
            objects, snapshot, ..
        } = loaded;
        // Pod specs decoded while loading move into their workloads rather than being copied.
        let mut objects = objects;
        let pre_decoded: Vec<Option<Box<k8s_openapi::api::core::v1::PodSpec>>> = objects
            .iter_mut()
            .map(|object| object.pod_spec.take())
            .collect();
        let present: HashSet<(&str, Option<&str>, &str)> = objects
            .iter()
            .map(|object| {
                (
                    object.kind.as_str(),
                    object.namespace.as_deref(),
                    object.name.as_str(),
                )
            })
            .collect();
        let decoded: Vec<_> = objects
            .par_iter()
            .zip(pre_decoded.into_par_iter())
            .enumerate()
            .filter_map(|(index, (object, pre_decoded))| {
                let owned_by_present_controller =
                    object.controller_owner().is_some_and(|(kind, name)| {
                        present.contains(&(kind, object.namespace.as_deref(), name))
                    });
                if owned_by_present_controller {
                    return None;
                }
                match pre_decoded {
                    Some(spec) => {
                        Workload::from_decoded(index, object, *spec).map(|w| (index, Ok(w)))
                    }
                    None => Workload::decode(index, object).map(|result| (index, result)),
                }
            })
            .collect();
        let mut workloads = Vec::with_capacity(decoded.len());
        let mut diagnostics = Vec::new();
        for (index, result) in decoded {
            match result {
                Ok(workload) => workloads.push(workload),
                Err(error) => diagnostics.push(field_error_diagnostic(&objects[index], &error)),
            }
        }
        // A decoded workload's spec lives in `Workload::spec`; its JSON body would be a second,
        // larger copy. Keep only its identity and the pod metadata (labels, annotations).
        let shrink: Vec<(usize, String)> = workloads
            .iter()
            .map(|workload| (workload.object, workload.metadata_pointer()))
            .collect();
        for (index, metadata_pointer) in shrink {
            if let Some(object) = objects.get_mut(index) {
                shrink_to_identity(&mut object.value, &metadata_pointer);
            }
        }
        let mut inventory = Inventory {
            objects,
            workloads,
            snapshot,
            diagnostics,
            ..Inventory::default()
        };
        inventory.index();
        inventory
    }

    fn index(&mut self) {
        for (position, workload) in self.workloads.iter().enumerate() {
            let namespace = self.objects[workload.object]
                .namespace
                .clone()
                .unwrap_or_default();
            self.workloads_by_account
                .entry((namespace, workload.service_account().to_string()))
                .or_default()
                .push(position);
        }
        for (index, object) in self.objects.iter().enumerate() {
            match object.kind.as_str() {
                "ServiceAccount" => {
                    let namespace = object.namespace.clone().unwrap_or_default();
                    self.service_accounts
                        .insert((namespace, object.name.clone()), index);
                }
                "Namespace" => {
                    self.namespaces.insert(object.name.clone(), index);
                }
                "RoleBinding" | "ClusterRoleBinding" => {
                    let subjects = object.value.get("subjects").and_then(Value::as_array);
                    for subject in subjects.into_iter().flatten() {
                        if subject.get("kind").and_then(Value::as_str) != Some("ServiceAccount") {
                            continue;
                        }
                        let name = subject.get("name").and_then(Value::as_str).unwrap_or("");
                        let namespace = subject
                            .get("namespace")
                            .and_then(Value::as_str)
                            .or(object.namespace.as_deref())
                            .unwrap_or("");
                        self.bound_service_accounts
                            .insert((namespace.to_string(), name.to_string()));
                    }
                }
                _ => {}
            }
        }
    }

    /// The object of a workload. Its `value` holds only `apiVersion`, `kind`, `metadata` and the
    /// pod template's metadata: the pod spec is `workload.spec`.
    pub fn object(&self, workload: &Workload) -> &Object {
        &self.objects[workload.object]
    }

    pub fn service_account(&self, namespace: &str, name: &str) -> Option<&Object> {
        self.service_accounts
            .get(&(namespace.to_string(), name.to_string()))
            .map(|index| &self.objects[*index])
    }

    /// Whether any RoleBinding or ClusterRoleBinding names this service account as a subject.
    pub fn service_account_is_bound(&self, namespace: &str, name: &str) -> bool {
        self.bound_service_accounts
            .contains(&(namespace.to_string(), name.to_string()))
    }

    /// The workloads of `namespace` that run as service account `account`.
    pub fn workloads_using(
        &self,
        namespace: &str,
        account: &str,
    ) -> impl Iterator<Item = &Workload> {
        self.workloads_by_account
            .get(&(namespace.to_string(), account.to_string()))
            .into_iter()
            .flatten()
            .map(|position| &self.workloads[*position])
    }

    pub fn namespace(&self, name: &str) -> Option<&Object> {
        self.namespaces.get(name).map(|index| &self.objects[*index])
    }

    pub fn objects_of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Object> + 'a {
        self.objects
            .iter()
            .filter(move |object| object.kind == kind)
    }
}

/// Drops every top-level member but `apiVersion`, `kind` and `metadata`, keeping the value at
/// `metadata_pointer` (a pod template's metadata) where it was.
fn shrink_to_identity(value: &mut Value, metadata_pointer: &str) {
    let kept = match metadata_pointer {
        "/metadata" => None,
        pointer => value.pointer_mut(pointer).map(std::mem::take),
    };
    let Value::Object(members) = value else {
        return;
    };
    members.retain(|key, _| matches!(key.as_str(), "apiVersion" | "kind" | "metadata"));
    let Some(kept) = kept else {
        return;
    };
    let segments: Vec<&str> = metadata_pointer.split('/').skip(1).collect();
    let Some((last, parents)) = segments.split_last() else {
        return;
    };
    let mut node = value;
    for segment in parents {
        let Value::Object(members) = node else {
            return;
        };
        node = members
            .entry((*segment).to_string())
            .or_insert_with(|| Value::Object(serde_json::Map::new()));
    }
    if let Value::Object(members) = node {
        members.insert((*last).to_string(), kept);
    }
}

fn field_error_diagnostic(object: &Object, error: &crate::workload::FieldError) -> Diagnostic {
    Diagnostic::error(
        object.origin.file.name.clone(),
        Some(object.origin.line_of(&error.pointer)),
        format!(
            "{} {}: field {}: {}; its pod-spec checks are skipped",
            object.kind, object.name, error.pointer, error.message
        ),
    )
}
