use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// For the customer-managed key of `encryptionConfig`, reads `kms/<key id>.rotation.json`
    /// (`get-key-rotation-status`): PASS when `KeyRotationEnabled`, FAIL otherwise.
    ///
    /// ## Why it matters
    /// Automatic rotation limits how much data one key version protects and is required by most
    /// compliance regimes; it is free and transparent to EKS.
    ///
    /// ## How to fix
    /// `aws kms enable-key-rotation --key-id <key>`.
    ///
    /// ## References
    /// - AWS KMS documentation: Rotating AWS KMS keys
    /// - EKS Best Practices Guide, Security: Data encryption and secrets management
    pub static META = CheckMeta {
        id: "EKS-ENC-003",
        name: "kms-key-rotation",
        title: "Secrets KMS key rotation is off",
        severity: Severity::Low,
        level: Level::Cluster,
        control: SeedControl::Encryption,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Enable automatic rotation of the Secrets KMS key.",
    };
}

/// The customer key encrypting Secrets, if any.
fn secrets_key(cluster: &garrison_core::aws::eks::Cluster) -> Option<(usize, String)> {
    cluster
        .encryption_config
        .iter()
        .enumerate()
        .find_map(|(index, config)| {
            (config.resources.iter().any(|r| r == "secrets"))
                .then(|| config.provider.as_ref().and_then(|p| p.key_arn.clone()))
                .flatten()
                .map(|arn| (index, arn))
        })
}

use garrison_core::aws::services::KeyRotationStatus;

pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    with_cluster(snapshot, |cluster, resource| {
        let Some((_, key)) = secrets_key(cluster) else {
            return vec![not_applicable(
                resource,
                "no customer-managed key encrypts Secrets",
            )];
        };
        let id = key.rsplit('/').next().unwrap_or(&key);
        let file = format!("kms/{id}.rotation.json");
        let key_resource =
            crate::engine::Resource::new("KMSKey", id, format!("aws/{file}")).with_arn(Some(&key));
        with_document::<KeyRotationStatus>(snapshot, &file, &key_resource, |status| {
            vec![match status.key_rotation_enabled {
                Some(true) => result(
                    &key_resource,
                    Status::Pass,
                    "/KeyRotationEnabled",
                    "automatic rotation is on",
                ),
                Some(false) => result(
                    &key_resource,
                    Status::Fail,
                    "/KeyRotationEnabled",
                    "automatic rotation is off",
                ),
                None => result(
                    &key_resource,
                    Status::Unknown,
                    "",
                    "get-key-rotation-status has no KeyRotationEnabled",
                ),
            }]
        })
    })
}
