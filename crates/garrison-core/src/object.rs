//! A Kubernetes object as loaded: its identity, where it came from, and its JSON.

use serde_json::Value;

use crate::finding::ObjectRef;
use crate::source::Origin;

/// One Kubernetes object. `value` is the object exactly as written (after YAML → JSON).
#[derive(Clone, Debug)]
pub struct Object {
    pub api_version: String,
    pub kind: String,
    pub name: String,
    pub namespace: Option<String>,
    pub origin: Origin,
    /// The object's JSON. For a workload whose pod spec was set apart while loading
    /// ([`crate::LoadOptions::separate_pod_specs`]), only its identity and pod metadata.
    pub value: Value,
    /// A workload's pod spec as compact JSON text, when it was set apart while loading: text is
    /// a fraction of the memory of the decoded spec, which the checks decode one workload at a
    /// time (see [`crate::Inventory::decode`]).
    pub pod_spec_json: Option<Box<str>>,
}

impl Object {
    /// The API group: `apps` for `apps/v1`, the empty string for the core group.
    pub fn group(&self) -> &str {
        match self.api_version.split_once('/') {
            Some((group, _)) => group,
            None => "",
        }
    }

    pub fn metadata(&self) -> Option<&Value> {
        self.value.get("metadata")
    }

    pub fn labels(&self) -> Option<&serde_json::Map<String, Value>> {
        self.metadata()?.get("labels")?.as_object()
    }

    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.metadata()?.get("annotations")?.get(key)?.as_str()
    }

    pub fn label(&self, key: &str) -> Option<&str> {
        self.labels()?.get(key)?.as_str()
    }

    pub fn uid(&self) -> Option<&str> {
        self.metadata()?.get("uid")?.as_str()
    }

    /// The owner reference marked `controller: true`, as (kind, name).
    pub fn controller_owner(&self) -> Option<(&str, &str)> {
        self.metadata()?
            .get("ownerReferences")?
            .as_array()?
            .iter()
            .find(|owner| owner.get("controller").and_then(Value::as_bool) == Some(true))
            .and_then(|owner| Some((owner.get("kind")?.as_str()?, owner.get("name")?.as_str()?)))
    }

    /// Whether this object's namespace is `namespace`.
    pub fn in_namespace(&self, namespace: &str) -> bool {
        self.namespace.as_deref() == Some(namespace)
    }

    /// The reference a finding uses, without the line of a particular field.
    pub fn reference(&self) -> ObjectRef {
        ObjectRef {
            kind: self.kind.as_str().into(),
            namespace: self.namespace.as_deref().map(Into::into),
            name: self.name.as_str().into(),
            arn: None,
            source: Some(self.origin.file.name.as_str().into()),
            line: Some(self.origin.line),
        }
    }
}
