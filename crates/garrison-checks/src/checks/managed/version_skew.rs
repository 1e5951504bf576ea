use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// One result per node group (`nodegroup.version`) and per Node (`status.nodeInfo.kubeletVersion`)
    /// compared with the cluster's `version`: PASS when equal, WARN one minor behind, FAIL two or more
    /// behind or newer than the control plane.
    ///
    /// ## Why it matters
    /// Lagging kubelets miss security fixes and block the next control-plane upgrade (the kubelet may
    /// be at most three minors older), which pushes the cluster into extended support.
    ///
    /// ## How to fix
    /// Update node groups after each control-plane upgrade (`aws eks update-nodegroup-version`).
    ///
    /// ## References
    /// - EKS documentation: Understand the Kubernetes version lifecycle on EKS
    /// - Kubernetes documentation: Version skew policy
    pub static META = CheckMeta {
        id: "EKS-MGD-008",
        name: "version-skew",
        title: "Node Kubernetes version lags the control plane",
        severity: Severity::Medium,
        level: Level::Infrastructure,
        control: SeedControl::ManagedComponents,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Upgrade node groups to the control-plane version.",
    };
}

use garrison_core::aws::eks::{DescribeNodegroup, parse_version};

fn judge(
    resource: &crate::engine::Resource,
    pointer: &str,
    what: &str,
    node: &str,
    cluster: (u32, u32),
) -> ResourceOutcome {
    let Some(version) = parse_version(node) else {
        return result(
            resource,
            Status::Unknown,
            pointer,
            format!("cannot read the version {node}"),
        );
    };
    let behind = i64::from(cluster.1) - i64::from(version.1);
    if version.0 != cluster.0 || !(0..2).contains(&behind) {
        result(
            resource,
            Status::Fail,
            pointer,
            format!(
                "{what} runs {}.{} with a {}.{} control plane",
                version.0, version.1, cluster.0, cluster.1
            ),
        )
    } else if behind == 1 {
        result(
            resource,
            Status::Warn,
            pointer,
            format!("{what} is one minor version behind the control plane"),
        )
    } else {
        result(
            resource,
            Status::Pass,
            pointer,
            format!("{what} matches the control plane"),
        )
    }
}

pub fn evaluate(context: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    with_cluster(snapshot, |cluster, resource| {
        let Some(cluster_version) = cluster.version() else {
            return vec![result(
                resource,
                Status::Unknown,
                "/cluster",
                "describe-cluster has no version",
            )];
        };
        let mut results = Vec::new();
        if let Some(groups) = each_document::<DescribeNodegroup>(
            snapshot,
            "eks/nodegroups/",
            "Nodegroup",
            &mut results,
        ) {
            for (document, group) in groups {
                let version = document.nodegroup.version.clone().unwrap_or_default();
                results.push(judge(
                    &group.with_arn(document.nodegroup.nodegroup_arn.as_deref()),
                    "/nodegroup/version",
                    "the node group",
                    &version,
                    cluster_version,
                ));
            }
        }
        for node in context
            .inventory
            .objects
            .iter()
            .filter(|o| o.kind == "Node")
        {
            let Some(version) = node
                .value
                .pointer("/status/nodeInfo/kubeletVersion")
                .and_then(serde_json::Value::as_str)
            else {
                continue;
            };
            let node_resource = crate::engine::Resource::new(
                "Node",
                node.name.clone(),
                node.origin.file.name.to_string(),
            );
            results.push(judge(
                &node_resource,
                "/status/nodeInfo/kubeletVersion",
                "the kubelet",
                version,
                cluster_version,
            ));
        }
        results
    })
}
