//! GuardDuty finding type `Policy:Kubernetes/KubeflowDashboardExposed`.

use super::load_balancer_selecting;
use crate::engine::{Config, State};
use crate::event::EventView;

detector! {
    /// Mirrors the GuardDuty EKS audit-log finding type `Policy:Kubernetes/KubeflowDashboardExposed`.
    ///
    /// ## What it does
    ///
    /// Reports a successful create, update or patch of a Service of `type: LoadBalancer` that
    /// selects the Kubeflow dashboard (selector or name mentioning `centraldashboard` or
    /// `kubeflow`, or the `istio-ingressgateway` in the `kubeflow` namespace).
    ///
    /// ## Why it matters
    ///
    /// The Kubeflow dashboard runs notebooks and pipelines, i.e. arbitrary code, in the cluster;
    /// exposed without authentication it is remote code execution.
    ///
    /// ## How to fix
    ///
    /// Make the Service ClusterIP and put the dashboard behind an authenticating proxy.
    ///
    /// ## References
    ///
    /// - Amazon GuardDuty User Guide, "EKS audit log finding types": https://docs.aws.amazon.com/guardduty/latest/ug/guardduty-finding-types-eks-audit-logs.html
    /// - Amazon GuardDuty User Guide, "Remediating EKS Protection findings": https://docs.aws.amazon.com/guardduty/latest/ug/guardduty-remediate-kubernetes.html
    pub static DETECTOR = {
        id: "EKS-GDAUDIT-005",
        name: "gd-kubeflow-dashboard-exposed",
        title: "Policy:Kubernetes/KubeflowDashboardExposed",
        severity: Medium,
        family: GuardDuty,
        remediation: "Make the Service ClusterIP and put the dashboard behind an authenticating proxy.",
        run: Audit(run),
    };
}

fn run(_state: &mut State, _config: &Config, view: &EventView<'_, '_>) -> Option<String> {
    let event = view.event;
    let kubeflow = event.namespace() == "kubeflow";
    (load_balancer_selecting(view, &["centraldashboard", "kubeflow"])
        || (kubeflow && load_balancer_selecting(view, &["istio-ingressgateway"])))
    .then(|| {
        format!(
            "LoadBalancer Service {} exposes the Kubeflow dashboard",
            event.name()
        )
    })
}
