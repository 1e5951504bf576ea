//! Falco rule "Attach/Exec Pod".

use crate::engine::{Config, State};
use crate::event::EventView;

detector! {
    /// Mirrors the Falco k8saudit rule "Attach/Exec Pod".
    ///
    /// ## What it does
    ///
    /// Reports `exec` and `attach` into pods, at the ResponseStarted stage (the stage those
    /// streaming requests log), with the command run.
    ///
    /// ## Why it matters
    ///
    /// Interactive access to a running container bypasses the image and deployment pipeline; in
    /// production it is rare and worth a look.
    ///
    /// ## How to fix
    ///
    /// Prefer ephemeral debug containers with an approved image, restrict `pods/exec` in RBAC to
    /// break-glass roles.
    ///
    /// ## References
    ///
    /// - Falco k8saudit rules, `plugins/k8saudit/rules/k8s_audit_rules.yaml` (falcosecurity/plugins), rule "Attach/Exec Pod".
    /// - Kubernetes documentation, Auditing: https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/
    pub static DETECTOR = {
        id: "EKS-FALCO-011",
        name: "falco-attach-exec-pod",
        title: "Attach/Exec Pod",
        severity: Low,
        family: Falco,
        remediation: "Prefer ephemeral debug containers with an approved image, restrict `pods/exec` in RBAC to break-glass roles.",
        run: Audit(run),
    };
}

fn run(_state: &mut State, _config: &Config, view: &EventView<'_, '_>) -> Option<String> {
    let event = view.event;
    (event.stage == "ResponseStarted"
        && event.resource() == "pods"
        && matches!(event.subresource(), "exec" | "attach")
        && matches!(&*event.verb, "create" | "get"))
    .then(|| {
        let command = event.query_param("command").unwrap_or_default();
        format!("{} into pod, command {command:?}", event.subresource())
    })
}
