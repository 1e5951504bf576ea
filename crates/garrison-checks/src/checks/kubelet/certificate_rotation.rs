use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::engine::{Context, ResourceOutcome};

use super::each_node;

declare_check! {
    /// ## What it does
    /// FAIL when `rotateCertificates` is false.
    ///
    /// The live configuration comes from `GET /api/v1/nodes/<node>/proxy/configz`, stored as
    /// `k8s/nodes/<node>.configz.json`: an API-only substitute for running kube-bench on the node. A
    /// node without it is UNKNOWN.
    ///
    /// ## Why it matters
    /// Without rotation the kubelet's client certificate expires or, worse, is issued long-lived and stays valid after a compromise.
    ///
    /// ## How to fix
    /// Set `rotateCertificates: true`.
    ///
    /// ## References
    /// - CIS Amazon EKS Benchmark v1.8.0, 3.2.8
    /// - Kubernetes documentation: Kubelet configuration (KubeletConfiguration v1beta1)
    pub static META = CheckMeta {
        id: "EKS-CIS-3.2.8",
        name: "kubelet-certificate-rotation",
        title: "Kubelet client certificate rotation is off",
        severity: Severity::Medium,
        level: Level::Infrastructure,
        control: SeedControl::CisBenchmark,
        cis: Some("3.2.8"),
        security_hub: None,
        pss: None,
        remediation: "Set `rotateCertificates: true`.",
    };
}

pub fn evaluate(context: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    each_node(context, snapshot, |config| {
        match config.rotate_certificates {
            Some(false) => (
                Status::Fail,
                "rotateCertificates",
                "client certificate rotation is off".to_string(),
            ),
            Some(true) => (
                Status::Pass,
                "rotateCertificates",
                "client certificates rotate".to_string(),
            ),
            None => (
                Status::Fail,
                "rotateCertificates",
                "rotateCertificates is not set (default off)".to_string(),
            ),
        }
    })
}
