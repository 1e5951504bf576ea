use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// One result per log type among `api`, `controllerManager` and `scheduler`, from the union of
    /// enabled `logging.clusterLogging` entries. Graded apart from audit and authenticator so that
    /// their gaps are not diluted.
    ///
    /// ## Why it matters
    /// These logs explain control-plane behaviour during an incident (admission errors, controller
    /// actions, scheduling decisions).
    ///
    /// ## How to fix
    /// Enable the missing types with `aws eks update-cluster-config --logging`.
    ///
    /// ## References
    /// - EKS documentation: Send control plane logs to CloudWatch Logs
    /// - EKS Best Practices Guide, Security: Detective controls
    pub static META = CheckMeta {
        id: "EKS-LOG-003",
        name: "control-plane-log-types",
        title: "Control-plane api, controllerManager or scheduler log is off",
        severity: Severity::Low,
        level: Level::Cluster,
        control: SeedControl::AuditLoggingAndMonitoring,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Enable the api, controllerManager and scheduler logs.",
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
        let enabled = logging.enabled_types();
        ["api", "controllerManager", "scheduler"]
            .into_iter()
            .map(|kind| {
                if enabled.contains(&kind) {
                    result(
                        resource,
                        Status::Pass,
                        "/cluster/logging/clusterLogging",
                        format!("the {kind} log is enabled"),
                    )
                } else {
                    result(
                        resource,
                        Status::Fail,
                        "/cluster/logging/clusterLogging",
                        format!("the {kind} log is not enabled"),
                    )
                }
            })
            .collect()
    })
}
