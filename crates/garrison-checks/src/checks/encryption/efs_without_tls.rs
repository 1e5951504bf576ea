use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

use super::efs_volumes;

declare_check! {
    /// ## What it does
    /// One result per EFS PersistentVolume (`spec.csi.driver: efs.csi.aws.com`): FAIL when
    /// `spec.csi.volumeAttributes.encryptInTransit` is `"false"`, PASS otherwise (the driver mounts
    /// with TLS by default).
    ///
    /// ## Why it matters
    /// NFS traffic without TLS crosses the VPC in clear text: file contents and credentials stored in
    /// them can be read by anything that sees the traffic.
    ///
    /// ## How to fix
    /// Remove `encryptInTransit: "false"` from the volume attributes (the default is TLS).
    ///
    /// ## References
    /// - EKS documentation: Store an elastic file system with Amazon EFS
    /// - EKS Best Practices Guide, Security: Data encryption and secrets management
    pub static META = CheckMeta {
        id: "EKS-ENC-006",
        name: "efs-without-tls",
        title: "EFS volume mounted without encryption in transit",
        severity: Severity::Medium,
        level: Level::Infrastructure,
        control: SeedControl::Encryption,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Keep encryptInTransit on for EFS volumes.",
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
            let setting = volume
                .value
                .pointer("/spec/csi/volumeAttributes/encryptInTransit")
                .and_then(serde_json::Value::as_str);
            if setting.is_some_and(|v| v.eq_ignore_ascii_case("false")) {
                result(
                    &resource,
                    Status::Fail,
                    "/spec/csi/volumeAttributes/encryptInTransit",
                    "the EFS mount does not use TLS",
                )
            } else {
                result(
                    &resource,
                    Status::Pass,
                    "/spec/csi",
                    "the EFS mount uses TLS",
                )
            }
        })
        .collect()
}
