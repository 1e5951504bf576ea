//! GuardDuty finding type `Policy:Kubernetes/ExposedDashboard`.

use super::load_balancer_selecting;
use crate::engine::{Config, State};
use crate::event::EventView;

detector! {
    /// Mirrors the GuardDuty EKS audit-log finding type `Policy:Kubernetes/ExposedDashboard`.
    ///
    /// ## What it does
    ///
    /// Reports a successful create, update or patch of a Service of `type: LoadBalancer` that
    /// selects the Kubernetes dashboard (selector or name mentioning `kubernetes-dashboard`).
    ///
    /// ## Why it matters
    ///
    /// The dashboard acts with its service account's rights; on the internet it is a well-known
    /// entry point (the 2018 Tesla cryptomining breach started there).
    ///
    /// ## How to fix
    ///
    /// Make the Service ClusterIP and reach the dashboard through `kubectl proxy` or an
    /// authenticated ingress; restrict `loadBalancerSourceRanges` if it must stay.
    ///
    /// ## References
    ///
    /// - Amazon GuardDuty User Guide, "EKS audit log finding types": https://docs.aws.amazon.com/guardduty/latest/ug/guardduty-finding-types-eks-audit-logs.html
    /// - Amazon GuardDuty User Guide, "Remediating EKS Protection findings": https://docs.aws.amazon.com/guardduty/latest/ug/guardduty-remediate-kubernetes.html
    pub static DETECTOR = {
        id: "EKS-GDAUDIT-004",
        name: "gd-exposed-dashboard",
        title: "Policy:Kubernetes/ExposedDashboard",
        severity: Medium,
        family: GuardDuty,
        remediation: "Make the Service ClusterIP and reach the dashboard through `kubectl proxy` or an authenticated ingress.",
        run: Audit(run),
    };
}

fn run(_state: &mut State, _config: &Config, view: &EventView<'_, '_>) -> Option<String> {
    let event = view.event;
    load_balancer_selecting(view, &["kubernetes-dashboard"]).then(|| {
        format!(
            "LoadBalancer Service {} exposes the Kubernetes dashboard",
            event.name()
        )
    })
}
