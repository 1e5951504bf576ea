use garrison_core::{Level, Object, SeedControl, Severity};

use super::{binding_view, matching_any};
use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// Reports each subject of a RoleBinding or ClusterRoleBinding whose role is `cluster-admin`,
    /// or any role with a rule that grants every verb on every resource of every API group as
    /// `cluster-admin` does (aggregated ClusterRoles included), naming the binding and the rule.
    /// Through a ClusterRoleBinding the subject can do anything in the cluster; through a
    /// RoleBinding, anything in the binding's namespace, its RBAC included. The group
    /// `system:masters`, which the API server allows everything before RBAC is consulted, is not
    /// reported; nor are the `system:` and `eks:` bindings that Kubernetes and EKS manage.
    ///
    /// ## Why it matters
    /// A cluster administrator can read every Secret, run any pod on any node, and change RBAC,
    /// admission webhooks and audit-relevant objects. Every subject that holds it is a principal
    /// whose compromise is a compromise of the cluster, and the more of them there are, the less
    /// anyone can tell what is intended.
    ///
    /// ## How to fix
    /// Bind a role that grants what the subject needs, in the namespaces it needs it: `edit` or
    /// `admin` through a RoleBinding, or a purpose-built role. Keep cluster-wide administration
    /// for a few break-glass identities, preferably EKS access entries with
    /// AmazonEKSClusterAdminPolicy that can be reviewed in IAM.
    ///
    /// ## References
    /// - CIS Amazon EKS Benchmark 4.1.1: ensure that the cluster-admin role is only used where required
    /// - EKS Best Practices Guide, Identity and Access Management: employ least privileged access to AWS resources and Kubernetes
    /// - Kubernetes documentation: Using RBAC Authorization, user-facing roles
    pub static META = CheckMeta {
        id: "EKS-CIS-4.1.1",
        name: "cluster-admin-bound",
        title: "Subject is bound to cluster-admin",
        severity: Severity::High,
        level: Level::Cluster,
        control: SeedControl::CisBenchmark,
        cis: Some("4.1.1"),
        security_hub: None,
        pss: None,
        remediation: "Bind a least-privilege role instead of cluster-admin, in the namespaces the subject needs.",
    };
}

pub fn evaluate(context: &Context<'_>, object: &Object) -> Option<Vec<Outcome>> {
    let view = match binding_view(context, object) {
        Err(unknown) => return Some(vec![unknown]),
        Ok(None) => return None,
        Ok(Some(view)) => view,
    };
    let Some(rule) = view
        .authorizer
        .granted_rules(view.id)
        .find(|(_, rule)| {
            rule.resource_names
                .as_deref()
                .unwrap_or_default()
                .is_empty()
                && rule.verbs.iter().any(|verb| verb == "*")
                && matching_any(&rule.api_groups)
                && matching_any(&rule.resources)
        })
        .map(|(reference, _)| reference)
    else {
        return Some(Vec::new());
    };
    Some(view.fail_each_subject("do anything", &[rule]))
}
