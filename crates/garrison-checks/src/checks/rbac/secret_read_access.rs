use garrison_core::{Level, Object, SeedControl, Severity};

use super::{Permission, judge};
use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// Reports each subject of a RoleBinding or ClusterRoleBinding that can `get`, `list` or
    /// `watch` Secrets: through a ClusterRoleBinding in every namespace, through a RoleBinding in
    /// its namespace. The bound role is evaluated as the API server evaluates it, so `*` verbs,
    /// `*` resources and the rules of aggregated ClusterRoles (such as `edit` and `admin`) count,
    /// whether the role is a Role or a ClusterRole. A rule limited by `resourceNames` to
    /// particular Secrets is not reported.
    ///
    /// ## Why it matters
    /// Secrets hold database passwords, API keys, TLS keys and, in older clusters, service-account
    /// tokens. `list` and `watch` return every Secret's data, not only names. Whoever can read
    /// them can act as every workload whose credentials they hold.
    ///
    /// ## How to fix
    /// Remove `secrets` from the role, or restrict the rule to the Secrets the subject needs with
    /// `resourceNames` (which also removes `list` and `watch`). Mount Secrets into the pods that
    /// use them rather than reading them through the API, and prefer IRSA or EKS Pod Identity to
    /// stored AWS credentials.
    ///
    /// ## References
    /// - CIS Amazon EKS Benchmark 4.1.2: minimize access to secrets
    /// - Kubernetes documentation: Good practices for Kubernetes Secrets, least-privilege access
    pub static META = CheckMeta {
        id: "EKS-CIS-4.1.2",
        name: "secret-read-access",
        title: "Subject can read Secrets",
        severity: Severity::High,
        level: Level::Cluster,
        control: SeedControl::CisBenchmark,
        cis: Some("4.1.2"),
        security_hub: None,
        pss: None,
        remediation: "Remove get/list/watch on secrets from the bound role, or limit it with resourceNames.",
    };
}

const PERMISSIONS: &[Permission] = &[
    Permission::namespaced("get", "", "secrets"),
    Permission::namespaced("list", "", "secrets"),
    Permission::namespaced("watch", "", "secrets"),
];

pub fn evaluate(context: &Context<'_>, object: &Object) -> Option<Vec<Outcome>> {
    judge(context, object, PERMISSIONS)
}
