//! Falco rule "Attach to cluster-admin Role".

use crate::engine::{Config, State};
use crate::event::EventView;

detector! {
    /// Mirrors the Falco k8saudit rule "Attach to cluster-admin Role".
    ///
    /// ## What it does
    ///
    /// Reports ClusterRoleBinding creations whose roleRef is `cluster-admin`.
    ///
    /// ## Why it matters
    ///
    /// Every cluster-admin binding is a full takeover if its subject is compromised.
    ///
    /// ## How to fix
    ///
    /// Bind a narrower role; keep cluster-admin for a break-glass identity.
    ///
    /// ## References
    ///
    /// - Falco k8saudit rules, `plugins/k8saudit/rules/k8s_audit_rules.yaml` (falcosecurity/plugins), rule "Attach to cluster-admin Role".
    /// - Kubernetes documentation, Auditing: https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/
    pub static DETECTOR = {
        id: "EKS-FALCO-018",
        name: "falco-attach-cluster-admin",
        title: "Attach to cluster-admin Role",
        severity: Medium,
        family: Falco,
        remediation: "Bind a narrower role.",
        run: Audit(run),
    };
}

fn run(_state: &mut State, _config: &Config, view: &EventView<'_, '_>) -> Option<String> {
    let event = view.event;
    if !(event.complete() && event.resource() == "clusterrolebindings" && event.verb == "create") {
        return None;
    }
    let role = view.body()?.role_ref.as_ref()?;
    (role.name == "cluster-admin").then(|| "ClusterRoleBinding to cluster-admin".to_string())
}
