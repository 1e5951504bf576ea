use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// For a cluster with a Secrets key: FAIL when `cluster.health.issues` has a KMS code
    /// (`KmsKeyDisabled`, `KmsKeyMarkedForDeletion`, `KmsKeyNotFound`, `KmsGrantRevoked`) or
    /// `kms/<key id>.describe.json` shows a `KeyState` other than `Enabled`; PASS when the key is
    /// enabled; UNKNOWN when the key was not described and EKS reports no issue.
    ///
    /// ## Why it matters
    /// EKS cannot read any Secret without the key: a key scheduled for deletion makes the cluster
    /// unrecoverable when the deletion happens.
    ///
    /// ## How to fix
    /// Cancel the deletion (`aws kms cancel-key-deletion`), re-enable the key, or restore the grant
    /// EKS uses; alarm on key state changes.
    ///
    /// ## References
    /// - EKS documentation: Encrypt Kubernetes secrets with KMS on existing clusters
    /// - AWS KMS documentation: Key states
    pub static META = CheckMeta {
        id: "EKS-ENC-002",
        name: "kms-key-unusable",
        title: "Secrets KMS key is disabled, pending deletion or unreachable",
        severity: Severity::Critical,
        level: Level::Cluster,
        control: SeedControl::Encryption,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Keep the Secrets KMS key enabled; cancel any scheduled deletion.",
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

use garrison_core::aws::services::DescribeKey;

const KMS_CODES: [&str; 4] = [
    "KmsKeyDisabled",
    "KmsKeyMarkedForDeletion",
    "KmsKeyNotFound",
    "KmsGrantRevoked",
];

pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    with_cluster(snapshot, |cluster, resource| {
        let Some((_, key)) = secrets_key(cluster) else {
            return vec![not_applicable(
                resource,
                "no customer-managed key encrypts Secrets",
            )];
        };
        let issues = cluster
            .health
            .as_ref()
            .map(|h| h.issues.as_slice())
            .unwrap_or_default();
        if let Some((index, issue)) = issues
            .iter()
            .enumerate()
            .find(|(_, i)| i.code.as_deref().is_some_and(|c| KMS_CODES.contains(&c)))
        {
            return vec![result(
                resource,
                Status::Fail,
                &format!("/cluster/health/issues/{index}"),
                format!(
                    "EKS reports {}: {}",
                    issue.code.as_deref().unwrap_or("?"),
                    issue.message.as_deref().unwrap_or("")
                ),
            )];
        }
        let id = key.rsplit('/').next().unwrap_or(&key);
        let file = format!("kms/{id}.describe.json");
        let key_resource =
            crate::engine::Resource::new("KMSKey", id, format!("aws/{file}")).with_arn(Some(&key));
        match snapshot.document::<DescribeKey>(&file) {
            Ok(described) => {
                let state = described.key_metadata.key_state.unwrap_or_default();
                vec![if state == "Enabled" {
                    result(
                        &key_resource,
                        Status::Pass,
                        "/KeyMetadata/KeyState",
                        "the Secrets key is enabled",
                    )
                } else {
                    result(
                        &key_resource,
                        Status::Fail,
                        "/KeyMetadata/KeyState",
                        format!(
                            "the Secrets key is {state}{}",
                            described
                                .key_metadata
                                .deletion_date
                                .map(|d| format!(" (deletion on {d})"))
                                .unwrap_or_default()
                        ),
                    )
                }]
            }
            Err(missing) => vec![unknown(&key_resource, &file, &missing)],
        }
    })
}
