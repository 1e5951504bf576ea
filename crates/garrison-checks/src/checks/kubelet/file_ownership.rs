use garrison_core::{Level, SeedControl, Severity, Snapshot};

use super::each_kube_bench_result;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// Reads each node's kube-bench report (`kube-bench/<node>.json`, the output of
    /// `kube-bench run --targets node --json`) and reports its results for CIS 3.1.2 (the kubelet
    /// kubeconfig file is owned by root:root) and 3.1.4 (the kubelet configuration file is owned
    /// by root:root): PASS, FAIL or WARN as kube-bench judged them, with the owner it found.
    /// Ownership cannot be read from any AWS or Kubernetes API, so a node without a report is
    /// UNKNOWN, never PASS. Fargate nodes are skipped.
    ///
    /// ## Why it matters
    /// The owner of the kubelet's kubeconfig and configuration can change them without any
    /// permission bit: a file owned by an unprivileged user lets that user reconfigure the
    /// kubelet or take the node's credentials.
    ///
    /// ## How to fix
    /// `chown root:root` the files kube-bench names, in the AMI or the node's bootstrap.
    ///
    /// ## References
    /// - CIS Amazon EKS Benchmark v1.8.0, 3.1.2 and 3.1.4
    /// - kube-bench documentation: running on EKS
    pub static META = CheckMeta {
        id: "EKS-CIS-3.1.2+3.1.4",
        name: "kubelet-file-ownership",
        title: "Kubelet kubeconfig or configuration file not owned by root",
        severity: Severity::Medium,
        level: Level::Infrastructure,
        control: SeedControl::CisBenchmark,
        cis: Some("3.1.2"),
        security_hub: None,
        pss: None,
        remediation: "Make root:root the owner of the kubelet kubeconfig and configuration files.",
    };
}

pub fn evaluate(context: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    each_kube_bench_result(context, snapshot, &["3.1.2", "3.1.4"], "file ownership")
}
