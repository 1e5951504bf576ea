use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::engine::{Context, ResourceOutcome};

use super::each_node;

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
