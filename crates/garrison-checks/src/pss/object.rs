//! Judging loaded objects: a Pod as PodSecurity admission enforces it, a workload (Deployment,
//! Job, CronJob, ...) through its pod template as admission warns about it.

use garrison_core::Object;
use garrison_core::workload::{FieldError, Workload, decode};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::{
    Forbidden, PssLevel, PssPolicy, PssVersion, evaluate_pod, evaluate_pod_template,
    pod_forbidden_message, warning_message,
};

/// How admission treats an object's pods.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admission {
    /// A Pod: denied when it violates the enforced policy.
    Enforced,
    /// A workload's pod template: the object is admitted with a warning, and the pods it
    /// creates are the ones denied.
    Warned,
}

/// The verdict on one object.
#[derive(Clone, Debug)]
pub struct ObjectVerdict {
    pub admission: Admission,
    /// `metadata.name` of the Pod (empty for a Pod named by `generateName`); for a workload the
    /// workload's name.
    pub name: String,
    pub forbidden: Vec<Forbidden>,
}

impl ObjectVerdict {
    pub fn allowed(&self) -> bool {
        self.forbidden.is_empty()
    }

    /// What the API server says: the denial of a Pod, the warning for a workload; `None` when
    /// the object complies.
    pub fn message(&self, policy: PssPolicy) -> Option<String> {
        if self.allowed() {
            return None;
        }
        Some(match self.admission {
            Admission::Enforced => pod_forbidden_message(&self.name, policy, &self.forbidden),
            Admission::Warned => warning_message(policy, &self.forbidden),
        })
    }
}

/// Evaluates an object that carries a pod spec. `None` for kinds without one (and for a kind
/// with one but no spec written, such as a kustomize patch); `Some(Err)` when a field of the pod
/// spec or its metadata has the wrong type.
pub fn evaluate_object(
    level: PssLevel,
    version: PssVersion,
    object: &Object,
) -> Option<Result<ObjectVerdict, FieldError>> {
    // The index only matters inside an inventory, which this does not use.
    let workload = match Workload::decode(0, object)? {
        Ok(workload) => workload,
        Err(error) => return Some(Err(error)),
    };
    // The template's metadata sits beside its spec: `/spec` → `/metadata`.
    let metadata_pointer = workload
        .spec_pointer
        .strip_suffix("/spec")
        .map(|parent| format!("{parent}/metadata"))
        .unwrap_or_default();
    let metadata = match object.value.pointer(&metadata_pointer) {
        None => ObjectMeta::default(),
        Some(value) => match decode::<ObjectMeta>(value) {
            Ok(metadata) => metadata,
            Err(error) => {
                return Some(Err(FieldError {
                    pointer: format!("{metadata_pointer}{}", error.pointer),
                    message: error.message,
                }));
            }
        },
    };
    let is_pod = object.kind == "Pod";
    let verdict = if is_pod {
        ObjectVerdict {
            admission: Admission::Enforced,
            name: metadata.name.clone().unwrap_or_default(),
            forbidden: evaluate_pod(level, version, &metadata, &workload.spec),
        }
    } else {
        ObjectVerdict {
            admission: Admission::Warned,
            name: object.name.clone(),
            forbidden: evaluate_pod_template(level, version, &metadata, &workload.spec),
        }
    };
    Some(Ok(verdict))
}
