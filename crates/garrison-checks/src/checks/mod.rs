//! One file per check, grouped by area. Helpers shared by several checks live here.

pub mod access;
pub mod attack_paths;
pub mod auto_mode;
pub(crate) mod aws;
pub mod encryption;
pub mod exposure;
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
pub mod tenancy;

use garrison_core::workload::decode;
use garrison_core::{ContainerKind, ContainerRef, Object, Workload};
use k8s_openapi::api::core::v1::{EnvVar, SecurityContext, VolumeMount};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::engine::Outcome;
use crate::pss::{self, Forbidden, PssCheckId, PssPolicy, PssVersion};

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

/// Judges a workload's pods against one Pod Security Standards control at `latest`, with the
/// upstream engine, as admission would (a Pod as enforced, a template as warned about). Only the
/// AppArmor control reads the pod's metadata (its deprecated annotations), so only it decodes it.
pub(crate) fn pss_control(workload: &Workload, object: &Object, id: PssCheckId) -> Vec<Outcome> {
    // The AppArmor control reads only the deprecated per-container annotations: decode the
    // metadata only when one is there (rare), without allocating to look.
    let pod_metadata = match workload.spec_pointer.strip_suffix("/spec") {
        Some(template) => object.value.pointer(template),
        None => Some(&object.value),
    }
    .and_then(|parent| parent.get("metadata"));
    let has_apparmor_annotation = pod_metadata
        .and_then(|metadata| metadata.get("annotations"))
        .and_then(serde_json::Value::as_object)
        .is_some_and(|annotations| {
            annotations
                .keys()
                .any(|key| key.starts_with(pss::APPARMOR_ANNOTATION_PREFIX))
        });
    let metadata = if id == PssCheckId::AppArmorProfile && has_apparmor_annotation {
        let pointer = workload.metadata_pointer();
        match object.value.pointer(&pointer).map(decode::<ObjectMeta>) {
            Some(Ok(metadata)) => metadata,
            Some(Err(error)) => {
                return vec![Outcome::with_status(
                    garrison_core::Status::Unknown,
                    None,
                    format!(
                        "the pod metadata cannot be read ({pointer}{}: {})",
                        error.pointer, error.message
                    ),
                )];
            }
            None => ObjectMeta::default(),
        }
    } else {
        ObjectMeta::default()
    };
    let forbidden = pss::evaluate_control(
        id,
        PssVersion::LATEST,
        &metadata,
        &workload.spec,
        object.kind == "Pod",
    );
    match forbidden {
        None => Vec::new(),
        Some(forbidden) => vec![Outcome::fail(
            workload.spec_pointer,
            if forbidden.detail.is_empty() {
                forbidden.reason.to_string()
            } else {
                format!("{} ({})", forbidden.reason, forbidden.detail)
            },
        )],
    }
}

/// A container's fields, read without building its JSON pointer as [`ContainerRef`] does (an
/// allocation per container): for checks that usually find nothing, which build the pointer only
/// for a finding.
pub(crate) struct LazyContainer<'a> {
    pub kind: ContainerKind,
    pub index: usize,
    pub name: &'a str,
    pub security_context: Option<&'a SecurityContext>,
    pub env: &'a [EnvVar],
    pub volume_mounts: &'a [VolumeMount],
}

impl LazyContainer<'_> {
    /// Pointer to a field of this container, e.g. `field(workload, "securityContext")`.
    pub fn field(&self, workload: &Workload, path: &str) -> String {
        format!(
            "{}/{}/{}/{path}",
            workload.spec_pointer,
            self.kind.field(),
            self.index
        )
    }

    /// `init container "setup"`, for messages.
    pub fn describe(&self) -> String {
        format!("{} \"{}\"", self.kind.noun(), self.name)
    }
}

/// Init containers, containers and ephemeral containers, in that order, as [`LazyContainer`]s.
pub(crate) fn lazy_containers(workload: &Workload) -> impl Iterator<Item = LazyContainer<'_>> {
    let spec = &workload.spec;
    let init = spec
        .init_containers
        .iter()
        .flatten()
        .enumerate()
        .map(|(index, container)| regular(ContainerKind::Init, index, container));
    let containers = spec
        .containers
        .iter()
        .enumerate()
        .map(|(index, container)| regular(ContainerKind::Regular, index, container));
    let ephemeral =
        spec.ephemeral_containers
            .iter()
            .flatten()
            .enumerate()
            .map(|(index, container)| LazyContainer {
                kind: ContainerKind::Ephemeral,
                index,
                name: &container.name,
                security_context: container.security_context.as_ref(),
                env: container.env.as_deref().unwrap_or_default(),
                volume_mounts: container.volume_mounts.as_deref().unwrap_or_default(),
            });
    init.chain(containers).chain(ephemeral)
}

fn regular(
    kind: ContainerKind,
    index: usize,
    container: &k8s_openapi::api::core::v1::Container,
) -> LazyContainer<'_> {
    LazyContainer {
        kind,
        index,
        name: &container.name,
        security_context: container.security_context.as_ref(),
        env: container.env.as_deref().unwrap_or_default(),
        volume_mounts: container.volume_mounts.as_deref().unwrap_or_default(),
    }
}
