use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

use super::efs_volumes;

declare_check! {
    /// ## What it does
    /// One result per EFS PersistentVolume: PASS when `spec.csi.volumeHandle` names an access point
    /// (`fs-…::fsap-…`), FAIL when it mounts the file system (or a path of it) directly.
    ///
    /// ## Why it matters
    /// An access point pins the POSIX identity and root directory a pod sees; without one, a pod can
    /// reach every other tenant's files on the same file system.
    ///
    /// ## How to fix
    /// Create an EFS access point per application and use `volumeHandle: fs-…::fsap-…`.
    ///
    /// ## References
    /// - EKS documentation: Store an elastic file system with Amazon EFS
    /// - EKS Best Practices Guide, Security: Data encryption and secrets management (EFS access points)
    pub static META = CheckMeta {
        id: "EKS-ENC-007",
        name: "efs-without-access-point",
        title: "EFS volume mounts the file system root instead of an access point",
        severity: Severity::Low,
        level: Level::Infrastructure,
        control: SeedControl::Encryption,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Mount EFS through access points.",
    };
}

pub fn evaluate(context: &Context<'_>, _: &Snapshot) -> Vec<ResourceOutcome> {
    efs_volumes(context)
        .map(|volume| {
            let resource = crate::engine::Resource::new(
                "PersistentVolume",
                volume.name.clone(),
                volume.origin.file.name.to_string(),
            );
            let handle = volume
                .value
                .pointer("/spec/csi/volumeHandle")
                .and_then(serde_json::Value::as_str)
                .unwrap_or_default();
            if handle.contains("::fsap-") {
                result(
                    &resource,
                    Status::Pass,
                    "/spec/csi/volumeHandle",
                    format!("{handle} uses an access point"),
                )
            } else {
                result(
                    &resource,
                    Status::Fail,
                    "/spec/csi/volumeHandle",
                    format!("{handle} mounts the file system without an access point"),
                )
            }
        })
        .collect()
}
