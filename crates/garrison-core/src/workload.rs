//! Typed views of the pod specs inside workload objects.
//!
//! "Containers" always means init containers, then containers, then ephemeral containers: every
//! check that looks at containers looks at all three, because each runs with the pod's privileges.

use k8s_openapi::api::core::v1::{
    Capabilities, Container, ContainerPort, EnvFromSource, EnvVar, EphemeralContainer, PodSpec,
    ResourceRequirements, SecurityContext, VolumeMount,
};
use serde::Deserialize;
use serde_json::Value;

use crate::object::Object;

/// The kinds that carry a pod spec, with the JSON pointer to it.
pub const POD_SPEC_POINTERS: &[(&str, &str)] = &[
    ("Pod", "/spec"),
    ("Deployment", "/spec/template/spec"),
    ("ReplicaSet", "/spec/template/spec"),
    ("StatefulSet", "/spec/template/spec"),
    ("DaemonSet", "/spec/template/spec"),
    ("Job", "/spec/template/spec"),
    ("CronJob", "/spec/jobTemplate/spec/template/spec"),
    ("ReplicationController", "/spec/template/spec"),
    ("PodTemplate", "/template/spec"),
];

/// The pointer to the pod spec in an object of `kind`, if that kind has one.
pub fn pod_spec_pointer(kind: &str) -> Option<&'static str> {
    POD_SPEC_POINTERS
        .iter()
        .find(|(known, _)| *known == kind)
        .map(|(_, pointer)| *pointer)
}

/// Whether objects of this API version carry pod specs where [`POD_SPEC_POINTERS`] says (the
/// core group, `apps`, `batch` and `extensions`; a custom resource named `Deployment` does not).
pub fn workload_api_version(api_version: &str) -> bool {
    let group = api_version.split_once('/').map_or("", |(group, _)| group);
    matches!(group, "" | "apps" | "batch" | "extensions")
}

/// A field of the pod spec had the wrong type: where, and what serde said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// JSON pointer relative to the object.
    pub pointer: String,
    pub message: String,
}

/// A workload: an object with a pod spec, decoded into Kubernetes' own types.
#[derive(Debug)]
pub struct Workload {
    /// Index of the object in the inventory.
    pub object: usize,
    pub spec: PodSpec,
    /// JSON pointer from the object to `spec`.
    pub spec_pointer: &'static str,
}

impl Workload {
    /// Decodes the pod spec of `object`. `None` when the kind has no pod spec or none is written
    /// (a kustomize patch, say); `Some(Err)` when a field has the wrong type.
    pub fn decode(index: usize, object: &Object) -> Option<Result<Workload, FieldError>> {
        let spec_pointer = pod_spec_pointer(&object.kind)?;
        let decoded = match &object.pod_spec_json {
            Some(text) => decode_str::<PodSpec>(text),
            None => {
                if !object.api_version.is_empty() && !workload_api_version(&object.api_version) {
                    return None;
                }
                decode::<PodSpec>(object.value.pointer(spec_pointer)?)
            }
        };
        Some(match decoded {
            Ok(spec) => Ok(Workload {
                object: index,
                spec,
                spec_pointer,
            }),
            Err(error) => Err(FieldError {
                pointer: format!("{spec_pointer}{}", error.pointer),
                message: error.message,
            }),
        })
    }

    /// Init containers, containers and ephemeral containers, in that order.
    pub fn containers(&self) -> impl Iterator<Item = ContainerRef<'_>> {
        let init = self
            .spec
            .init_containers
            .iter()
            .flatten()
            .enumerate()
            .map(|(index, c)| {
                ContainerRef::regular(c, ContainerKind::Init, index, self.spec_pointer)
            });
        let regular = self.spec.containers.iter().enumerate().map(|(index, c)| {
            ContainerRef::regular(c, ContainerKind::Regular, index, self.spec_pointer)
        });
        let ephemeral = self
            .spec
            .ephemeral_containers
            .iter()
            .flatten()
            .enumerate()
            .map(|(index, c)| ContainerRef::ephemeral(c, index, self.spec_pointer));
        init.chain(regular).chain(ephemeral)
    }

    /// The service account the pods run as; `default` when none is named.
    pub fn service_account(&self) -> &str {
        self.spec
            .service_account_name
            .as_deref()
            .or(self.spec.service_account.as_deref())
            .filter(|name| !name.is_empty())
            .unwrap_or("default")
    }

    /// The pointer to the pod's metadata: `/metadata` for a Pod, the template's otherwise.
    pub fn metadata_pointer(&self) -> String {
        metadata_pointer(self.spec_pointer)
    }

    /// The pod-level field pointer, e.g. `pointer("hostNetwork")`.
    pub fn pointer(&self, field: &str) -> String {
        format!("{}/{field}", self.spec_pointer)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContainerKind {
    Init,
    Regular,
    Ephemeral,
}

impl ContainerKind {
    pub fn field(self) -> &'static str {
        match self {
            ContainerKind::Init => "initContainers",
            ContainerKind::Regular => "containers",
            ContainerKind::Ephemeral => "ephemeralContainers",
        }
    }

    pub fn noun(self) -> &'static str {
        match self {
            ContainerKind::Init => "init container",
            ContainerKind::Regular => "container",
            ContainerKind::Ephemeral => "ephemeral container",
        }
    }
}

