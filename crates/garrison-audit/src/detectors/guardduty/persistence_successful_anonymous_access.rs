//! GuardDuty finding type `Persistence:Kubernetes/SuccessfulAnonymousAccess`.

use super::{Tactic, first_stage, tactic};
use crate::engine::{Config, State};
use crate::event::EventView;

detector! {
    /// Mirrors the GuardDuty EKS audit-log finding type `Persistence:Kubernetes/SuccessfulAnonymousAccess`.
    ///
    /// ## What it does
    ///
    /// Reports a successful request (2xx) by `system:anonymous` that garrison classifies as an API
    /// commonly used to obtain persistent access or high-level permissions (creating workloads,
    /// roles, bindings, service accounts, webhooks). AWS does not publish its call-to-tactic table;
    /// garrison's table is in `detectors/guardduty/mod.rs`.
    ///
    /// ## Why it matters
    ///
    /// An anonymous request that succeeds means a binding grants rights to unauthenticated users;
    /// whoever can reach the endpoint can use them.
    ///
    /// ## How to fix
    ///
    /// Remove bindings naming `system:anonymous` or `system:unauthenticated`, make the endpoint
    /// private or restrict its CIDRs, and investigate what the anonymous caller did.
    ///
    /// ## References
    ///
    /// - Amazon GuardDuty User Guide, "EKS audit log finding types": https://docs.aws.amazon.com/guardduty/latest/ug/guardduty-finding-types-eks-audit-logs.html
    /// - Amazon GuardDuty User Guide, "Remediating EKS Protection findings": https://docs.aws.amazon.com/guardduty/latest/ug/guardduty-remediate-kubernetes.html
    pub static DETECTOR = {
        id: "EKS-GDAUDIT-012",
        name: "gd-persistence-anonymous",
        title: "Persistence:Kubernetes/SuccessfulAnonymousAccess",
        severity: High,
        family: GuardDuty,
        remediation: "Remove bindings naming `system:anonymous` or `system:unauthenticated`, make the endpoint private or restrict its CIDRs.",
        run: Audit(run),
    };
}

fn run(_state: &mut State, _config: &Config, view: &EventView<'_, '_>) -> Option<String> {
    let event = view.event;
    (event.username() == "system:anonymous"
        && event.successful()
        && first_stage(event)
        && tactic(event) == Some(Tactic::Persistence))
    .then(|| format!("anonymous {} {} succeeded", event.verb, event.request_uri))
}
