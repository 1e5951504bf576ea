//! Falco rule "Create Disallowed Pod".

use super::plain_pod;
use crate::engine::{Config, State};
use crate::event::EventView;

detector! {
    /// Mirrors the Falco k8saudit rule "Create Disallowed Pod".
    ///
    /// ## What it does
    ///
    /// When `allowed_images` is configured, reports pod creations with a container whose image
    /// repository is not on that list. Off until the list is set, as in Falco (where the
    /// `allowed_k8s_containers` macro allows everything).
    ///
    /// ## Why it matters
    ///
    /// An allow-list of images stops workloads pulled from unvetted registries; a pod outside it is
    /// either a new component nobody reviewed or an attacker's.
    ///
    /// ## How to fix
    ///
    /// Run the image from an allowed repository, or add the repository to `allowed_images`.
    ///
    /// ## References
    ///
    /// - Falco k8saudit rules, `plugins/k8saudit/rules/k8s_audit_rules.yaml` (falcosecurity/plugins), rule "Create Disallowed Pod".
    /// - Kubernetes documentation, Auditing: https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/
    pub static DETECTOR = {
        id: "EKS-FALCO-002",
        name: "falco-disallowed-pod",
        title: "Create Disallowed Pod",
        severity: Medium,
        family: Falco,
        remediation: "Run the image from an allowed repository, or add the repository to `allowed_images`.",
        run: Audit(run),
    };
}

fn run(_state: &mut State, config: &Config, view: &EventView<'_, '_>) -> Option<String> {
    let allowed = config.allowed_images.as_ref()?;
    let event = view.event;
    if !(event.complete() && plain_pod(event) && event.verb == "create") {
        return None;
    }
    let spec = view.pod_spec()?;
    (!spec.all_images_in(allowed)).then(|| {
        let images: Vec<&str> = spec.containers.iter().map(|c| &*c.image).collect();
        format!("pod with images {images:?} outside the allowed images")
    })
}
