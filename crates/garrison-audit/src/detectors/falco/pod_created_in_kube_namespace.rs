//! Falco rule "Pod Created in Kube Namespace".

use super::plain_pod;
use crate::engine::{Config, State};
use crate::event::EventView;

detector! {
    /// Mirrors the Falco k8saudit rule "Pod Created in Kube Namespace".
    ///
    /// ## What it does
    ///
    /// Reports pod creations in `kube-system` or `kube-public` whose images are not on the
    /// kube-namespace allow-list.
    ///
    /// ## Why it matters
    ///
    /// System namespaces hold highly privileged service accounts and secrets; a foreign pod there
    /// can borrow them.
    ///
    /// ## How to fix
    ///
    /// Run workloads in their own namespaces; add trusted system images to `trusted_images`.
    ///
    /// ## References
    ///
    /// - Falco k8saudit rules, `plugins/k8saudit/rules/k8s_audit_rules.yaml` (falcosecurity/plugins), rule "Pod Created in Kube Namespace".
    /// - Kubernetes documentation, Auditing: https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/
    pub static DETECTOR = {
        id: "EKS-FALCO-015",
        name: "falco-pod-in-kube-namespace",
        title: "Pod Created in Kube Namespace",
        severity: Medium,
        family: Falco,
        remediation: "Run workloads in their own namespaces.",
        run: Audit(run),
    };
}

fn run(_state: &mut State, config: &Config, view: &EventView<'_, '_>) -> Option<String> {
    let event = view.event;
    if !(event.complete()
        && plain_pod(event)
        && event.verb == "create"
        && matches!(event.namespace(), "kube-system" | "kube-public"))
    {
        return None;
    }
    let spec = view.pod_spec()?;
    (!spec.all_images_in(&config.kube_namespace_images))
        .then(|| format!("pod created in {}", event.namespace()))
}
