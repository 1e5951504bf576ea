use garrison_core::{Level, Object, SeedControl, Severity, Status, Workload};

use super::per_repository;
use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// For each ECR repository a workload's images come from, reads
    /// `encryptionConfiguration.encryptionType` from `aws/ecr/describe-repositories.json`:
    /// `KMS` or `KMS_DSSE` passes, `AES256` (ECR's default, S3-managed keys) fails. Repositories
    /// missing from the snapshot are UNKNOWN; workloads without private-ECR images pass.
    ///
    /// ## Why it matters
    /// Images carry application code, configuration baked in at build time and sometimes
    /// credentials. With a KMS key, reading the layers needs `kms:Decrypt` on a key whose policy
    /// and CloudTrail record you control; with AES256 anyone with ECR read access can read them
    /// and key usage is not audited.
    ///
    /// ## How to fix
    /// Encryption is fixed when a repository is created: create a new repository with
    /// `--encryption-configuration encryptionType=KMS,kmsKey=<key-arn>`, push the images there
    /// and switch the workloads to it. A repository creation template makes it the default.
    ///
    /// ## References
    /// - Amazon ECR User Guide: encryption at rest
    /// - EKS Best Practices Guide, Data Encryption and Secrets Management
    pub static META = CheckMeta {
        id: "EKS-IMG-009",
        name: "image-repository-not-kms-encrypted",
        title: "ECR repository not encrypted with a KMS key",
        severity: Severity::Low,
        level: Level::Application,
        control: SeedControl::ImageSecurity,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Move the images to an ECR repository created with KMS encryption.",
    };
}

pub fn evaluate(context: &Context<'_>, workload: &Workload, _: &Object) -> Vec<Outcome> {
    per_repository(context, workload, |_, repository, _| {
        let name = repository.repository_name.as_deref().unwrap_or_default();
        let encryption = repository.encryption_configuration.as_ref();
        match encryption.and_then(|e| e.encryption_type.as_deref()) {
            Some(kind @ ("KMS" | "KMS_DSSE")) => (
                Status::Pass,
                format!(
                    "repository {name} is encrypted with {kind} key {}",
                    encryption
                        .and_then(|e| e.kms_key.as_deref())
                        .unwrap_or("(AWS managed)")
                ),
            ),
            Some(kind) => (
                Status::Fail,
                format!("repository {name} is encrypted with {kind}, not a KMS key"),
            ),
            None => (
                Status::Fail,
                format!("repository {name} has no encryption configuration (AES256 by default)"),
            ),
        }
    })
}
