//! encryption checks.
pub mod ebs_storage_class_unencrypted;
pub mod efs_without_access_point;
pub mod efs_without_tls;
pub mod kms_key_rotation;
pub mod kms_key_unusable;
pub mod no_external_secret_store;
pub mod no_private_ca_issuer;
pub mod node_volume_unencrypted;
pub mod secrets_without_cmk;

use crate::engine::Context;

/// The EFS PersistentVolumes: `spec.csi.driver == efs.csi.aws.com`.
pub(super) fn efs_volumes<'a>(
    context: &'a Context<'_>,
) -> impl Iterator<Item = &'a garrison_core::Object> {
    context.inventory.objects.iter().filter(|o| {
        o.kind == "PersistentVolume"
            && o.value
                .pointer("/spec/csi/driver")
                .and_then(serde_json::Value::as_str)
                == Some("efs.csi.aws.com")
    })
}
