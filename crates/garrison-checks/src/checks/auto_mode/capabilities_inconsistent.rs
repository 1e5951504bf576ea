use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// On a cluster with any Auto Mode capability on, compares `computeConfig.enabled`,
    /// `storageConfig.blockStorage.enabled` and `kubernetesNetworkConfig.elasticLoadBalancing.enabled`:
    /// PASS when all three are on, FAIL when they differ. NOT_APPLICABLE when Auto Mode is off.
    ///
    /// ## Why it matters
    /// EKS requires the three capabilities to be enabled together; a partial configuration means
    /// storage or load balancers are managed by a self-installed controller that nobody patches.
    ///
    /// ## How to fix
    /// Enable all three with `aws eks update-cluster-config`.
    ///
    /// ## References
    /// - EKS documentation: Automate cluster infrastructure with EKS Auto Mode
    pub static META = CheckMeta {
        id: "EKS-AUTO-001",
        name: "auto-mode-capabilities-inconsistent",
        title: "Auto Mode capabilities are only partly enabled",
        severity: Severity::Low,
        level: Level::Infrastructure,
        control: SeedControl::AutoMode,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Enable compute, block storage and load balancing together for Auto Mode.",
    };
}

pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    with_cluster(snapshot, |cluster, resource| {
        let compute = cluster
            .compute_config
            .as_ref()
            .and_then(|c| c.enabled)
            .unwrap_or(false);
        let storage = cluster
            .storage_config
            .as_ref()
            .and_then(|s| s.block_storage.as_ref())
            .and_then(|b| b.enabled)
            .unwrap_or(false);
        let balancing = cluster
            .kubernetes_network_config
            .as_ref()
            .and_then(|n| n.elastic_load_balancing.as_ref())
            .and_then(|e| e.enabled)
            .unwrap_or(false);
        vec![match (compute, storage, balancing) {
            (false, false, false) => not_applicable(resource, "Auto Mode is not enabled"),
            (true, true, true) => result(
                resource,
                Status::Pass,
                "/cluster/computeConfig/enabled",
                "compute, block storage and load balancing are all managed by Auto Mode",
            ),
            _ => result(
                resource,
                Status::Fail,
                "/cluster/computeConfig/enabled",
                format!(
                    "Auto Mode capabilities differ: compute {compute}, block storage {storage}, load balancing {balancing}"
                ),
            ),
        }]
    })
}