/// The fields checks read from any kind of container.
#[derive(Debug, Clone)]
pub struct ContainerRef<'a> {
    pub kind: ContainerKind,
    pub name: &'a str,
    /// JSON pointer from the object to this container.
    pub pointer: String,
    pub image: Option<&'a str>,
    pub security_context: Option<&'a SecurityContext>,
    pub env: &'a [EnvVar],
    pub env_from: &'a [EnvFromSource],
    pub ports: &'a [ContainerPort],
    pub resources: Option<&'a ResourceRequirements>,
    pub volume_mounts: &'a [VolumeMount],
}

impl<'a> ContainerRef<'a> {
    fn regular(container: &'a Container, kind: ContainerKind, index: usize, spec: &str) -> Self {
        ContainerRef {
            kind,
            name: &container.name,
            pointer: format!("{spec}/{}/{index}", kind.field()),
            image: container.image.as_deref(),
            security_context: container.security_context.as_ref(),
            env: container.env.as_deref().unwrap_or_default(),
            env_from: container.env_from.as_deref().unwrap_or_default(),
            ports: container.ports.as_deref().unwrap_or_default(),
            resources: container.resources.as_ref(),
            volume_mounts: container.volume_mounts.as_deref().unwrap_or_default(),
        }
    }

    fn ephemeral(container: &'a EphemeralContainer, index: usize, spec: &str) -> Self {
        let kind = ContainerKind::Ephemeral;
        ContainerRef {
            kind,
            name: &container.name,
            pointer: format!("{spec}/{}/{index}", kind.field()),
            image: container.image.as_deref(),
            security_context: container.security_context.as_ref(),
            env: container.env.as_deref().unwrap_or_default(),
            env_from: container.env_from.as_deref().unwrap_or_default(),
            ports: container.ports.as_deref().unwrap_or_default(),
            resources: container.resources.as_ref(),
            volume_mounts: container.volume_mounts.as_deref().unwrap_or_default(),
        }
    }

    /// `init container "setup"`, for messages.
    pub fn describe(&self) -> String {
        format!("{} \"{}\"", self.kind.noun(), self.name)
    }

    /// Pointer to a field of this container, e.g. `field("securityContext/privileged")`.
    pub fn field(&self, path: &str) -> String {
        format!("{}/{path}", self.pointer)
    }

    pub fn capabilities(&self) -> Option<&'a Capabilities> {
        self.security_context?.capabilities.as_ref()
    }
}

/// The pointer to the pod metadata that goes with the pod spec at `spec_pointer`: `/metadata`
/// for a Pod, the template's otherwise.
pub fn metadata_pointer(spec_pointer: &str) -> String {
    match spec_pointer.strip_suffix("/spec") {
        Some(parent) if !parent.is_empty() => format!("{parent}/metadata"),
        _ => "/metadata".to_string(),
    }
}

/// Decodes JSON text into a Kubernetes type, reporting the pointer of a mistyped field.
pub fn decode_str<T: for<'de> Deserialize<'de>>(text: &str) -> Result<T, FieldError> {
    // Tracking the path costs time on every field: only do it again to explain a failure.
    if let Ok(decoded) = serde_json::from_str::<T>(text) {
        return Ok(decoded);
    }
    let mut deserializer = serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize::<_, T>(&mut deserializer).map_err(|error| FieldError {
        pointer: path_pointer(error.path()),
        message: without_position(error.into_inner().to_string()),
    })
}

/// serde_json's message without its " at line L column C" suffix: the position is in the
/// compact text of a pod spec, not in the user's file (the field's pointer names the place).
fn without_position(mut message: String) -> String {
    if let Some(at) = message.rfind(" at line ") {
        let tail = &message[at + " at line ".len()..];
        let positional = tail.split_once(" column ").is_some_and(|(line, column)| {
            !line.is_empty()
                && !column.is_empty()
                && line.bytes().all(|b| b.is_ascii_digit())
                && column.bytes().all(|b| b.is_ascii_digit())
        });
        if positional {
            message.truncate(at);
        }
    }
    message
}

fn path_pointer(path: &serde_path_to_error::Path) -> String {
    let mut pointer = String::new();
    for segment in path.iter() {
        use serde_path_to_error::Segment;
        match segment {
            Segment::Seq { index } => pointer.push_str(&format!("/{index}")),
            Segment::Map { key } => {
                pointer.push('/');
                pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
            }
            Segment::Enum { .. } | Segment::Unknown => {}
        }
    }
    pointer
}

/// Decodes a value into a Kubernetes type, reporting the pointer of a mistyped field.
pub fn decode<T: for<'de> Deserialize<'de>>(value: &Value) -> Result<T, FieldError> {
    // Tracking the path costs time on every field: only do it again to explain a failure.
    if let Ok(decoded) = T::deserialize(value) {
        return Ok(decoded);
    }
    serde_path_to_error::deserialize::<_, T>(value).map_err(|error| FieldError {
        pointer: path_pointer(error.path()),
        message: error.into_inner().to_string(),
    })
}
