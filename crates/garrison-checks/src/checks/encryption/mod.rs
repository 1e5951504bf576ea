//! encryption checks.
pub mod ebs_storage_class_unencrypted;
pub mod kms_key_rotation;
pub mod kms_key_unusable;
pub mod node_volume_unencrypted;
pub mod secrets_without_cmk;
