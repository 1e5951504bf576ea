use garrison_core::{Level, Object, SeedControl, Severity};
use serde_json::Value;

use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// Reports Secrets of type `kubernetes.io/service-account-token`: long-lived service account
    /// tokens stored in the cluster. Other Secrets pass.
    ///
    /// ## Why it matters
    /// Pods get short-lived, audience-bound tokens through projected volumes; a token Secret never
    /// expires, is valid until the Secret is deleted, and anyone who can read Secrets in the
    /// namespace can copy it and act as the service account from outside the cluster. Since
    /// Kubernetes 1.24 they are no longer created automatically, so one that exists was made on
    /// purpose or is a leftover, and Kubernetes labels unused ones for cleanup.
    ///
    /// ## How to fix
    /// Have clients request tokens with the TokenRequest API (`kubectl create token`, projected
    /// volumes) and delete the Secret. For CI systems outside the cluster prefer EKS access
    /// entries for an IAM role over Kubernetes tokens.
    ///
    /// ## References
    /// - Kubernetes documentation: Service account token Secrets (legacy)
    /// - EKS Best Practices Guide, Identity and Access Management: use short-lived credentials
    pub static META = CheckMeta {
        id: "EKS-IAM-017",
        name: "legacy-service-account-token-secret",
        title: "Long-lived service account token Secret",
        severity: Severity::Medium,
        level: Level::Application,
        control: SeedControl::WorkloadIdentity,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Delete the token Secret; request short-lived tokens with the TokenRequest API.",
    };
}

pub fn evaluate(_: &Context<'_>, object: &Object) -> Option<Vec<Outcome>> {
    if object.value.get("type").and_then(Value::as_str)
        != Some("kubernetes.io/service-account-token")
    {
        return Some(Vec::new());
    }
    let account = object
        .annotation("kubernetes.io/service-account.name")
        .unwrap_or("(unnamed)");
    Some(vec![Outcome::fail(
        "/type",
        format!("the Secret is a long-lived token of service account {account}"),
    )])
}
