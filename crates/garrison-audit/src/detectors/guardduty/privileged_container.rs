//! GuardDuty finding type `PrivilegeEscalation:Kubernetes/PrivilegedContainer`.

use crate::engine::{Config, State};
use crate::event::EventView;

detector! {
    /// Mirrors the GuardDuty EKS audit-log finding type `PrivilegeEscalation:Kubernetes/PrivilegedContainer`.
    ///
    /// ## What it does
    ///
    /// Reports a successful pod or workload create with a privileged container whose image had not
    /// been used for a privileged container earlier in the log (GuardDuty keeps that history per
    /// cluster; garrison keeps it for the run). GuardDuty has retired this type in favour of an
    /// anomaly-based one; the rule remains a useful signal.
    ///
    /// ## Why it matters
    ///
    /// A privileged container owns its node; a new image doing so is either a new infrastructure
    /// agent or an attacker's foothold.
    ///
    /// ## How to fix
    ///
    /// Check the image and who deployed it; drop `privileged` unless the workload needs it.
    ///
    /// ## References
    ///
    /// - Amazon GuardDuty User Guide, "EKS audit log finding types": https://docs.aws.amazon.com/guardduty/latest/ug/guardduty-finding-types-eks-audit-logs.html
    /// - Amazon GuardDuty User Guide, "Remediating EKS Protection findings": https://docs.aws.amazon.com/guardduty/latest/ug/guardduty-remediate-kubernetes.html
    pub static DETECTOR = {
        id: "EKS-GDAUDIT-006",
        name: "gd-privileged-container",
        title: "PrivilegeEscalation:Kubernetes/PrivilegedContainer",
        severity: Medium,
        family: GuardDuty,
        remediation: "Check the image and who deployed it.",
        run: Audit(run),
    };
}

fn run(state: &mut State, _config: &Config, view: &EventView<'_, '_>) -> Option<String> {
    let event = view.event;
    if !(event.complete() && event.verb == "create" && event.successful()) {
        return None;
    }
    let spec = view.workload_spec()?;
    let mut new_images = Vec::new();
    for container in spec.all_containers().filter(|c| c.privileged()) {
        if state.privileged_images.insert(container.image.to_string()) {
            new_images.push(container.image.to_string());
        }
    }
    (!new_images.is_empty()).then(|| {
        format!("privileged container with an image not seen privileged before: {new_images:?}")
    })
}
