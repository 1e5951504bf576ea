use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::engine::{Context, ResourceOutcome};

use super::each_node;

declare_check! {
    /// ## What it does
    /// FAIL when `streamingConnectionIdleTimeout` is zero (`0s`).
    ///
    /// The live configuration comes from `GET /api/v1/nodes/<node>/proxy/configz`, stored as
    /// `k8s/nodes/<node>.configz.json`: an API-only substitute for running kube-bench on the node. A
    /// node without it is UNKNOWN.
    ///
    /// ## Why it matters
    /// Idle exec and port-forward sessions that never time out stay open for anyone who takes over the client.
    ///
    /// ## How to fix
    /// Set `streamingConnectionIdleTimeout` to a bounded value such as `4h0m0s` (or less).
    ///
    /// ## References
    /// - CIS Amazon EKS Benchmark v1.8.0, 3.2.5
    /// - Kubernetes documentation: Kubelet configuration (KubeletConfiguration v1beta1)
    pub static META = CheckMeta {
        id: "EKS-CIS-3.2.5",
        name: "kubelet-streaming-timeout",
        title: "Kubelet streaming connections never time out",
        severity: Severity::Low,
        level: Level::Infrastructure,
        control: SeedControl::CisBenchmark,
        cis: Some("3.2.5"),
        security_hub: None,
        pss: None,
        remediation: "Set `streamingConnectionIdleTimeout` to a bounded value such as `4h0m0s` (or less).",
    };
}

pub fn evaluate(context: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    each_node(context, snapshot, |config| {
        match config.streaming_connection_idle_timeout.as_deref() {
            Some(timeout) if garrison_core::aws::kubelet::duration_is_zero(timeout) => (
                Status::Fail,
                "streamingConnectionIdleTimeout",
                "idle streaming connections never time out".to_string(),
            ),
            Some(timeout) => (
                Status::Pass,
                "streamingConnectionIdleTimeout",
                format!("idle streaming connections close after {timeout}"),
            ),
            None => (
                Status::Pass,
                "streamingConnectionIdleTimeout",
                "the default idle timeout (4h) applies".to_string(),
            ),
        }
    })
}
