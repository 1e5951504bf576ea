use garrison_core::{Level, Object, SeedControl, Severity};

use super::{Permission, judge};
use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// Reports each subject of a ClusterRoleBinding that can `get` or `create` the `nodes/proxy`
    /// subresource, also when limited by `resourceNames` to some nodes. Nodes are cluster-scoped,
    /// so only ClusterRoleBindings grant it.
    ///
    /// ## Why it matters
    /// `nodes/proxy` reaches the kubelet API of a node through the API server. The kubelet
    /// authorizes its endpoints by mapping HTTP methods to verbs, so `get` on `nodes/proxy` is
    /// enough to open `/exec` and `/run` over a WebSocket and run commands in every container on
    /// the node, and those calls are not recorded as pod `exec` in the audit log.
    ///
    /// ## How to fix
    /// Remove `nodes/proxy` from the role. Monitoring agents that read kubelet metrics need
    /// `nodes/metrics` and `nodes/stats`, not `nodes/proxy`.
    ///
    /// ## References
    /// - CIS Amazon EKS Benchmark 4.1.10: minimize access to the proxy sub-resource of nodes
    /// - Kubernetes documentation: Kubelet authentication/authorization
    pub static META = CheckMeta {
        id: "EKS-CIS-4.1.10",
        name: "node-proxy-access",
        title: "Subject can use the nodes/proxy subresource",
        severity: Severity::High,
        level: Level::Cluster,
        control: SeedControl::CisBenchmark,
        cis: Some("4.1.10"),
        security_hub: None,
        pss: None,
        remediation: "Remove nodes/proxy from the bound role; grant nodes/metrics or nodes/stats for monitoring.",
    };
}

const PERMISSIONS: &[Permission] = &[
    Permission::cluster("get", "", "nodes/proxy").even_named(),
    Permission::cluster("create", "", "nodes/proxy").even_named(),
];

pub fn evaluate(context: &Context<'_>, object: &Object) -> Option<Vec<Outcome>> {
    judge(context, object, PERMISSIONS)
}
