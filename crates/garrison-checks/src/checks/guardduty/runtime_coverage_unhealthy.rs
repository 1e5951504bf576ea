use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// Finds the cluster in `guardduty/list-coverage.json`: FAIL when its `CoverageStatus` is
    /// UNHEALTHY (with the reported issue) or fewer nodes are covered than are compatible, PASS when
    /// HEALTHY and complete, FAIL when the cluster is absent from the coverage list.
    ///
    /// ## Why it matters
    /// A detector can be enabled while this cluster is excluded (tag `GuardDutyManaged=false`) or its
    /// agent is failing: the console says "on", the cluster is unmonitored.
    ///
    /// ## How to fix
    /// Fix the reported issue (often a missing VPC endpoint for `guardduty-data` or an agent pod that
    /// cannot schedule) and remove exclusion tags.
    ///
    /// ## References
    /// - Amazon GuardDuty documentation: EKS Protection and Runtime Monitoring
    /// - Amazon GuardDuty documentation: Runtime coverage for EKS clusters
    pub static META = CheckMeta {
        id: "EKS-GD-005",
        name: "runtime-coverage-unhealthy",
        title: "GuardDuty runtime coverage of the cluster is unhealthy or partial",
        severity: Severity::Medium,
        level: Level::Infrastructure,
        control: SeedControl::Guardduty,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Restore healthy GuardDuty runtime coverage for the cluster.",
    };
}

use garrison_core::aws::guardduty::ListCoverage;

pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    with_cluster(snapshot, |cluster, resource| {
        let name = cluster.name().to_string();
        with_document::<ListCoverage>(
            snapshot,
            "guardduty/list-coverage.json",
            resource,
            |coverage| {
                let found = coverage.resources.iter().enumerate().find(|(_, r)| {
                    r.resource_details
                        .as_ref()
                        .and_then(|d| d.eks_cluster_details.as_ref())
                        .and_then(|e| e.cluster_name.as_deref())
                        == Some(name.as_str())
                        || r.resource_id.as_deref() == Some(name.as_str())
                });
                let Some((index, entry)) = found else {
                    return vec![result(
                        resource,
                        Status::Fail,
                        "/Resources",
                        format!("{name} is not covered by GuardDuty Runtime Monitoring"),
                    )];
                };
                let pointer = format!("/Resources/{index}");
                let details = entry
                    .resource_details
                    .as_ref()
                    .and_then(|d| d.eks_cluster_details.clone())
                    .unwrap_or_default();
                let (covered, compatible) = (
                    details.covered_nodes.unwrap_or(0),
                    details.compatible_nodes.unwrap_or(0),
                );
                vec![if entry.coverage_status.as_deref() != Some("HEALTHY") {
                    result(
                        resource,
                        Status::Fail,
                        &pointer,
                        format!(
                            "coverage is {}: {}",
                            entry.coverage_status.as_deref().unwrap_or("?"),
                            entry.issue.as_deref().unwrap_or("no issue given")
                        ),
                    )
                } else if covered < compatible {
                    result(
                        resource,
                        Status::Fail,
                        &pointer,
                        format!("only {covered} of {compatible} compatible nodes are covered"),
                    )
                } else {
                    result(
                        resource,
                        Status::Pass,
                        &pointer,
                        format!("coverage is healthy ({covered} of {compatible} nodes)"),
                    )
                }]
            },
        )
    })
}
