use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::engine::{Context, ResourceOutcome};

use super::each_node;

declare_check! {
    /// ## What it does
    /// FAIL when `readOnlyPort` is set to a non-zero port.
    ///
    /// The live configuration comes from `GET /api/v1/nodes/<node>/proxy/configz`, stored as
    /// `k8s/nodes/<node>.configz.json`: an API-only substitute for running kube-bench on the node. A
    /// node without it is UNKNOWN.
    ///
    /// ## Why it matters
    /// The read-only port (usually 10255) serves pod and node information without any authentication.
    ///
    /// ## How to fix
    /// Set `readOnlyPort: 0`.
    ///
    /// ## References
    /// - CIS Amazon EKS Benchmark v1.8.0, 3.2.4
    /// - Kubernetes documentation: Kubelet configuration (KubeletConfiguration v1beta1)
    pub static META = CheckMeta {
        id: "EKS-CIS-3.2.4",
        name: "kubelet-read-only-port",
        title: "Kubelet read-only port is open",
        severity: Severity::Medium,
        level: Level::Infrastructure,
        control: SeedControl::CisBenchmark,
        cis: Some("3.2.4"),
        security_hub: None,
        pss: None,
        remediation: "Set `readOnlyPort: 0`.",
    };
}

pub fn evaluate(context: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    each_node(context, snapshot, |config| match config.read_only_port {
        Some(port) if port != 0 => (
            Status::Fail,
            "readOnlyPort",
            format!("the unauthenticated read-only port {port} is open"),
        ),
        _ => (
            Status::Pass,
            "readOnlyPort",
            "the read-only port is disabled".to_string(),
        ),
    })
}
