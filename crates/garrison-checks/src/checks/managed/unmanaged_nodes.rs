use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// One result per Kubernetes Node: PASS when a label shows it is managed
    /// (`eks.amazonaws.com/nodegroup`, `karpenter.sh/nodepool`, `eks.amazonaws.com/compute-type` for
    /// Fargate and Auto Mode), FAIL otherwise. Fargate nodes pass, unlike tools that flag them.
    ///
    /// ## Why it matters
    /// Self-managed nodes are patched, drained and replaced by hand; they drift from the current AMI
    /// and keep old kernels and kubelets.
    ///
    /// ## How to fix
    /// Move the workloads to managed node groups, Karpenter NodePools or Auto Mode.
    ///
    /// ## References
    /// - EKS documentation: Simplify node lifecycle with managed node groups
    /// - EKS Best Practices Guide, Security: Infrastructure security
    pub static META = CheckMeta {
        id: "EKS-MGD-006",
        name: "unmanaged-nodes",
        title: "Node is not managed by a node group, Karpenter, Auto Mode or Fargate",
        severity: Severity::Low,
        level: Level::Infrastructure,
        control: SeedControl::ManagedComponents,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Run nodes in managed node groups, Karpenter or Auto Mode.",
    };
}

pub fn evaluate(context: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    let _ = snapshot;
    context.inventory.objects.iter().filter(|o| o.kind == "Node").map(|node| {
        let labels = node.value.pointer("/metadata/labels");
        let label = |key: &str| labels.and_then(|l| l.get(key)).and_then(serde_json::Value::as_str);
        let resource = crate::engine::Resource::new("Node", node.name.clone(), node.origin.file.name.to_string());
        let manager = label("eks.amazonaws.com/nodegroup").map(|g| format!("managed node group {g}"))
            .or_else(|| label("karpenter.sh/nodepool").map(|p| format!("Karpenter NodePool {p}")))
            .or_else(|| label("eks.amazonaws.com/compute-type").map(|t| format!("EKS compute type {t}")));
        match manager {
            Some(manager) => result(&resource, Status::Pass, "/metadata/labels", format!("managed by {manager}")),
            None => result(&resource, Status::Fail, "/metadata/labels", "no label shows a node group, NodePool, Auto Mode or Fargate: a self-managed node"),
        }
    }).collect()
}
