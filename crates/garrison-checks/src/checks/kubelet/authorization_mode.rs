use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::engine::{Context, ResourceOutcome};

use super::each_node;

declare_check! {
    /// ## What it does
    /// FAIL when `authorization.mode` is `AlwaysAllow` or unset, or webhook authentication is off; PASS for `Webhook`.
    ///
    /// The live configuration comes from `GET /api/v1/nodes/<node>/proxy/configz`, stored as
    /// `k8s/nodes/<node>.configz.json`: an API-only substitute for running kube-bench on the node. A
    /// node without it is UNKNOWN.
    ///
    /// ## Why it matters
    /// With AlwaysAllow, any client that authenticates to the kubelet may exec into any container on the node.
    ///
    /// ## How to fix
    /// Set `authorization.mode: Webhook` and `authentication.webhook.enabled: true`.
    ///
    /// ## References
    /// - CIS Amazon EKS Benchmark v1.8.0, 3.2.2
    /// - Kubernetes documentation: Kubelet configuration (KubeletConfiguration v1beta1)
    pub static META = CheckMeta {
        id: "EKS-CIS-3.2.2",
        name: "kubelet-authorization-mode",
        title: "Kubelet authorizes every request (AlwaysAllow)",
        severity: Severity::High,
        level: Level::Infrastructure,
        control: SeedControl::CisBenchmark,
        cis: Some("3.2.2"),
        security_hub: None,
        pss: None,
        remediation: "Set `authorization.mode: Webhook` and `authentication.webhook.enabled: true`.",
    };
}

pub fn evaluate(context: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    each_node(context, snapshot, |config| {
        let webhook = config
            .authentication
            .as_ref()
            .and_then(|a| a.webhook.as_ref())
            .and_then(|w| w.enabled)
            == Some(true);
        match config
            .authorization
            .as_ref()
            .and_then(|a| a.mode.as_deref())
        {
            Some("Webhook") if webhook => (
                Status::Pass,
                "authorization/mode",
                "requests are authorized by the API server (Webhook)".to_string(),
            ),
            Some("Webhook") => (
                Status::Fail,
                "authentication/webhook/enabled",
                "authorization is Webhook but webhook authentication is off".to_string(),
            ),
            Some(mode) => (
                Status::Fail,
                "authorization/mode",
                format!("authorization mode is {mode}"),
            ),
            None => (
                Status::Fail,
                "authorization",
                "authorization mode is not set and defaults to AlwaysAllow".to_string(),
            ),
        }
    })
}
