use garrison_core::{Level, Object, SeedControl, Severity, Workload};

use crate::checks::pss_control;
use crate::engine::{Context, Outcome};
use crate::pss::PssCheckId;

declare_check! {
    /// ## What it does
    /// Reports pods whose `securityContext.sysctls` name a kernel parameter outside the safe set of
    /// the Pod Security Standards (`kernel.shm_rmid_forced`, `net.ipv4.ip_local_port_range`,
    /// `net.ipv4.ip_unprivileged_port_start`, `net.ipv4.tcp_syncookies`, `net.ipv4.ping_group_range` and,
    /// in newer policy versions, a few more namespaced network parameters). Judged by the PSS engine
    /// (baseline control `sysctls`).
    ///
    /// ## Why it matters
    /// Sysctls outside the safe set are either not namespaced, so they change the node for every pod
    /// on it, or can starve other pods of kernel resources. The kubelet refuses them unless it was started
    /// with `--allowed-unsafe-sysctls`, and a node that allows them gives the pod a lever over its neighbours.
    ///
    /// ## How to fix
    /// Remove the sysctl from the pod, or tune the node (launch template user data, Bottlerocket
    /// settings) when every pod on that node group needs it.
    ///
    /// ## References
    /// - Pod Security Standards, baseline: Sysctls
    /// - Kubernetes documentation: Using sysctls in a Kubernetes cluster
    pub static META = CheckMeta {
        id: "EKS-PSS-025",
        name: "unsafe-sysctls",
        title: "Pod sets sysctls outside the safe set",
        severity: Severity::Medium,
        level: Level::Application,
        control: SeedControl::PodSecurity,
        cis: None,
        security_hub: None,
        pss: Some("sysctls"),
        remediation: "Remove the unsafe sysctls from the pod's securityContext.",
    };
}

pub fn evaluate(_: &Context<'_>, workload: &Workload, object: &Object) -> Vec<Outcome> {
    pss_control(workload, object, PssCheckId::Sysctls)
}
