use garrison_core::aws::eks::DescribeFargateProfile;
use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};
use serde_json::Value;

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// Looks for a place to run untrusted workloads apart from the rest: a Fargate profile
    /// (`eks/fargate/<name>.json`; each Fargate pod gets its own micro-VM) or nodes dedicated
    /// by a `NoSchedule` or `NoExecute` taint (Node `spec.taints`, other than the taints
    /// Kubernetes sets itself under `node.kubernetes.io/` and `node.cloudprovider.kubernetes.io/`).
    /// PASS naming them; an informational FAIL when every node is shared and there is no
    /// Fargate profile; UNKNOWN when neither Nodes nor Fargate profiles were collected.
    ///
    /// ## Why it matters
    /// Containers share the node's kernel: a container escape or a `hostPath` mistake in one
    /// workload reaches every pod on the node, and the node's IAM role. Workloads that run
    /// third-party or customer code need a boundary stronger than a namespace — a separate VM
    /// (Fargate) or separate nodes that other workloads are kept off.
    ///
    /// ## How to fix
    /// Run untrusted workloads on Fargate (a profile selecting their namespace), or on a node
    /// group with a taint such as `dedicated=untrusted:NoSchedule` that only those workloads
    /// tolerate, combined with a node selector.
    ///
    /// ## References
    /// - EKS Best Practices Guide, Multi-tenancy: isolating tenant workloads to specific nodes
    /// - Amazon EKS documentation: AWS Fargate
    pub static META = CheckMeta {
        id: "EKS-OS-005",
        name: "untrusted-workloads-not-isolated",
        title: "No Fargate profile or dedicated nodes to isolate untrusted workloads",
        severity: Severity::Info,
        level: Level::Infrastructure,
        control: SeedControl::ContainerOptimizedOs,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Run untrusted workloads on Fargate or on tainted, dedicated nodes.",
    };
}

/// Taint prefixes Kubernetes and the cloud provider set on their own (not-ready, unreachable,
/// uninitialized): they say nothing about dedication.
const SYSTEM_TAINTS: [&str; 2] = ["node.kubernetes.io/", "node.cloudprovider.kubernetes.io/"];

pub fn evaluate(context: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    let resource = cluster_resource(snapshot, None);
    let mut results = Vec::new();
    let profiles = each_document::<DescribeFargateProfile>(
        snapshot,
        "eks/fargate/",
        "FargateProfile",
        &mut results,
    );
    let mut found: Vec<String> = profiles
        .iter()
        .flatten()
        .map(|(document, resource)| {
            format!(
                "Fargate profile {}",
                document
                    .fargate_profile
                    .fargate_profile_name
                    .as_deref()
                    .unwrap_or(&resource.name)
            )
        })
        .collect();
    let mut nodes = 0;
    for node in context.inventory.objects_of_kind("Node") {
        nodes += 1;
        let dedicated = node
            .value
            .pointer("/spec/taints")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|taint| {
                matches!(
                    taint.get("effect").and_then(Value::as_str),
                    Some("NoSchedule" | "NoExecute")
                )
            })
            .filter_map(|taint| taint.get("key").and_then(Value::as_str))
            .find(|key| !SYSTEM_TAINTS.iter().any(|prefix| key.starts_with(prefix)));
        if let Some(key) = dedicated {
            found.push(format!("node {} (taint {key})", node.name));
        }
    }
    if profiles.is_none() && nodes == 0 {
        results.push(ResourceOutcome::new(
            &resource,
            crate::engine::Outcome::with_status(
                Status::Unknown,
                None,
                "neither Nodes (k8s/nodes.json) nor Fargate profiles (aws/eks/fargate/) were collected",
            ),
        ));
        return results;
    }
    results.push(if found.is_empty() {
        result(
            &resource,
            Status::Fail,
            "",
            format!("no Fargate profile and none of the {nodes} node(s) is dedicated by a taint: every workload shares nodes with every other"),
        )
    } else {
        result(
            &resource,
            Status::Pass,
            "",
            format!("isolated capacity for untrusted workloads: {}", found.join(", ")),
        )
    });
    results
}
