//! Falco rule "Create/Modify Configmap With Private Credentials".

use super::CREDENTIAL_WORDS;
use crate::engine::{Config, State};
use crate::event::EventView;

detector! {
    /// Mirrors the Falco k8saudit rule "Create/Modify Configmap With Private Credentials".
    ///
    /// ## What it does
    ///
    /// Reports ConfigMap creations and updates whose `data` contains `aws_access_key_id`,
    /// `aws-access-key-id`, `aws_s3_access_key_id`, `aws-s3-access-key-id`, `password` or
    /// `passphrase`. Needs the request body, so Request level or above for ConfigMaps (on EKS that
    /// is the `aws-auth` ConfigMap only).
    ///
    /// ## Why it matters
    ///
    /// ConfigMaps are readable by many roles and are not encrypted with the Secrets KMS key;
    /// credentials in them leak.
    ///
    /// ## How to fix
    ///
    /// Move the credential into a Secret (or better an external secret store or IRSA / Pod
    /// Identity) and rotate it.
    ///
    /// ## References
    ///
    /// - Falco k8saudit rules, `plugins/k8saudit/rules/k8s_audit_rules.yaml` (falcosecurity/plugins), rule "Create/Modify Configmap With Private Credentials".
    /// - Kubernetes documentation, Auditing: https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/
    pub static DETECTOR = {
        id: "EKS-FALCO-009",
        name: "falco-configmap-credentials",
        title: "Create/Modify Configmap With Private Credentials",
        severity: Medium,
        family: Falco,
        remediation: "Move the credential into a Secret (or better an external secret store or IRSA / Pod Identity) and rotate it.",
        run: Audit(run),
    };
}

fn run(_state: &mut State, _config: &Config, view: &EventView<'_, '_>) -> Option<String> {
    let event = view.event;
    if !(event.complete()
        && event.resource() == "configmaps"
        && matches!(&*event.verb, "create" | "update" | "patch"))
    {
        return None;
    }
    let data = view.body()?.data?.get();
    CREDENTIAL_WORDS
        .iter()
        .find(|word| data.contains(*word))
        .map(|word| format!("ConfigMap data contains {word:?}"))
}
