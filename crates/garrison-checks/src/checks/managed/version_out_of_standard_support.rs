use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// Looks the cluster's `version` up in `eks/describe-cluster-versions.json` (the API's own
    /// lifecycle data, not a hard-coded baseline that drifts): PASS in `STANDARD_SUPPORT`, FAIL in
    /// `EXTENDED_SUPPORT` (naming the end date and the paid extended-support policy) or
    /// `UNSUPPORTED`. UNKNOWN when the versions document was not collected.
    ///
    /// ## Why it matters
    /// Versions past standard support get security fixes only at extra cost (extended support) or
    /// not at all, and EKS upgrades them automatically at the end of extended support.
    ///
    /// ## How to fix
    /// Upgrade the control plane one minor version at a time, then the node groups and add-ons;
    /// cluster insights list the deprecated APIs to fix first.
    ///
    /// ## References
    /// - EKS documentation: Understand the Kubernetes version lifecycle on EKS
    /// - AWS Security Hub control EKS.2
    pub static META = CheckMeta {
        id: "EKS-MGD-001",
        name: "version-out-of-standard-support",
        title: "Kubernetes version is past standard support",
        severity: Severity::High,
        level: Level::Cluster,
        control: SeedControl::ManagedComponents,
        cis: None,
        security_hub: Some("EKS.2"),
        pss: None,
        remediation: "Upgrade to a Kubernetes version in standard support.",
    };
}

use garrison_core::aws::eks::DescribeClusterVersions;

pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    with_cluster(snapshot, |cluster, resource| {
        let Some(version) = cluster.version.clone() else {
            return vec![result(
                resource,
                Status::Unknown,
                "/cluster",
                "describe-cluster has no version",
            )];
        };
        with_document::<DescribeClusterVersions>(
            snapshot,
            "eks/describe-cluster-versions.json",
            resource,
            |versions| {
                let entry = versions
                    .cluster_versions
                    .iter()
                    .find(|v| v.cluster_version.as_deref() == Some(version.as_str()));
                let Some(entry) = entry else {
                    return vec![result(
                        resource,
                        Status::Fail,
                        "/cluster/version",
                        format!("Kubernetes {version} is not among the versions EKS supports"),
                    )];
                };
                // `2026-07-29T00:00:00+00:00` → `2026-07-29`.
                let end = entry
                    .end_of_standard_support_date
                    .as_deref()
                    .map(|date| date.get(..10).unwrap_or(date))
                    .unwrap_or("?");
                vec![match entry.version_status.as_deref() {
                    Some("STANDARD_SUPPORT") => result(
                        resource,
                        Status::Pass,
                        "/cluster/version",
                        format!("Kubernetes {version} is in standard support until {end}"),
                    ),
                    Some("EXTENDED_SUPPORT") => result(
                        resource,
                        Status::Fail,
                        "/cluster/version",
                        format!(
                            "Kubernetes {version} left standard support on {end} and runs on paid extended support"
                        ),
                    ),
                    Some(status) => result(
                        resource,
                        Status::Fail,
                        "/cluster/version",
                        format!("Kubernetes {version} is {status}"),
                    ),
                    None => result(
                        resource,
                        Status::Unknown,
                        "/cluster/version",
                        format!("describe-cluster-versions gives no status for {version}"),
                    ),
                }]
            },
        )
    })
}
