//! One file per check, grouped by area. Helpers shared by several checks live here.

pub mod access;
pub mod attack_paths;
pub mod auto_mode;
pub(crate) mod aws;
pub mod encryption;
pub mod guardduty;
pub mod identity;
pub mod images;
pub mod kubelet;
pub mod logging;
pub mod managed;
pub mod network;
pub mod network_policy;
pub mod nodes;
pub mod pod_security;
pub mod rbac;
pub mod security_hub;

use garrison_core::workload::decode;
use garrison_core::{ContainerRef, Object, Workload};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::pss::{self, Forbidden, PssPolicy};

/// `runAsUser` for a container, with the pointer of the field that set it.
pub(crate) fn run_as_user(
    workload: &Workload,
    container: &ContainerRef<'_>,
) -> Option<(i64, String)> {
    if let Some(user) = container
        .security_context
        .and_then(|context| context.run_as_user)
    {
        return Some((user, container.field("securityContext/runAsUser")));
    }
    let pod = workload.spec.security_context.as_ref()?.run_as_user?;
    Some((pod, workload.pointer("securityContext/runAsUser")))
}

/// Judges a workload's pods against a Pod Security policy as admission does: a Pod as it is
/// enforced, a controller's pod template as admission warns about it. The text is the API
/// server's: the denial of a Pod, the warning for a workload.
pub(crate) fn pss_verdict(
    workload: &Workload,
    object: &Object,
    policy: PssPolicy,
) -> Result<Option<String>, String> {
    let pointer = workload.metadata_pointer();
    let metadata = match object.value.pointer(&pointer) {
        Some(value) => decode::<ObjectMeta>(value)
            .map_err(|error| format!("{pointer}{}: {}", error.pointer, error.message))?,
        None => ObjectMeta::default(),
    };
    let forbidden: Vec<Forbidden> = if object.kind == "Pod" {
        pss::evaluate_pod(policy.level, policy.version, &metadata, &workload.spec)
    } else {
        pss::evaluate_pod_template(policy.level, policy.version, &metadata, &workload.spec)
    };
    if forbidden.is_empty() {
        return Ok(None);
    }
    Ok(Some(if object.kind == "Pod" {
        pss::pod_forbidden_message(&object.name, policy, &forbidden)
    } else {
        pss::warning_message(policy, &forbidden)
    }))
}
