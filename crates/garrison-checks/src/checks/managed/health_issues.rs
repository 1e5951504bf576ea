use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// One result for the cluster (`cluster.health.issues`), each described add-on (`status` and
    /// `health.issues`) and each node group (`health.issues`): FAIL naming the issue codes, PASS when
    /// there are none.
    ///
    /// ## Why it matters
    /// Health issues such as `AccessDenied`, `IamRoleNotFound` or a degraded add-on mean a part of
    /// the cluster's security machinery (networking, identity, encryption) is not doing its job.
    ///
    /// ## How to fix
    /// Follow the issue code's guidance in the EKS documentation; most come from changed IAM roles,
    /// deleted security groups or subnets running out of addresses.
    ///
    /// ## References
    /// - EKS documentation: Cluster health
    /// - EKS documentation: Amazon EKS add-ons
    pub static META = CheckMeta {
        id: "EKS-MGD-004",
        name: "health-issues",
        title: "Cluster, add-on or node group reports health issues",
        severity: Severity::Medium,
        level: Level::Cluster,
        control: SeedControl::ManagedComponents,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Resolve the reported EKS health issues.",
    };
}

use garrison_core::aws::eks::{DescribeAddon, DescribeNodegroup, Health};

fn judge(
    resource: &crate::engine::Resource,
    health: Option<&Health>,
    status: Option<&str>,
    pointer: &str,
) -> ResourceOutcome {
    let codes: Vec<&str> = health
        .map(|h| {
            h.issues
                .iter()
                .map(|i| i.code.as_deref().unwrap_or("?"))
                .collect()
        })
        .unwrap_or_default();
    match status {
        Some(status @ ("DEGRADED" | "CREATE_FAILED" | "UPDATE_FAILED" | "DELETE_FAILED")) => {
            result(
                resource,
                Status::Fail,
                pointer,
                format!("status {status}; issues: [{}]", codes.join(", ")),
            )
        }
        _ if !codes.is_empty() => result(
            resource,
            Status::Fail,
            pointer,
            format!("health issues: {}", codes.join(", ")),
        ),
        _ => result(resource, Status::Pass, pointer, "no health issues"),
    }
}

pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    with_cluster(snapshot, |cluster, resource| {
        let mut results = vec![judge(
            resource,
            cluster.health.as_ref(),
            None,
            "/cluster/health",
        )];
        if let Some(addons) =
            each_document::<DescribeAddon>(snapshot, "eks/addons/", "Addon", &mut results)
        {
            for (document, addon_resource) in addons {
                let addon = document.addon;
                results.push(judge(
                    &addon_resource.with_arn(addon.addon_arn.as_deref()),
                    addon.health.as_ref(),
                    addon.status.as_deref(),
                    "/addon/health",
                ));
            }
        }
        if let Some(groups) = each_document::<DescribeNodegroup>(
            snapshot,
            "eks/nodegroups/",
            "Nodegroup",
            &mut results,
        ) {
            for (document, group_resource) in groups {
                let group = document.nodegroup;
                results.push(judge(
                    &group_resource.with_arn(group.nodegroup_arn.as_deref()),
                    group.health.as_ref(),
                    None,
                    "/nodegroup/health",
                ));
            }
        }
        results
    })
}
