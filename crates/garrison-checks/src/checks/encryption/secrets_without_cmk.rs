use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// Reads `encryptionConfig`: PASS when an entry covers `secrets` with a KMS key ARN. Version-aware:
    /// from Kubernetes 1.28 EKS envelope-encrypts all API data with an AWS-owned key by default, so a
    /// missing configuration there is reported as "no customer-managed key" (FAIL at this check's
    /// Medium severity), not as unencrypted; below 1.28 the message says Secrets are only encrypted at
    /// the volume level. An `encryptionConfig` whose `resources` lacks `secrets` fails.
    ///
    /// ## Why it matters
    /// With a customer-managed key you control who can decrypt Secrets (the key policy), can audit
    /// every decryption in CloudTrail, and can revoke access by disabling the key.
    ///
    /// ## How to fix
    /// `aws eks associate-encryption-config --encryption-config
    /// '[{"resources":["secrets"],"provider":{"keyArn":"arn:aws:kms:…"}}]'`. It cannot be removed once
    /// set.
    ///
    /// ## References
    /// - EKS documentation: Encrypt Kubernetes secrets with KMS on existing clusters
    /// - EKS documentation: Default envelope encryption for all Kubernetes API data
    /// - CIS Amazon EKS Benchmark v1.8.0, 5.3.1
    /// - AWS Security Hub control EKS.3
    pub static META = CheckMeta {
        id: "EKS-ENC-001",
        name: "secrets-without-cmk",
        title: "Kubernetes Secrets are not envelope-encrypted with a customer-managed KMS key",
        severity: Severity::Medium,
        level: Level::Cluster,
        control: SeedControl::Encryption,
        cis: Some("5.3.1"),
        security_hub: Some("EKS.3"),
        pss: None,
        remediation: "Associate a customer-managed KMS key for secrets with the cluster.",
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

pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    with_cluster(snapshot, |cluster, resource| {
        if let Some((index, key)) = secrets_key(cluster) {
            return vec![result(
                resource,
                Status::Pass,
                &format!("/cluster/encryptionConfig/{index}"),
                format!("Secrets are envelope-encrypted with {key}"),
            )];
        }
        if !cluster.encryption_config.is_empty() {
            return vec![result(
                resource,
                Status::Fail,
                "/cluster/encryptionConfig",
                "encryptionConfig does not cover secrets",
            )];
        }
        let message = match cluster.version() {
            Some(version) if version >= (1, 28) => {
                "no customer-managed key: Secrets are envelope-encrypted only with the AWS-owned default key (Kubernetes 1.28+)"
            }
            Some(_) => {
                "no envelope encryption of Secrets: before Kubernetes 1.28 they are protected only by volume encryption"
            }
            None => "no customer-managed key for Secrets",
        };
        vec![result(resource, Status::Fail, "/cluster", message)]
    })
}
