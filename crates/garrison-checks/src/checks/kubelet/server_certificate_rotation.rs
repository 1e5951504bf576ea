use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::engine::{Context, ResourceOutcome};

use super::each_node;

declare_check! {
    /// ## What it does
    /// FAIL when the `RotateKubeletServerCertificate` feature gate is explicitly false, or
    /// `serverTLSBootstrap` is not true (the serving certificate is then self-signed and never
    /// rotated). An absent feature gate counts as its GA default, true.
    ///
    /// The live configuration comes from `GET /api/v1/nodes/<node>/proxy/configz`, stored as
    /// `k8s/nodes/<node>.configz.json`: an API-only substitute for running kube-bench on the node. A
    /// node without it is UNKNOWN.
    ///
    /// ## Why it matters
    /// A self-signed, never-rotated serving certificate cannot be verified by the API server, which makes kubelet connections open to interception.
    ///
    /// ## How to fix
    /// Set `serverTLSBootstrap: true` (EKS AMIs do) and leave the feature gate at its default.
    ///
    /// ## References
    /// - CIS Amazon EKS Benchmark v1.8.0, 3.2.9
    /// - Kubernetes documentation: Kubelet configuration (KubeletConfiguration v1beta1)
    pub static META = CheckMeta {
        id: "EKS-CIS-3.2.9",
        name: "kubelet-server-certificate-rotation",
        title: "Kubelet serving certificate rotation is off",
        severity: Severity::Medium,
        level: Level::Infrastructure,
        control: SeedControl::CisBenchmark,
        cis: Some("3.2.9"),
        security_hub: None,
        pss: None,
        remediation: "Set `serverTLSBootstrap: true` (EKS AMIs do) and leave the feature gate at its default.",
    };
}

pub fn evaluate(context: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    each_node(context, snapshot, |config| {
        if config.feature_gates.get("RotateKubeletServerCertificate") == Some(&false) {
            return (
                Status::Fail,
                "featureGates/RotateKubeletServerCertificate",
                "the RotateKubeletServerCertificate feature gate is off".to_string(),
            );
        }
        match config.server_tls_bootstrap {
            Some(true) => (
                Status::Pass,
                "serverTLSBootstrap",
                "the serving certificate is requested from the cluster CA and rotated".to_string(),
            ),
            _ => (
                Status::Fail,
                "serverTLSBootstrap",
                "serverTLSBootstrap is off: the serving certificate is self-signed and not rotated"
                    .to_string(),
            ),
        }
    })
}
