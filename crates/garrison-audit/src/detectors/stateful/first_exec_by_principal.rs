//! garrison detector "First exec by a principal".

use crate::detectors::guardduty::first_stage;
use crate::engine::{Config, State};
use crate::event::EventView;

detector! {
    /// The first command a principal runs in a pod through the exec API, in the events read.
    ///
    /// ## What it does
    ///
    /// Reports the first `pods/exec` request of each principal (the impersonated user when there
    /// is one) in the stream being processed, at the stage the request was logged first
    /// (ResponseStarted, or ResponseComplete when the log omits the former), with the pod and
    /// the command. Later execs by the same principal are not reported again (the Falco rule
    /// "Attach/Exec Pod", EKS-FALCO-011, reports every one). "First" is relative to what was
    /// read: a scan of one day's log reports each principal's first exec of that day. At most
    /// `max_principals` principals are remembered (default 10,000); one forgotten as least
    /// recently seen is reported again on its next exec.
    ///
    /// ## Why it matters
    ///
    /// A human or a workload that starts running commands in containers is new behaviour worth
    /// a look: exec bypasses the image and deployment pipeline, and attackers with a stolen
    /// token use it to reach what a pod can reach. The first occurrence is the signal, repeats
    /// by the same principal mostly are not. It approximates GuardDuty's
    /// `Execution:Kubernetes/AnomalousBehavior.ExecInPod` with a first-seen baseline.
    ///
    /// ## How to fix
    ///
    /// Check that the principal is expected to exec into that pod. Restrict `pods/exec` to
    /// break-glass roles and prefer ephemeral debug containers with approved images.
    ///
    /// ## References
    ///
    /// - Amazon GuardDuty User Guide, "EKS audit log finding types": https://docs.aws.amazon.com/guardduty/latest/ug/guardduty-finding-types-eks-audit-logs.html
    /// - Kubernetes documentation, Auditing: https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/
    pub static DETECTOR = {
        id: "EKS-AUDIT-003",
        name: "first-exec-by-principal",
        title: "First exec by a principal",
        severity: Medium,
        family: Stateful,
        remediation: "Check that the principal is expected to exec into pods; restrict pods/exec to break-glass roles.",
        run: Audit(run),
    };
}

fn run(state: &mut State, config: &Config, view: &EventView<'_, '_>) -> Option<String> {
    let event = view.event;
    if !(event.resource() == "pods" && event.subresource() == "exec" && first_stage(event)) {
        return None;
    }
    let now = state.time(event);
    let principal = event.principal();
    let known = state.exec_principals.contains(principal);
    state
        .exec_principals
        .entry(principal, now, config.max_principals);
    (!known).then(|| {
        let command = event.query_param("command").unwrap_or_default();
        format!(
            "first exec by {principal}: pod {}/{}, command {command:?}",
            event.namespace(),
            event.name()
        )
    })
}
