//! Everything the checks read: the objects, their decoded workloads, indexes, the AWS snapshot.

use std::collections::{HashMap, HashSet};

use rayon::prelude::*;
use serde_json::Value;

use crate::diagnostic::Diagnostic;
use crate::loader::Loaded;
use crate::object::Object;
use crate::snapshot::Snapshot;
use crate::workload::{
    Workload, decode_str, metadata_pointer, pod_spec_pointer, workload_api_version,
};
use k8s_openapi::api::core::v1::PodSpec;

#[derive(Debug, Default)]
pub struct Inventory {
    pub objects: Vec<Object>,
    /// Workloads to report on: every object with a pod spec except those whose controller is in
    /// the inventory too (a ReplicaSet's Pods, a Deployment's ReplicaSets, a CronJob's Jobs), so
    /// that findings name the controller a user edits. Their pod specs are kept as text and
    /// decoded one at a time by [`Inventory::decode`]: decoded, the specs of a large cluster
    /// would be most of the memory of a scan.
    pub workloads: Vec<WorkloadEntry>,
    pub snapshot: Option<Snapshot>,
    /// Problems found while indexing objects.
    pub diagnostics: Vec<Diagnostic>,
    service_accounts: HashMap<(String, String), usize>,
    bound_service_accounts: HashSet<(String, String)>,
    namespaces: HashMap<String, usize>,
    /// Workload positions in `workloads` by (namespace, service account).
    workloads_by_account: HashMap<(String, String), Vec<usize>>,
}

/// A workload of the inventory, its pod spec not yet decoded.
#[derive(Debug)]
pub struct WorkloadEntry {
    /// Index of the object in the inventory.
    pub object: usize,
    /// JSON pointer from the object to its pod spec.
    pub spec_pointer: &'static str,
    /// The service account its pods run as (`default` when none is named).
    service_account: Box<str>,
    /// Whether its pods use the host's network namespace.
    host_network: bool,
    /// The pod spec as compact JSON.
    spec_json: Box<str>,
}

impl WorkloadEntry {
    pub fn service_account(&self) -> &str {
        &self.service_account
    }

    /// Whether its pods use the host's network namespace (`hostNetwork: true`).
    pub fn host_network(&self) -> bool {
        self.host_network
    }
}

/// The fields of a pod spec the inventory indexes, read without decoding the rest.
#[derive(serde::Deserialize)]
struct IndexedSpecFields<'a> {
    #[serde(rename = "serviceAccountName", borrow, default)]
    service_account_name: Option<std::borrow::Cow<'a, str>>,
    #[serde(rename = "serviceAccount", borrow, default)]
    service_account: Option<std::borrow::Cow<'a, str>>,
    #[serde(rename = "hostNetwork", default)]
    host_network: Option<bool>,
}

impl Inventory {
    pub fn new(loaded: Loaded) -> Inventory {
        let Loaded {
            objects, snapshot, ..
        } = loaded;
        let mut objects = objects;
        let owned: Vec<bool> = {
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
            objects
                .par_iter()
                .map(|object| {
                    object.controller_owner().is_some_and(|(kind, name)| {
                        present.contains(&(kind, object.namespace.as_deref(), name))
                    })
                })
                .collect()
        };
        // Pod specs set apart while loading move into their entries; others are written out as
        // compact JSON. A workload's JSON then keeps only its identity and pod metadata.
        let workloads: Vec<WorkloadEntry> = objects
            .par_iter_mut()
            .zip(owned.into_par_iter())
            .enumerate()
            .filter_map(|(index, (object, owned))| {
                let separated = object.pod_spec_json.take();
                if owned {
                    return None;
                }
                let spec_pointer = pod_spec_pointer(&object.kind)?;
                let spec_json = match separated {
                    Some(text) => text,
                    None => {
                        if !object.api_version.is_empty()
                            && !workload_api_version(&object.api_version)
                        {
                            return None;
                        }
                        let spec = object.value.pointer(spec_pointer)?;
                        serde_json::to_string(spec).ok()?.into_boxed_str()
                    }
                };
                let fields = serde_json::from_str::<IndexedSpecFields<'_>>(&spec_json).ok();
                let host_network = fields
                    .as_ref()
                    .is_some_and(|fields| fields.host_network == Some(true));
                let service_account = fields
                    .and_then(|fields| {
                        fields
                            .service_account_name
                            .filter(|name| !name.is_empty())
                            .or(fields.service_account.filter(|name| !name.is_empty()))
                    })
                    .map_or_else(|| "default".into(), |name| name.as_ref().into());
                let entry = WorkloadEntry {
                    object: index,
                    spec_pointer,
                    service_account,
                    host_network,
                    spec_json,
                };
                shrink_to_identity(&mut object.value, &metadata_pointer(spec_pointer));
                Some(entry)
            })
            .collect();
        let mut inventory = Inventory {
            objects,
            workloads,
            snapshot,
            ..Inventory::default()
        };
        inventory.index();
        inventory
    }

    /// Decodes the pod spec of a workload. A field of the wrong type is a diagnostic naming the
    /// field and its line; the workload's pod-spec checks are then skipped.
    pub fn decode(&self, entry: &WorkloadEntry) -> Result<Workload, Diagnostic> {
        let object = &self.objects[entry.object];
        decode_str::<PodSpec>(&entry.spec_json)
            .map(|spec| Workload {
                object: entry.object,
                spec,
                spec_pointer: entry.spec_pointer,
            })
            .map_err(|error| {
                let pointer = format!("{}{}", entry.spec_pointer, error.pointer);
                field_error_diagnostic(
                    object,
                    &crate::workload::FieldError {
                        pointer,
                        message: error.message,
                    },
                )
            })
    }

    fn index(&mut self) {
        for (position, entry) in self.workloads.iter().enumerate() {
            let namespace = self.objects[entry.object]
                .namespace
                .clone()
                .unwrap_or_default();
            self.workloads_by_account
                .entry((namespace, entry.service_account().to_string()))
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

    /// The object of a workload entry (see [`Inventory::object`]).
    pub fn entry_object(&self, entry: &WorkloadEntry) -> &Object {
        &self.objects[entry.object]
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
    ) -> impl Iterator<Item = &WorkloadEntry> {
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
    // A Pod keeps the addresses of its status: flow-log analysis attributes traffic by them.
    let is_pod = members.get("kind").and_then(Value::as_str) == Some("Pod");
    members.retain(|key, _| {
        matches!(key.as_str(), "apiVersion" | "kind" | "metadata") || (is_pod && key == "status")
    });
    if let Some(Value::Object(status)) = members.get_mut("status") {
        status.retain(|key, _| matches!(key.as_str(), "podIP" | "podIPs" | "hostIP" | "phase"));
    }
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
