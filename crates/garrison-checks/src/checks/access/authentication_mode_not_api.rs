use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// Fails unless `accessConfig.authenticationMode` is `API`, and reports a present `aws-auth`
    /// ConfigMap with mappings on an `API` cluster as WARN: EKS ignores it, but reviewers may not know.
    /// Auto Mode clusters require `API`.
    ///
    /// ## Why it matters
    /// While aws-auth is honoured, two sources grant access and a review of access entries alone is
    /// incomplete. Dead aws-auth mappings on an API-only cluster mislead whoever reads them.
    ///
    /// ## How to fix
    /// Once every mapping has an access entry, set `authenticationMode=API` and delete
    /// `kube-system/aws-auth`.
    ///
    /// ## References
    /// - EKS documentation: Grant IAM users access to Kubernetes with EKS access entries
    /// - CIS Amazon EKS Benchmark v1.8.0, 4.1.7
    pub static META = CheckMeta {
        id: "EKS-CAM-002",
        name: "authentication-mode-not-api",
        title: "Cluster still honours the aws-auth ConfigMap",
        severity: Severity::Low,
        level: Level::Cluster,
        control: SeedControl::ClusterAccessManagement,
        cis: Some("4.1.7"),
        security_hub: None,
        pss: None,
        remediation: "Move every mapping to access entries and set authenticationMode to API.",
    };
}

pub fn evaluate(context: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    with_cluster(snapshot, |cluster, resource| {
        const POINTER: &str = "/cluster/accessConfig/authenticationMode";
        let mode = cluster
            .access_config
            .as_ref()
            .and_then(|access| access.authentication_mode.as_deref());
        let aws_auth_mappings = context.inventory.objects.iter().any(|object| {
            object.kind == "ConfigMap"
                && object.name == "aws-auth"
                && object.in_namespace("kube-system")
                && ["mapRoles", "mapUsers", "mapAccounts"].iter().any(|key| {
                    object
                        .value
                        .pointer(&format!("/data/{key}"))
                        .and_then(serde_json::Value::as_str)
                        .is_some_and(|text| !text.trim().is_empty() && text.trim() != "[]")
                })
        });
        vec![match mode {
            None => result(
                resource,
                Status::Unknown,
                POINTER,
                "describe-cluster has no accessConfig.authenticationMode",
            ),
            Some("API") if aws_auth_mappings => result(
                resource,
                Status::Warn,
                POINTER,
                "authentication mode is API, but kube-system/aws-auth still holds mappings that EKS ignores",
            ),
            Some("API") => result(
                resource,
                Status::Pass,
                POINTER,
                "authentication mode is API: access comes from access entries only",
            ),
            Some(mode) => result(
                resource,
                Status::Fail,
                POINTER,
                format!(
                    "authentication mode is {mode}: the aws-auth ConfigMap still grants access"
                ),
            ),
        }]
    })
}
