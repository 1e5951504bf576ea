//! Volume Types (restricted, `restrictedVolumes`): volumes may only be of the kinds that do not
//! reach host or network storage directly: configMap, csi, downwardAPI, emptyDir, ephemeral,
//! image, persistentVolumeClaim, projected and secret. Replaces `hostPathVolumes` at restricted.
//! `image` was allowed without a new policy version, so it is allowed at every version. A volume
//! with no source is an `emptyDir` after API defaulting.

use k8s_openapi::api::core::v1::Volume;

use super::pod::{PodView, has_no_source};
use super::text::{pluralize, push_join_quote, sorted_set};
use super::{PssCheckId, VersionedCheck, Violation};

pub(super) const VERSIONS: &[VersionedCheck] = &[VersionedCheck {
    since: 0,
    check: restricted_volumes_v1_0,
    overrides: &[PssCheckId::HostPathVolumes],
}];

fn allowed(volume: &Volume) -> bool {
    volume.config_map.is_some()
        || volume.csi.is_some()
        || volume.downward_api.is_some()
        || volume.empty_dir.is_some()
        || volume.ephemeral.is_some()
        || volume.image.is_some()
        || volume.persistent_volume_claim.is_some()
        || volume.projected.is_some()
        || volume.secret.is_some()
        || has_no_source(volume)
}

/// The name upstream reports for a forbidden volume, first match in upstream's order.
fn restricted_type(volume: &Volume) -> &'static str {
    let named = [
        (volume.host_path.is_some(), "hostPath"),
        (volume.gce_persistent_disk.is_some(), "gcePersistentDisk"),
        (
            volume.aws_elastic_block_store.is_some(),
            "awsElasticBlockStore",
        ),
        (volume.git_repo.is_some(), "gitRepo"),
        (volume.nfs.is_some(), "nfs"),
        (volume.iscsi.is_some(), "iscsi"),
        (volume.glusterfs.is_some(), "glusterfs"),
        (volume.rbd.is_some(), "rbd"),
        (volume.flex_volume.is_some(), "flexVolume"),
        (volume.cinder.is_some(), "cinder"),
        (volume.cephfs.is_some(), "cephfs"),
        (volume.flocker.is_some(), "flocker"),
        (volume.fc.is_some(), "fc"),
        (volume.azure_file.is_some(), "azureFile"),
        (volume.vsphere_volume.is_some(), "vsphereVolume"),
        (volume.quobyte.is_some(), "quobyte"),
        (volume.azure_disk.is_some(), "azureDisk"),
        (
            volume.photon_persistent_disk.is_some(),
            "photonPersistentDisk",
        ),
        (volume.portworx_volume.is_some(), "portworxVolume"),
        (volume.scale_io.is_some(), "scaleIO"),
        (volume.storageos.is_some(), "storageos"),
    ];
    named
        .into_iter()
        .find(|(present, _)| *present)
        .map_or("unknown", |(_, name)| name)
}

fn restricted_volumes_v1_0(pod: &PodView<'_>) -> Option<Violation> {
    let mut bad_volumes: Vec<&str> = Vec::new();
    let mut types: Vec<&str> = Vec::new();
    for volume in pod.volumes().iter().filter(|volume| !allowed(volume)) {
        bad_volumes.push(&volume.name);
        types.push(restricted_type(volume));
    }
    if bad_volumes.is_empty() {
        return None;
    }
    sorted_set(&mut types);
    let mut detail = String::from(pluralize("volume", "volumes", bad_volumes.len()));
    detail.push(' ');
    push_join_quote(&mut detail, &bad_volumes);
    detail.push(' ');
    detail.push_str(pluralize("uses", "use", bad_volumes.len()));
    detail.push(' ');
    detail.push_str(pluralize(
        "restricted volume type",
        "restricted volume types",
        types.len(),
    ));
    detail.push(' ');
    push_join_quote(&mut detail, &types);
    Violation::new("restricted volume types", detail)
}
