use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// One result per StorageClass of the EBS provisioners (`ebs.csi.aws.com`,
    /// `ebs.csi.eks.amazonaws.com`, and the in-tree `kubernetes.io/aws-ebs` that others miss): PASS
    /// when `parameters.encrypted` is `"true"`, or the account encrypts new volumes by default
    /// (`ec2/get-ebs-encryption-by-default.json`); FAIL otherwise.
    ///
    /// ## Why it matters
    /// Persistent volumes hold application data; unencrypted volumes and their snapshots can be
    /// copied or shared without any key policy standing in the way.
    ///
    /// ## How to fix
    /// Set `parameters.encrypted: "true"` (and `kmsKeyId`) on the StorageClass, or enable EBS
    /// encryption by default in the region. Existing volumes must be migrated.
    ///
    /// ## References
    /// - EKS documentation: Store Kubernetes volumes with Amazon EBS
    /// - EKS Best Practices Guide, Security: Data encryption and secrets management
    pub static META = CheckMeta {
        id: "EKS-ENC-004",
        name: "ebs-storage-class-unencrypted",
        title: "EBS StorageClass creates unencrypted volumes",
        severity: Severity::Medium,
        level: Level::Infrastructure,
        control: SeedControl::Encryption,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Set parameters.encrypted to true on EBS StorageClasses.",
    };
}

const PROVISIONERS: [&str; 3] = [
    "ebs.csi.aws.com",
    "ebs.csi.eks.amazonaws.com",
    "kubernetes.io/aws-ebs",
];

pub fn evaluate(context: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    let by_default = snapshot
        .document::<garrison_core::aws::ec2::EbsEncryptionByDefault>(
            "ec2/get-ebs-encryption-by-default.json",
        )
        .ok()
        .and_then(|d| d.ebs_encryption_by_default)
        .unwrap_or(false);
    context
        .inventory
        .objects
        .iter()
        .filter(|o| o.kind == "StorageClass")
        .filter_map(|class| {
            let provisioner = class
                .value
                .pointer("/provisioner")
                .and_then(serde_json::Value::as_str)?;
            if !PROVISIONERS.contains(&provisioner) {
                return None;
            }
            let resource = crate::engine::Resource::new(
                "StorageClass",
                class.name.clone(),
                class.origin.file.name.to_string(),
            );
            let encrypted = class
                .value
                .pointer("/parameters/encrypted")
                .and_then(serde_json::Value::as_str)
                .is_some_and(|v| v.eq_ignore_ascii_case("true"));
            Some(if encrypted {
                result(
                    &resource,
                    Status::Pass,
                    "/parameters/encrypted",
                    "volumes are encrypted",
                )
            } else if by_default {
                result(
                    &resource,
                    Status::Pass,
                    "/parameters",
                    "volumes are encrypted by the account's EBS default",
                )
            } else {
                result(
                    &resource,
                    Status::Fail,
                    "/parameters",
                    format!("{provisioner} volumes are created unencrypted"),
                )
            })
        })
        .collect()
}
