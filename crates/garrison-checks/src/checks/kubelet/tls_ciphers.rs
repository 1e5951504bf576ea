use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::engine::{Context, ResourceOutcome};

use super::each_node;

declare_check! {
    /// ## What it does
    /// FAIL when `tlsMinVersion` is below `VersionTLS12` or `tlsCipherSuites` includes CBC, RC4 or 3DES
    /// suites; PASS otherwise. Not in CIS EKS; STIG-adjacent.
    ///
    /// The live configuration comes from `GET /api/v1/nodes/<node>/proxy/configz`, stored as
    /// `k8s/nodes/<node>.configz.json`: an API-only substitute for running kube-bench on the node. A
    /// node without it is UNKNOWN.
    ///
    /// ## Why it matters
    /// Weak protocol versions and ciphers let a network attacker downgrade or decrypt kubelet traffic.
    ///
    /// ## How to fix
    /// Set `tlsMinVersion: VersionTLS12` and restrict `tlsCipherSuites` to AEAD suites.
    ///
    /// ## References
    /// - CIS Amazon EKS Benchmark v1.8.0
    /// - Kubernetes documentation: Kubelet configuration (KubeletConfiguration v1beta1)
    pub static META = CheckMeta {
        id: "EKS-KUBELET-TLS",
        name: "kubelet-weak-tls",
        title: "Kubelet allows weak TLS versions or ciphers",
        severity: Severity::Low,
        level: Level::Infrastructure,
        control: SeedControl::CisBenchmark,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Set `tlsMinVersion: VersionTLS12` and restrict `tlsCipherSuites` to AEAD suites.",
    };
}

pub fn evaluate(context: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    each_node(context, snapshot, |config| {
        if let Some(version) = config
            .tls_min_version
            .as_deref()
            .filter(|v| matches!(*v, "VersionTLS10" | "VersionTLS11"))
        {
            return (
                Status::Fail,
                "tlsMinVersion",
                format!("TLS minimum version is {version}"),
            );
        }
        match config
            .tls_cipher_suites
            .iter()
            .find(|s| s.contains("CBC") || s.contains("RC4") || s.contains("3DES"))
        {
            Some(suite) => (
                Status::Fail,
                "tlsCipherSuites",
                format!("the weak cipher suite {suite} is allowed"),
            ),
            None => (
                Status::Pass,
                "tlsCipherSuites",
                "no weak TLS version or cipher is allowed".to_string(),
            ),
        }
    })
}
