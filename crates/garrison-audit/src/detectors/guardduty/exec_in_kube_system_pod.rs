//! GuardDuty finding type `Execution:Kubernetes/ExecInKubeSystemPod`.

use super::first_stage;
use crate::engine::{Config, State};
use crate::event::EventView;

detector! {
    /// Mirrors the GuardDuty EKS audit-log finding type `Execution:Kubernetes/ExecInKubeSystemPod`.
    ///
    /// ## What it does
    ///
    /// Reports a command executed in a pod of `kube-system` through the exec API (the `pods/exec`
    /// subresource, at the stage the request was logged first: ResponseStarted, or ResponseComplete
    /// when the log omits the former).
    ///
    /// ## Why it matters
    ///
    /// The kube-system pods run the cluster's networking, DNS and add-ons with powerful service
    /// accounts; exec into them is rarely legitimate and a classic step after a credential theft.
    ///
    /// ## How to fix
    ///
    /// Find who ran the command and whether it was expected; if not, revoke that identity's access
    /// and review the pod for tampering.
    ///
    /// ## References
    ///
    /// - Amazon GuardDuty User Guide, "EKS audit log finding types": https://docs.aws.amazon.com/guardduty/latest/ug/guardduty-finding-types-eks-audit-logs.html
    /// - Amazon GuardDuty User Guide, "Remediating EKS Protection findings": https://docs.aws.amazon.com/guardduty/latest/ug/guardduty-remediate-kubernetes.html
    pub static DETECTOR = {
        id: "EKS-GDAUDIT-001",
        name: "gd-exec-in-kube-system-pod",
        title: "Execution:Kubernetes/ExecInKubeSystemPod",
        severity: Medium,
        family: GuardDuty,
        remediation: "Find who ran the command and whether it was expected.",
        run: Audit(run),
    };
}

fn run(_state: &mut State, _config: &Config, view: &EventView<'_, '_>) -> Option<String> {
    let event = view.event;
    (event.resource() == "pods"
        && event.subresource() == "exec"
        && event.namespace() == "kube-system"
        && first_stage(event))
    .then(|| {
        let command = event.query_param("command").unwrap_or_default();
        format!("exec into kube-system pod, command {command:?}")
    })
}
