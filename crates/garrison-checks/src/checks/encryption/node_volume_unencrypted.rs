use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// One result per EBS block device of each collected node launch template version: PASS when
    /// `Ebs.Encrypted` is true or the account encrypts new volumes by default
    /// (`ec2/get-ebs-encryption-by-default.json`); FAIL otherwise.
    ///
    /// ## Why it matters
    /// Node root and data volumes hold container images, emptyDir data and sometimes Secrets
    /// written to disk; unencrypted snapshots of them can be shared or copied out of the account.
    ///
    /// ## How to fix
    /// Set `Encrypted: true` (optionally `KmsKeyId`) on the block device mappings, or turn on EBS
    /// encryption by default for the region.
    ///
    /// ## References
    /// - Amazon EC2 documentation: Amazon EBS encryption
    /// - EKS Best Practices Guide, Security: Data encryption and secrets management
    pub static META = CheckMeta {
        id: "EKS-ENC-005",
        name: "node-volume-unencrypted",
        title: "Node launch template leaves EBS volumes unencrypted",
        severity: Severity::Medium,
        level: Level::Infrastructure,
        control: SeedControl::Encryption,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Encrypt node EBS volumes (launch template or account default).",
    };
}

use garrison_core::aws::ec2::{DescribeLaunchTemplateVersions, EbsEncryptionByDefault};

pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    let mut results = Vec::new();
    let Some(templates) = each_document::<DescribeLaunchTemplateVersions>(
        snapshot,
        "ec2/describe-launch-template-versions/",
        "LaunchTemplate",
        &mut results,
    ) else {
        return results;
    };
    let by_default = snapshot
        .document::<EbsEncryptionByDefault>("ec2/get-ebs-encryption-by-default.json")
        .ok()
        .and_then(|d| d.ebs_encryption_by_default)
        .unwrap_or(false);
    for (document, resource) in templates {
        for (v, version) in document.launch_template_versions.iter().enumerate() {
            let devices = version
                .launch_template_data
                .as_ref()
                .map(|d| d.block_device_mappings.as_slice())
                .unwrap_or_default();
            for (d, device) in devices.iter().enumerate() {
                let Some(ebs) = &device.ebs else { continue };
                let name = device.device_name.as_deref().unwrap_or("volume");
                let pointer = format!(
                    "/LaunchTemplateVersions/{v}/LaunchTemplateData/BlockDeviceMappings/{d}/Ebs"
                );
                results.push(match (ebs.encrypted, by_default) {
                    (Some(true), _) => result(
                        &resource,
                        Status::Pass,
                        &pointer,
                        format!("{name} is encrypted"),
                    ),
                    (_, true) => result(
                        &resource,
                        Status::Pass,
                        &pointer,
                        format!("{name} is encrypted by the account's EBS default"),
                    ),
                    _ => result(
                        &resource,
                        Status::Fail,
                        &pointer,
                        format!("{name} is not encrypted"),
                    ),
                });
            }
        }
    }
    results
}
