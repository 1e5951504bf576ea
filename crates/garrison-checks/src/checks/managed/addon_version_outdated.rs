use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// One result per described add-on (`eks/addons/<name>.json`): compares `addonVersion` with the
    /// version `eks/describe-addon-versions.json` marks `defaultVersion` for the cluster's Kubernetes
    /// version. FAIL when older, PASS when equal or newer; FAIL when the installed version is not listed
    /// as compatible with the cluster version at all.
    ///
    /// ## Why it matters
    /// Add-ons such as vpc-cni and kube-proxy run privileged on every node; old versions carry known
    /// vulnerabilities and may not support the cluster's version.
    ///
    /// ## How to fix
    /// `aws eks update-addon --addon-name <name> --addon-version <default>`.
    ///
    /// ## References
    /// - EKS documentation: Amazon EKS add-ons
    /// - EKS documentation: Update an Amazon EKS add-on
    pub static META = CheckMeta {
        id: "EKS-MGD-003",
        name: "addon-version-outdated",
        title: "Managed add-on is older than the default version for the cluster",
        severity: Severity::Medium,
        level: Level::Cluster,
        control: SeedControl::ManagedComponents,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Update managed add-ons to the default version for the cluster.",
    };
}

use garrison_core::aws::eks::{DescribeAddon, DescribeAddonVersions};

/// `v1.20.4-eksbuild.2` → `[1, 20, 4, 2]`, for ordering.
fn numbers(version: &str) -> Vec<u64> {
    version
        .split(|c: char| !c.is_ascii_digit())
        .filter(|part| !part.is_empty())
        .filter_map(|part| part.parse().ok())
        .collect()
}

pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    with_cluster(snapshot, |cluster, cluster_resource| {
        let cluster_version = cluster.version.clone().unwrap_or_default();
        with_document::<DescribeAddonVersions>(
            snapshot,
            "eks/describe-addon-versions.json",
            cluster_resource,
            |catalogue| {
                let mut results = Vec::new();
                let Some(addons) =
                    each_document::<DescribeAddon>(snapshot, "eks/addons/", "Addon", &mut results)
                else {
                    return vec![unknown(
                        cluster_resource,
                        "eks/addons/",
                        &garrison_core::snapshot::Missing::NotCollected,
                    )];
                };
                for (document, resource) in addons {
                    let addon = document.addon;
                    let resource = resource.with_arn(addon.addon_arn.as_deref());
                    let name = addon.addon_name.clone().unwrap_or_default();
                    let installed = addon.addon_version.clone().unwrap_or_default();
                    let Some(info) = catalogue
                        .addons
                        .iter()
                        .find(|a| a.addon_name.as_deref() == Some(name.as_str()))
                    else {
                        results.push(result(
                            &resource,
                            Status::Unknown,
                            "/addon/addonVersion",
                            format!("describe-addon-versions has nothing on {name}"),
                        ));
                        continue;
                    };
                    let compatible = |v: &&garrison_core::aws::eks::AddonVersion| {
                        v.compatibilities
                            .iter()
                            .any(|c| c.cluster_version.as_deref() == Some(cluster_version.as_str()))
                    };
                    let default = info.addon_versions.iter().filter(compatible).find(|v| {
                        v.compatibilities.iter().any(|c| {
                            c.cluster_version.as_deref() == Some(cluster_version.as_str())
                                && c.default_version == Some(true)
                        })
                    });
                    let listed = info
                        .addon_versions
                        .iter()
                        .filter(compatible)
                        .any(|v| v.addon_version.as_deref() == Some(installed.as_str()));
                    let Some(default) = default.and_then(|v| v.addon_version.clone()) else {
                        results.push(result(
                            &resource,
                            Status::Unknown,
                            "/addon/addonVersion",
                            format!("no default {name} version for Kubernetes {cluster_version}"),
                        ));
                        continue;
                    };
                    results.push(if numbers(&installed) < numbers(&default) {
                    result(&resource, Status::Fail, "/addon/addonVersion", format!("{name} {installed} is older than the default {default} for Kubernetes {cluster_version}"))
                } else if !listed {
                    result(&resource, Status::Fail, "/addon/addonVersion", format!("{name} {installed} is not listed as compatible with Kubernetes {cluster_version}"))
                } else {
                    result(&resource, Status::Pass, "/addon/addonVersion", format!("{name} {installed} is current (default {default})"))
                });
                }
                results
            },
        )
    })
}
