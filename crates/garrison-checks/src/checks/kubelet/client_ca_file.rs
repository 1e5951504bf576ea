use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// FAIL when `authentication.x509.clientCAFile` is empty.
    ///
    /// The live configuration comes from `GET /api/v1/nodes/<node>/proxy/configz`, stored as
    /// `k8s/nodes/<node>.configz.json`: an API-only substitute for running kube-bench on the node. A
    /// node without it is UNKNOWN.
    ///
    /// ## Why it matters
    /// Without a client CA the kubelet cannot verify client certificates, so the API server cannot authenticate to it securely.
    ///
    /// ## How to fix
    /// Set `authentication.x509.clientCAFile` to the cluster CA bundle.
    ///
    /// ## References
    /// - CIS Amazon EKS Benchmark v1.8.0, 3.2.3
    /// - Kubernetes documentation: Kubelet configuration (KubeletConfiguration v1beta1)
    pub static META = CheckMeta {
        id: "EKS-CIS-3.2.3",
        name: "kubelet-client-ca-file",
        title: "Kubelet has no client CA for x509 authentication",
        severity: Severity::High,
        level: Level::Infrastructure,
        control: SeedControl::CisBenchmark,
        cis: Some("3.2.3"),
        security_hub: None,
        pss: None,
        remediation: "Set `authentication.x509.clientCAFile` to the cluster CA bundle.",
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
            .and_then(|a| a.x509.as_ref())
            .and_then(|x| x.client_ca_file.as_deref())
            .filter(|f| !f.is_empty())
        {
            Some(file) => (
                Status::Pass,
                "authentication/x509/clientCAFile",
                format!("client certificates are verified against {file}"),
            ),
            None => (
                Status::Fail,
                "authentication/x509",
                "no client CA file is configured".to_string(),
            ),
        }
    })
}
