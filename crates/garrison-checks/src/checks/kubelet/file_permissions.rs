use garrison_core::{Level, SeedControl, Severity, Snapshot};

use super::each_kube_bench_result;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// Reads each node's kube-bench report (`kube-bench/<node>.json`, the output of
    /// `kube-bench run --targets node --json`) and reports its results for CIS 3.1.1 (the kubelet
    /// kubeconfig file is mode 644 or stricter) and 3.1.3 (the kubelet configuration file is mode
    /// 644 or stricter): PASS, FAIL or WARN as kube-bench judged them, with the mode it found.
    /// File modes cannot be read from any AWS or Kubernetes API, so a node without a report is
    /// UNKNOWN, never PASS. Fargate nodes are skipped.
    ///
    /// ## Why it matters
    /// The kubelet's kubeconfig holds the credentials the node uses against the API server, and
    /// its configuration file decides authentication, authorization and the read-only port. A
    /// file others can write lets any process on the node reconfigure the kubelet; one others
    /// can read leaks the node's identity.
    ///
    /// ## How to fix
    /// `chmod 644` (or stricter) the files kube-bench names, in the AMI or the node's bootstrap.
    /// EKS-optimized AMIs and Bottlerocket ship them correctly: a failure usually comes from a
    /// custom AMI or user data.
    ///
    /// ## References
    /// - CIS Amazon EKS Benchmark v1.8.0, 3.1.1 and 3.1.3
    /// - kube-bench documentation: running on EKS
    pub static META = CheckMeta {
        id: "EKS-CIS-3.1.1+3.1.3",
        name: "kubelet-file-permissions",
        title: "Kubelet kubeconfig or configuration file permissions are too open",
        severity: Severity::Medium,
        level: Level::Infrastructure,
        control: SeedControl::CisBenchmark,
        cis: Some("3.1.1"),
        security_hub: None,
        pss: None,
        remediation: "Restrict the kubelet kubeconfig and configuration files to mode 644 or stricter.",
    };
}

pub fn evaluate(context: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    each_kube_bench_result(context, snapshot, &["3.1.1", "3.1.3"], "file permissions")
}
