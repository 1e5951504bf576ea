use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

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

use garrison_core::aws::kubelet::KubeletConfig;

/// Runs `judge` over the live kubelet configuration of every Node (`configz`), UNKNOWN for a
/// node whose configuration was not collected.
fn each_node(
    context: &Context<'_>,
    snapshot: &Snapshot,
    judge: impl Fn(&KubeletConfig) -> (Status, &'static str, String),
) -> Vec<ResourceOutcome> {
    let mut names: Vec<String> = context
        .inventory
        .objects
        .iter()
        .filter(|o| o.kind == "Node")
        .map(|o| o.name.clone())
        .collect();
    names.extend(snapshot.node_configs.keys().cloned());
    names.sort();
    names.dedup();
    names
        .into_iter()
        .map(|node| {
            let file = format!("k8s/nodes/{node}.configz.json");
            let resource = crate::engine::Resource::new("Node", node.clone(), file.clone());
            match snapshot.kubelet_config(&node) {
                Ok(config) => {
                    let (status, field, message) = judge(&config);
                    result(
                        &resource,
                        status,
                        &format!("/kubeletconfig/{field}"),
                        message,
                    )
                }
                Err(missing) => {
                    let reason = match missing {
                        garrison_core::snapshot::Missing::NotCollected => {
                            format!("{file} was not collected (needs nodes/proxy GET)")
                        }
                        garrison_core::snapshot::Missing::Failed(error) => {
                            format!("{file} could not be collected: {error}")
                        }
                        garrison_core::snapshot::Missing::Invalid(error) => {
                            format!("{file} could not be read: {error}")
                        }
                    };
                    ResourceOutcome::new(
                        &resource,
                        crate::engine::Outcome::with_status(Status::Unknown, None, reason),
                    )
                }
            }
        })
        .collect()
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
