//! The pod as PodSecurity admission sees it: the written spec plus the API server's defaulting
//! and create-time mutations that change what the checks read.
//!
//! PodSecurity is a validating admission plugin, so it runs after the object was decoded with
//! defaults and after the pod strategy's `PrepareForCreate`. Rather than cloning and rewriting
//! the spec (an allocation per pod), the few changes that matter are answered here, where the
//! checks ask:
//!
//! * every pod spec (pods and templates): a volume with no source is defaulted to `emptyDir: {}`;
//! * pods only, `hostNetwork: true`: a container or init container port without `hostPort` gets
//!   `hostPort = containerPort` (templates stopped being defaulted in Kubernetes 1.28);
//! * pods only, not Windows: a deprecated AppArmor annotation
//!   `container.apparmor.security.beta.kubernetes.io/<container>` is copied into that container's
//!   `securityContext.appArmorProfile` when the field is unset and differs from the pod's profile.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    AppArmorProfile, Container, ContainerPort, EphemeralContainer, Lifecycle, PodSecurityContext,
    PodSpec, Probe, SecurityContext, Volume,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

/// Prefix of the deprecated per-container AppArmor annotations.
pub(crate) const APPARMOR_ANNOTATION_PREFIX: &str =
    "container.apparmor.security.beta.kubernetes.io/";

/// What kind of object the pod spec came from, which decides the API server's mutations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Origin {
    /// A Pod being created: full defaulting and `PrepareForCreate`.
    Pod,
    /// The pod template of a workload: only type-level defaulting (volumes).
    Template,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ContainerKind {
    Init,
    Regular,
    Ephemeral,
}

/// The fields the checks read from any kind of container.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ContainerView<'a> {
    pub kind: ContainerKind,
    pub name: &'a str,
    pub security_context: Option<&'a SecurityContext>,
    pub ports: &'a [ContainerPort],
    pub probes: [Option<&'a Probe>; 3],
    pub lifecycle: Option<&'a Lifecycle>,
}

impl<'a> ContainerView<'a> {
    fn of_container(container: &'a Container, kind: ContainerKind) -> Self {
        ContainerView {
            kind,
            name: &container.name,
            security_context: container.security_context.as_ref(),
            ports: container.ports.as_deref().unwrap_or_default(),
            probes: [
                container.liveness_probe.as_ref(),
                container.readiness_probe.as_ref(),
                container.startup_probe.as_ref(),
            ],
            lifecycle: container.lifecycle.as_ref(),
        }
    }

    fn of_ephemeral(container: &'a EphemeralContainer) -> Self {
        ContainerView {
            kind: ContainerKind::Ephemeral,
            name: &container.name,
            security_context: container.security_context.as_ref(),
            ports: container.ports.as_deref().unwrap_or_default(),
            probes: [
                container.liveness_probe.as_ref(),
                container.readiness_probe.as_ref(),
                container.startup_probe.as_ref(),
            ],
            lifecycle: container.lifecycle.as_ref(),
        }
    }
}

/// A pod spec with its metadata, read as admission reads it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PodView<'a> {
    pub metadata: &'a ObjectMeta,
    pub spec: &'a PodSpec,
    pub origin: Origin,
}

impl<'a> PodView<'a> {
    /// Init containers, then containers, then ephemeral containers: upstream's `visitContainers`
    /// order, which is the order names appear in details.
    pub fn containers(&self) -> impl Iterator<Item = ContainerView<'a>> + use<'a> {
        let spec = self.spec;
        let init = spec
            .init_containers
            .iter()
            .flatten()
            .map(|c| ContainerView::of_container(c, ContainerKind::Init));
        let regular = spec
            .containers
            .iter()
            .map(|c| ContainerView::of_container(c, ContainerKind::Regular));
        let ephemeral = spec
            .ephemeral_containers
            .iter()
            .flatten()
            .map(ContainerView::of_ephemeral);
        init.chain(regular).chain(ephemeral)
    }

