use garrison_core::{Level, Object, SeedControl, Severity};

use super::{Permission, judge};
use crate::engine::{Context, Outcome};

const RBAC: &str = "rbac.authorization.k8s.io";

declare_check! {
    /// ## What it does
    /// Reports each subject of a RoleBinding or ClusterRoleBinding that holds one of the verbs
    /// that lift RBAC's own limits: `bind` on roles or ClusterRoles, `escalate` on roles or
    /// ClusterRoles, or `impersonate` on users, groups, service accounts or UIDs. A rule limited
    /// by `resourceNames` counts, and the names are given: binding one named role is still
    /// dangerous when that role is `cluster-admin`. `bind` on ClusterRoles through a RoleBinding
    /// counts, because it lets the subject bind any ClusterRole in that namespace;
    /// `impersonate` on users and groups and `escalate` on ClusterRoles only count through
    /// ClusterRoleBindings, because those are cluster-scoped requests.
    ///
    /// ## Why it matters
    /// RBAC stops a subject from granting permissions it does not hold, unless it holds `bind`
    /// (grant any role it may bind) or `escalate` (edit a role beyond its own permissions).
    /// `impersonate` lets it act as another user, group or service account outright. Each is a
    /// path from limited access to the permissions of whatever it can bind, escalate or
    /// impersonate, up to `cluster-admin` or `system:masters`.
    ///
    /// ## How to fix
    /// Remove the verbs from the role. Where a controller must manage RBAC, limit `bind` to the
    /// roles it hands out with `resourceNames`, and never grant `impersonate` on groups or on
    /// users other than a named, unprivileged one.
    ///
    /// ## References
    /// - CIS Amazon EKS Benchmark 4.1.8: limit use of the bind, impersonate and escalate permissions
    /// - Kubernetes documentation: Using RBAC Authorization, privilege escalation prevention and bootstrapping
    /// - Kubernetes documentation: User impersonation
    pub static META = CheckMeta {
        id: "EKS-CIS-4.1.8",
        name: "rbac-escalation-verbs",
        title: "Subject can bind, escalate or impersonate",
        severity: Severity::High,
        level: Level::Cluster,
        control: SeedControl::CisBenchmark,
        cis: Some("4.1.8"),
        security_hub: None,
        pss: None,
        remediation: "Remove bind, escalate and impersonate from the bound role, or limit them with resourceNames.",
    };
}

const PERMISSIONS: &[Permission] = &[
    Permission::namespaced("bind", RBAC, "roles").even_named(),
    Permission::namespaced("bind", RBAC, "clusterroles").even_named(),
    Permission::namespaced("escalate", RBAC, "roles").even_named(),
    Permission::cluster("escalate", RBAC, "clusterroles").even_named(),
    Permission::cluster("impersonate", "", "users").even_named(),
    Permission::cluster("impersonate", "", "groups").even_named(),
    Permission::namespaced("impersonate", "", "serviceaccounts").even_named(),
    Permission::cluster("impersonate", "authentication.k8s.io", "uids").even_named(),
];

pub fn evaluate(context: &Context<'_>, object: &Object) -> Option<Vec<Outcome>> {
    judge(context, object, PERMISSIONS)
}
