use garrison_core::{Level, Object, SeedControl, Severity};

use super::{Permission, judge};
use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// Reports each subject of a ClusterRoleBinding that can create PersistentVolumes.
    /// PersistentVolumes are cluster-scoped, so a RoleBinding cannot grant this even when its
    /// ClusterRole lists them, and such bindings pass.
    ///
    /// ## Why it matters
    /// A PersistentVolume can be a `hostPath` volume: whoever creates one, and a claim bound to
    /// it, mounts any directory of the node into a pod, even in a namespace where Pod Security
    /// admission forbids `hostPath` in pod specs.
    ///
    /// ## How to fix
    /// Let the CSI provisioners (and the storage administrators) create PersistentVolumes;
    /// everyone else creates PersistentVolumeClaims against a StorageClass.
    ///
    /// ## References
    /// - CIS Amazon EKS Benchmark 4.1.9: minimize access to create persistent volumes
    /// - Kubernetes documentation: RBAC good practices, persistent volume creation
    pub static META = CheckMeta {
        id: "EKS-CIS-4.1.9",
        name: "persistent-volume-creation",
        title: "Subject can create PersistentVolumes",
        severity: Severity::Medium,
        level: Level::Cluster,
        control: SeedControl::CisBenchmark,
        cis: Some("4.1.9"),
        security_hub: None,
        pss: None,
        remediation: "Remove create on persistentvolumes; let users create PersistentVolumeClaims.",
    };
}

const PERMISSIONS: &[Permission] = &[Permission::cluster("create", "", "persistentvolumes")];

pub fn evaluate(context: &Context<'_>, object: &Object) -> Option<Vec<Outcome>> {
    judge(context, object, PERMISSIONS)
}