    pub fn security_context(&self) -> Option<&'a PodSecurityContext> {
        self.spec.security_context.as_ref()
    }

    pub fn volumes(&self) -> &'a [Volume] {
        self.spec.volumes.as_deref().unwrap_or_default()
    }

    pub fn annotations(&self) -> Option<&'a BTreeMap<String, String>> {
        self.metadata.annotations.as_ref()
    }

    /// `spec.os.name: windows`, which exempts the pod from the Linux-only restricted checks
    /// from policy v1.25.
    pub fn is_windows(&self) -> bool {
        self.spec.os.as_ref().is_some_and(|os| os.name == "windows")
    }

    /// `spec.hostUsers: false`: the pod runs in its own user namespace, which relaxes some
    /// checks from policy v1.35. Unset means host users.
    pub fn in_user_namespace(&self) -> bool {
        self.spec.host_users == Some(false)
    }

    /// The host port a container port ends up with after defaulting.
    pub fn host_port(&self, container: &ContainerView<'_>, port: &ContainerPort) -> i32 {
        match port.host_port {
            Some(host_port) if host_port != 0 => host_port,
            _ if self.origin == Origin::Pod
                && self.spec.host_network == Some(true)
                && container.kind != ContainerKind::Ephemeral =>
            {
                port.container_port
            }
            _ => 0,
        }
    }

    /// The `appArmorProfile.type` a container ends up with: its own field, or the value the pod
    /// strategy copies from the deprecated annotation.
    pub fn container_app_armor_type(&self, container: &ContainerView<'a>) -> Option<&'a str> {
        if let Some(profile) = container
            .security_context
            .and_then(|context| context.app_armor_profile.as_ref())
        {
            return Some(&profile.type_);
        }
        if self.origin != Origin::Pod || self.is_windows() {
            return None;
        }
        let annotation = self.container_annotation(APPARMOR_ANNOTATION_PREFIX, container.name)?;
        let synced = AnnotationProfile::parse(annotation)?;
        let pod_profile = self
            .security_context()
            .and_then(|context| context.app_armor_profile.as_ref());
        if pod_profile.is_some_and(|pod| synced.same_as(pod)) {
            return None;
        }
        Some(synced.type_name())
    }

    /// The value of `<prefix><container name>` in the annotations, without building the key.
    pub fn container_annotation(&self, prefix: &str, container: &str) -> Option<&'a str> {
        self.annotations()?
            .range::<str, _>((
                std::ops::Bound::Included(prefix),
                std::ops::Bound::Unbounded,
            ))
            .take_while(|(key, _)| key.starts_with(prefix))
            .find(|(key, _)| key.get(prefix.len()..) == Some(container))
            .map(|(_, value)| value.as_str())
    }
}

/// A field value derived from a deprecated AppArmor annotation (`ApparmorFieldForAnnotation`),
/// already validated (`ValidateAppArmorProfileField`): anything else is not copied.
enum AnnotationProfile<'a> {
    Unconfined,
    RuntimeDefault,
    Localhost(&'a str),
}

/// The API server rejects longer localhost profile names, so the strategy skips copying them.
const MAX_LOCALHOST_PROFILE_BYTES: usize = 4095;

impl<'a> AnnotationProfile<'a> {
    fn parse(annotation: &'a str) -> Option<Self> {
        match annotation {
            "unconfined" => Some(AnnotationProfile::Unconfined),
            "runtime/default" => Some(AnnotationProfile::RuntimeDefault),
            _ => {
                let name = annotation.strip_prefix("localhost/")?;
                let valid = !name.is_empty() && name.len() <= MAX_LOCALHOST_PROFILE_BYTES;
                valid.then_some(AnnotationProfile::Localhost(name))
            }
        }
    }

    fn type_name(&self) -> &'static str {
        match self {
            AnnotationProfile::Unconfined => "Unconfined",
            AnnotationProfile::RuntimeDefault => "RuntimeDefault",
            AnnotationProfile::Localhost(_) => "Localhost",
        }
    }

    /// `apiequality.Semantic.DeepEqual` with the pod-level profile.
    fn same_as(&self, pod: &AppArmorProfile) -> bool {
        let localhost = match self {
            AnnotationProfile::Localhost(name) => Some(*name),
            _ => None,
        };
        pod.type_ == self.type_name() && pod.localhost_profile.as_deref() == localhost
    }
}

/// Whether a volume names no source at all, which the API server defaults to `emptyDir: {}`
/// (`SetDefaults_Volume`). Every source field of the v1.33 API is listed; a source newer than
/// that is dropped when decoding and such a volume reads as source-less too.
pub(crate) fn has_no_source(volume: &Volume) -> bool {
    volume.aws_elastic_block_store.is_none()
        && volume.azure_disk.is_none()
        && volume.azure_file.is_none()
        && volume.cephfs.is_none()
        && volume.cinder.is_none()
        && volume.config_map.is_none()
        && volume.csi.is_none()
        && volume.downward_api.is_none()
        && volume.empty_dir.is_none()
        && volume.ephemeral.is_none()
        && volume.fc.is_none()
        && volume.flex_volume.is_none()
        && volume.flocker.is_none()
        && volume.gce_persistent_disk.is_none()
        && volume.git_repo.is_none()
        && volume.glusterfs.is_none()
        && volume.host_path.is_none()
        && volume.image.is_none()
        && volume.iscsi.is_none()
        && volume.nfs.is_none()
        && volume.persistent_volume_claim.is_none()
        && volume.photon_persistent_disk.is_none()
        && volume.portworx_volume.is_none()
        && volume.projected.is_none()
        && volume.quobyte.is_none()
        && volume.rbd.is_none()
        && volume.scale_io.is_none()
        && volume.secret.is_none()
        && volume.storageos.is_none()
        && volume.vsphere_volume.is_none()
}
