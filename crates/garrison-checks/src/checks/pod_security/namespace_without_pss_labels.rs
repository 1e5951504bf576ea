use garrison_core::{Level, Object, SeedControl, Severity, Status};

use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// Reports Namespaces without a `pod-security.kubernetes.io/enforce` label, and warns about
    /// those that enforce `privileged` (which enforces nothing). Namespaces that EKS manages are
    /// allow-listed.
    ///
    /// ## Why it matters
    /// Pod Security admission is built into every EKS cluster but does nothing until a namespace
    /// asks for it. Without the label a namespace admits privileged pods, host namespaces and
    /// hostPath volumes from anyone who can create a pod there.
    ///
    /// ## How to fix
    /// Label the namespace, e.g. `pod-security.kubernetes.io/enforce: restricted` (or `baseline`)
    /// with `pod-security.kubernetes.io/enforce-version` pinned, and `warn`/`audit` at
    /// `restricted` to see what a stricter level would break.
    ///
    /// ## References
    /// - Kubernetes documentation: Enforce Pod Security Standards with namespace labels
    /// - EKS Best Practices Guide, Pod Security: Pod Security Admission
    pub static META = CheckMeta {
        id: "EKS-PSS-001",
        name: "namespace-without-pod-security-labels",
        title: "Namespace does not enforce a Pod Security Standard",
        severity: Severity::Medium,
        level: Level::Application,
        control: SeedControl::PodSecurity,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Label the namespace pod-security.kubernetes.io/enforce=restricted (or baseline).",
    };
}

const ENFORCE: &str = "pod-security.kubernetes.io/enforce";

pub fn evaluate(context: &Context<'_>, namespace: &Object) -> Option<Vec<Outcome>> {
    if context.config.is_managed_namespace(Some(&namespace.name)) {
        return None;
    }
    let pointer = "/metadata/labels/pod-security.kubernetes.io~1enforce";
    let outcomes = match namespace.label(ENFORCE) {
        Some("restricted" | "baseline") => Vec::new(),
        Some("privileged") => vec![Outcome::warn(
            pointer,
            format!(
                "namespace {} enforces the privileged level, which allows everything",
                namespace.name
            ),
        )],
        Some(other) => vec![Outcome::with_status(
            Status::Fail,
            Some(pointer.to_string()),
            format!(
                "namespace {} has an invalid {ENFORCE} label {other:?}",
                namespace.name
            ),
        )],
        None => vec![Outcome::fail(
            "/metadata/labels",
            format!("namespace {} has no {ENFORCE} label", namespace.name),
        )],
    };
    Some(outcomes)
}
