use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// One result per Kubernetes Node: compares its `creationTimestamp` with the snapshot's
    /// `collectedAt` (manifest.json): FAIL when older than 45 days, PASS otherwise; UNKNOWN without
    /// either date. Replacing nodes is how AMI updates (kernel, containerd, kubelet fixes) reach them.
    ///
    /// ## Why it matters
    /// A node that lives for months runs the AMI it was launched with, missing every security fix
    /// since, and accumulates whatever an intruder left on it. Auto Mode caps node life at 21 days for
    /// this reason.
    ///
    /// ## How to fix
    /// Update node groups to the latest AMI release regularly (`aws eks update-nodegroup-version`),
    /// or set Karpenter/Auto Mode `expireAfter`.
    ///
    /// ## References
    /// - EKS Best Practices Guide, Security: Infrastructure security (immutable infrastructure)
    /// - EKS documentation: Update a managed node group
    pub static META = CheckMeta {
        id: "EKS-MGD-007",
        name: "nodes-not-recycled",
        title: "Node has not been replaced for more than 45 days",
        severity: Severity::Medium,
        level: Level::Infrastructure,
        control: SeedControl::ManagedComponents,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Replace nodes at least every 45 days with current AMIs.",
    };
}

/// Days since the civil epoch of `YYYY-MM-DD…`.
fn days(text: &str) -> Option<i64> {
    let date = text.get(..10)?;
    let mut parts = date.split('-');
    let (y, m, d): (i64, i64, i64) = (
        parts.next()?.parse().ok()?,
        parts.next()?.parse().ok()?,
        parts.next()?.parse().ok()?,
    );
    // Days from civil (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146097 + doe - 719468)
}

pub fn evaluate(context: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    let collected = snapshot
        .manifest
        .as_ref()
        .and_then(|m| m.get("collectedAt"))
        .and_then(serde_json::Value::as_str)
        .and_then(days);
    context.inventory.objects.iter().filter(|o| o.kind == "Node").map(|node| {
        let resource = crate::engine::Resource::new("Node", node.name.clone(), node.origin.file.name.to_string());
        let created = node.value.pointer("/metadata/creationTimestamp").and_then(serde_json::Value::as_str).and_then(days);
        match (created, collected) {
            (Some(created), Some(collected)) if collected - created > 45 => result(&resource, Status::Fail, "/metadata/creationTimestamp", format!("the node is {} days old", collected - created)),
            (Some(created), Some(collected)) => result(&resource, Status::Pass, "/metadata/creationTimestamp", format!("the node is {} days old", collected - created)),
            _ => result(&resource, Status::Unknown, "/metadata", "the node's age is unknown (no creationTimestamp or no collectedAt in manifest.json)"),
        }
    }).collect()
}
