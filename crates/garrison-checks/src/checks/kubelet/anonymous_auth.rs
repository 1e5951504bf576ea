use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::engine::{Context, ResourceOutcome};

use super::each_node;

declare_check! {
    /// ## What it does
    /// FAIL when `authentication.anonymous.enabled` is true or unset (the kubelet default is true).
    ///
    /// The live configuration comes from `GET /api/v1/nodes/<node>/proxy/configz`, stored as
    /// `k8s/nodes/<node>.configz.json`: an API-only substitute for running kube-bench on the node. A
    /// node without it is UNKNOWN.
    ///
    /// ## Why it matters
    /// Anonymous requests to the kubelet API (port 10250) can read pod logs, exec into containers or list pods, depending on authorization.
    ///
    /// ## How to fix
    /// Set `authentication.anonymous.enabled: false` in the kubelet configuration.
    ///
    /// ## References
    /// - CIS Amazon EKS Benchmark v1.8.0, 3.2.1
    /// - Kubernetes documentation: Kubelet configuration (KubeletConfiguration v1beta1)
    pub static META = CheckMeta {
        id: "EKS-CIS-3.2.1",
        name: "kubelet-anonymous-auth",
        title: "Kubelet accepts anonymous requests",
        severity: Severity::High,
        level: Level::Infrastructure,
        control: SeedControl::CisBenchmark,
        cis: Some("3.2.1"),
        security_hub: None,
        pss: None,
        remediation: "Set `authentication.anonymous.enabled: false` in the kubelet configuration.",
    };
}

pub fn evaluate(context: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    each_node(context, snapshot, |config| {
        match config
            .authentication
            .as_ref()
            .and_then(|a| a.anonymous.as_ref())
            .and_then(|a| a.enabled)
        {
            Some(false) => (
                Status::Pass,
                "authentication/anonymous/enabled",
                "anonymous requests are rejected".to_string(),
            ),
            Some(true) => (
                Status::Fail,
                "authentication/anonymous/enabled",
                "anonymous requests are accepted".to_string(),
            ),
            None => (
                Status::Fail,
                "authentication",
                "anonymous authentication is not set and defaults to enabled".to_string(),
            ),
        }
    })
}
