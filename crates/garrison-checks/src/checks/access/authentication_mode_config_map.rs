use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// Reads `cluster.accessConfig.authenticationMode` from `describe-cluster` and fails when it is
    /// `CONFIG_MAP`, i.e. EKS access entries are not enabled. A missing `accessConfig` is UNKNOWN.
    ///
    /// ## Why it matters
    /// With `CONFIG_MAP` every IAM mapping lives in one editable ConfigMap: a typo locks everyone out,
    /// anyone who can edit `kube-system/aws-auth` can grant themselves access, and AWS cannot audit or
    /// restrict the mappings through IAM.
    ///
    /// ## How to fix
    /// Switch the cluster to `API_AND_CONFIG_MAP` (`aws eks update-cluster-config --access-config
    /// authenticationMode=API_AND_CONFIG_MAP`), migrate the mappings to access entries, then to `API`.
    /// The change is one-way: CONFIG_MAP → API_AND_CONFIG_MAP → API.
    ///
    /// ## References
    /// - EKS documentation: Grant IAM users access to Kubernetes with EKS access entries
    /// - CIS Amazon EKS Benchmark v1.8.0, 4.1.7
    /// - EKS Best Practices Guide, Security: Identity and Access Management
    pub static META = CheckMeta {
        id: "EKS-CAM-001",
        name: "authentication-mode-config-map",
        title: "Cluster authenticates only through the aws-auth ConfigMap",
        severity: Severity::Medium,
        level: Level::Cluster,
        control: SeedControl::ClusterAccessManagement,
        cis: Some("4.1.7"),
        security_hub: None,
        pss: None,
        remediation: "Enable EKS access entries (authenticationMode API_AND_CONFIG_MAP, then API).",
    };
}

pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    with_cluster(snapshot, |cluster, resource| {
        const POINTER: &str = "/cluster/accessConfig/authenticationMode";
        let mode = cluster
            .access_config
            .as_ref()
            .and_then(|access| access.authentication_mode.as_deref());
        vec![match mode {
            None => result(
                resource,
                Status::Unknown,
                POINTER,
                "describe-cluster has no accessConfig.authenticationMode",
            ),
            Some("CONFIG_MAP") => result(
                resource,
                Status::Fail,
                POINTER,
                "authentication mode is CONFIG_MAP: access entries are off and aws-auth is the only source of access",
            ),
            Some(mode) => result(
                resource,
                Status::Pass,
                POINTER,
                format!("authentication mode is {mode}: EKS access entries are enabled"),
            ),
        }]
    })
}
