use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// Takes the union of `logging.clusterLogging[].types` over the entries with `enabled: true`
    /// (EKS returns one entry for enabled and one for disabled types, so reading only the first entry
    /// is wrong) and fails when `audit` is not in it.
    ///
    /// ## Why it matters
    /// The audit log is the only record of who did what through the Kubernetes API: without it an
    /// incident cannot be investigated and GuardDuty-style detections have nothing to read.
    ///
    /// ## How to fix
    /// `aws eks update-cluster-config --name <cluster> --logging
    /// '{"clusterLogging":[{"types":["audit"],"enabled":true}]}'`.
    ///
    /// ## References
    /// - EKS documentation: Send control plane logs to CloudWatch Logs
    /// - EKS Best Practices Guide, Security: Detective controls
    /// - CIS Amazon EKS Benchmark v1.8.0, 2.1.1
    /// - AWS Security Hub control EKS.8
    pub static META = CheckMeta {
        id: "EKS-LOG-001",
        name: "audit-log-disabled",
        title: "Control-plane audit log is not enabled",
        severity: Severity::High,
        level: Level::Cluster,
        control: SeedControl::AuditLoggingAndMonitoring,
        cis: Some("2.1.1"),
        security_hub: Some("EKS.8"),
        pss: None,
        remediation: "Enable the audit control-plane log.",
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
        let enabled = logging.enabled_types().contains(&"audit");
        vec![if enabled {
            result(
                resource,
                Status::Pass,
                "/cluster/logging/clusterLogging",
                "the audit log is sent to CloudWatch Logs",
            )
        } else {
            result(
                resource,
                Status::Fail,
                "/cluster/logging/clusterLogging",
                "the audit log is not enabled",
            )
        }]
    })
}
