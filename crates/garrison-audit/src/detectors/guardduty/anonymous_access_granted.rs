//! GuardDuty finding type `Policy:Kubernetes/AnonymousAccessGranted`.

use super::binding_write;
use crate::engine::{Config, State};
use crate::event::EventView;

detector! {
    /// Mirrors the GuardDuty EKS audit-log finding type `Policy:Kubernetes/AnonymousAccessGranted`.
    ///
    /// ## What it does
    ///
    /// Reports a successful RoleBinding or ClusterRoleBinding create, update or patch whose
    /// subjects include the user `system:anonymous` or the group `system:unauthenticated`.
    ///
    /// ## Why it matters
    ///
    /// EKS keeps anonymous authentication on for health probes; a binding to the anonymous user or
    /// unauthenticated group opens the bound rights to the whole internet when the endpoint is
    /// public.
    ///
    /// ## How to fix
    ///
    /// Delete the binding (or remove the anonymous subject from it), and look for requests by
    /// `system:anonymous` since it was created.
    ///
    /// ## References
    ///
    /// - Amazon GuardDuty User Guide, "EKS audit log finding types": https://docs.aws.amazon.com/guardduty/latest/ug/guardduty-finding-types-eks-audit-logs.html
    /// - Amazon GuardDuty User Guide, "Remediating EKS Protection findings": https://docs.aws.amazon.com/guardduty/latest/ug/guardduty-remediate-kubernetes.html
    pub static DETECTOR = {
        id: "EKS-GDAUDIT-003",
        name: "gd-anonymous-access-granted",
        title: "Policy:Kubernetes/AnonymousAccessGranted",
        severity: High,
        family: GuardDuty,
        remediation: "Delete the binding (or remove the anonymous subject from it).",
        run: Audit(run),
    };
}

fn run(_state: &mut State, _config: &Config, view: &EventView<'_, '_>) -> Option<String> {
    let event = view.event;
    if !(binding_write(event) && event.successful()) {
        return None;
    }
    let body = view.body()?;
    let role = body.role_ref.as_ref().map_or("", |r| &*r.name);
    body.subjects
        .iter()
        .find(|s| matches!(&*s.name, "system:anonymous" | "system:unauthenticated"))
        .map(|s| format!("{} {} granted role {role}", s.kind, s.name))
}
