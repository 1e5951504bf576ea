use garrison_core::{Level, Object, SeedControl, Severity};

use super::{Permission, judge};
use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// Reports each subject of a RoleBinding or ClusterRoleBinding that can `create` the
    /// `serviceaccounts/token` subresource: through a ClusterRoleBinding for every service
    /// account, through a RoleBinding for those of its namespace, and with `resourceNames` for
    /// the named ones (which are given).
    ///
    /// ## Why it matters
    /// The TokenRequest API issues a token for a service account on demand. Whoever can call it
    /// can act as those service accounts, with their RBAC permissions and, through IRSA, their
    /// IAM roles, for as long as the token lives, without running a pod.
    ///
    /// ## How to fix
    /// Remove `serviceaccounts/token` from the role. Workloads receive their own tokens through
    /// projected volumes and need no permission for it.
    ///
    /// ## References
    /// - CIS Amazon EKS Benchmark 4.1.12: minimize access to the service account token creation
    /// - Kubernetes documentation: Managing Service Accounts, TokenRequest API
    pub static META = CheckMeta {
        id: "EKS-CIS-4.1.12",
        name: "service-account-token-creation",
        title: "Subject can create service-account tokens",
        severity: Severity::High,
        level: Level::Cluster,
        control: SeedControl::CisBenchmark,
        cis: Some("4.1.12"),
        security_hub: None,
        pss: None,
        remediation: "Remove create on serviceaccounts/token from the bound role.",
    };
}

const PERMISSIONS: &[Permission] =
    &[Permission::namespaced("create", "", "serviceaccounts/token").even_named()];

pub fn evaluate(context: &Context<'_>, object: &Object) -> Option<Vec<Outcome>> {
    judge(context, object, PERMISSIONS)
}
