use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// Takes the union of `logging.clusterLogging[].types` over the entries with `enabled: true`
    /// (EKS returns one entry for enabled and one for disabled types, so reading only the first entry
    /// is wrong) and fails when `authenticator` is not in it.
    ///
    /// ## Why it matters
    /// The authenticator log maps Kubernetes usernames back to the IAM principals (and role sessions)
    /// that authenticated; without it, an audit event names an access-entry username, not a person.
    ///
    /// ## How to fix
    /// `aws eks update-cluster-config --name <cluster> --logging
    /// '{"clusterLogging":[{"types":["authenticator"],"enabled":true}]}'`.
    ///
    /// ## References
    /// - EKS documentation: Send control plane logs to CloudWatch Logs
    /// - EKS Best Practices Guide, Security: Detective controls
    pub static META = CheckMeta {
        id: "EKS-LOG-002",
        name: "authenticator-log-disabled",
        title: "Control-plane authenticator log is not enabled",
        severity: Severity::Medium,
        level: Level::Cluster,
        control: SeedControl::AuditLoggingAndMonitoring,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Enable the authenticator control-plane log.",
    };
}

pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    with_cluster(snapshot, |cluster, resource| {
        let Some(logging) = &cluster.logging else {
            return vec![result(
                resource,
                Status::Unknown,
                "/cluster",
                "describe-cluster has no logging member",
            )];
        };
        let enabled = logging.enabled_types().contains(&"authenticator");
        vec![if enabled {
            result(
                resource,
                Status::Pass,
                "/cluster/logging/clusterLogging",
                "the authenticator log is sent to CloudWatch Logs",
            )
        } else {
            result(
                resource,
                Status::Fail,
                "/cluster/logging/clusterLogging",
                "the authenticator log is not enabled",
            )
        }]
    })
}
