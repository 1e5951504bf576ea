use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::engine::{Context, ResourceOutcome};

use super::each_node;

declare_check! {
    /// ## What it does
    /// FAIL when `makeIPTablesUtilChains` is false.
    ///
    /// The live configuration comes from `GET /api/v1/nodes/<node>/proxy/configz`, stored as
    /// `k8s/nodes/<node>.configz.json`: an API-only substitute for running kube-bench on the node. A
    /// node without it is UNKNOWN.
    ///
    /// ## Why it matters
    /// The kubelet's iptables utility chains keep node networking consistent with pod specs; hand-managed rules drift.
    ///
    /// ## How to fix
    /// Set `makeIPTablesUtilChains: true` (the default).
    ///
    /// ## References
    /// - CIS Amazon EKS Benchmark v1.8.0, 3.2.6
    /// - Kubernetes documentation: Kubelet configuration (KubeletConfiguration v1beta1)
    pub static META = CheckMeta {
        id: "EKS-CIS-3.2.6",
        name: "kubelet-iptables-util-chains",
        title: "Kubelet does not manage its iptables chains",
        severity: Severity::Low,
        level: Level::Infrastructure,
        control: SeedControl::CisBenchmark,
        cis: Some("3.2.6"),
        security_hub: None,
        pss: None,
        remediation: "Set `makeIPTablesUtilChains: true` (the default).",
    };
}

pub fn evaluate(context: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    each_node(context, snapshot, |config| {
        match config.make_ip_tables_util_chains {
            Some(false) => (
                Status::Fail,
                "makeIPTablesUtilChains",
                "the kubelet does not manage its iptables chains".to_string(),
            ),
            _ => (
                Status::Pass,
                "makeIPTablesUtilChains",
                "the kubelet manages its iptables chains".to_string(),
            ),
        }
    })
}
