//! GuardDuty finding type `Policy:Kubernetes/AdminAccessToDefaultServiceAccount`.

use super::{ADMIN_ROLES, binding_write};
use crate::engine::{Config, State};
use crate::event::EventView;

detector! {
    /// Mirrors the GuardDuty EKS audit-log finding type `Policy:Kubernetes/AdminAccessToDefaultServiceAccount`.
    ///
    /// ## What it does
    ///
    /// Reports a successful RoleBinding or ClusterRoleBinding create, update or patch that binds
    /// the `admin` or `cluster-admin` ClusterRole to a namespace's `default` ServiceAccount.
    ///
    /// ## Why it matters
    ///
    /// Every pod that does not name a service account runs as `default`; giving it admin rights
    /// gives them to every such pod and to anyone who can create one.
    ///
    /// ## How to fix
    ///
    /// Bind the role to a dedicated service account, remove the binding from `default`, and set
    /// `automountServiceAccountToken: false` on the default account.
    ///
    /// ## References
    ///
    /// - Amazon GuardDuty User Guide, "EKS audit log finding types": https://docs.aws.amazon.com/guardduty/latest/ug/guardduty-finding-types-eks-audit-logs.html
    /// - Amazon GuardDuty User Guide, "Remediating EKS Protection findings": https://docs.aws.amazon.com/guardduty/latest/ug/guardduty-remediate-kubernetes.html
    pub static DETECTOR = {
        id: "EKS-GDAUDIT-002",
        name: "gd-admin-to-default-service-account",
        title: "Policy:Kubernetes/AdminAccessToDefaultServiceAccount",
        severity: High,
        family: GuardDuty,
        remediation: "Bind the role to a dedicated service account, remove the binding from `default`.",
        run: Audit(run),
    };
}

fn run(_state: &mut State, _config: &Config, view: &EventView<'_, '_>) -> Option<String> {
    let event = view.event;
    if !(binding_write(event) && event.successful()) {
        return None;
    }
    let body = view.body()?;
    let role = body.role_ref.as_ref()?;
    if !ADMIN_ROLES.contains(&&*role.name) {
        return None;
    }
    body.subjects
        .iter()
        .find(|s| s.kind == "ServiceAccount" && s.name == "default")
        .map(|s| {
            let namespace = if s.namespace.is_empty() {
                event.namespace()
            } else {
                &s.namespace
            };
            format!(
                "{} bound to the default service account of {namespace}",
                role.name
            )
        })
}
