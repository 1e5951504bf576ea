use garrison_core::{Level, Object, SeedControl, Severity, Workload};

use crate::checks::pss_control;
use crate::engine::{Context, Outcome};
use crate::pss::PssCheckId;

declare_check! {
    /// ## What it does
    /// Reports pods with a volume of a type the restricted Pod Security Standard does not allow: any
    /// type other than `configMap`, `csi`, `downwardAPI`, `emptyDir`, `ephemeral`, `persistentVolumeClaim`,
    /// `projected` and `secret` (for instance `hostPath`, `nfs`, `awsElasticBlockStore`, `gitRepo`).
    /// Judged by the PSS engine (restricted control `restrictedVolumes`).
    ///
    /// ## Why it matters
    /// In-line volume types other than those reach storage through the node: they bypass the
    /// PersistentVolume layer where access is reviewed and bound, and several (hostPath, gitRepo, in-tree
    /// network filesystems) have been the path of node compromises.
    ///
    /// ## How to fix
    /// Use a PersistentVolumeClaim (with a CSI StorageClass for EBS or EFS), a projected volume, or
    /// an emptyDir.
    ///
    /// ## References
    /// - Pod Security Standards, restricted: Volume Types
    pub static META = CheckMeta {
        id: "EKS-PSS-027",
        name: "volume-type-not-restricted",
        title: "Pod uses a volume type outside the restricted set",
        severity: Severity::Low,
        level: Level::Application,
        control: SeedControl::PodSecurity,
        cis: None,
        security_hub: None,
        pss: Some("restrictedVolumes"),
        remediation: "Replace the volume with a PVC, projected, configMap, secret or emptyDir volume.",
    };
}

pub fn evaluate(_: &Context<'_>, workload: &Workload, object: &Object) -> Vec<Outcome> {
    pss_control(workload, object, PssCheckId::RestrictedVolumes)
}
