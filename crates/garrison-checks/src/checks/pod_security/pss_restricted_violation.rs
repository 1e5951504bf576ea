use garrison_core::{Level, Object, SeedControl, Severity, Status, Workload};

use crate::checks::pss_verdict;
use crate::engine::{Context, Outcome};
use crate::pss::{PssLevel, PssPolicy, PssVersion};

declare_check! {
    /// ## What it does
    /// Judges each workload against Pod Security Standards `restricted:latest`, the target every
    /// application namespace should be able to enforce, exactly as the built-in PodSecurity
    /// admission would, and reports the API server's own message with every violation.
    ///
    /// ## Why it matters
    /// `restricted` is the current hardening baseline for pods: non-root, no privilege escalation,
    /// all capabilities dropped, a seccomp profile, only safe volume types. A workload that meets
    /// it can move to a namespace that enforces it; one that does not shows what to change
    /// before the namespace can be locked down.
    ///
    /// ## How to fix
    /// Fix each violation the message lists (it names the container and the field), then label
    /// the namespace `pod-security.kubernetes.io/enforce: restricted`.
    ///
    /// ## References
    /// - Pod Security Standards: Restricted
    /// - EKS Best Practices Guide, Pod Security
    pub static META = CheckMeta {
        id: "EKS-PSS-022",
        name: "pod-security-restricted-violation",
        title: "Workload does not meet Pod Security Standards restricted",
        severity: Severity::Medium,
        level: Level::Application,
        control: SeedControl::PodSecurity,
        cis: None,
        security_hub: None,
        pss: Some("all"),
        remediation: "Fix the listed violations so the workload meets restricted:latest.",
    };
}

pub fn evaluate(_: &Context<'_>, workload: &Workload, object: &Object) -> Vec<Outcome> {
    let policy = PssPolicy {
        level: PssLevel::Restricted,
        version: PssVersion::LATEST,
    };
    match pss_verdict(workload, object, policy) {
        Ok(None) => Vec::new(),
        Ok(Some(message)) => vec![Outcome::fail(workload.spec_pointer, message)],
        Err(problem) => vec![Outcome::with_status(
            Status::Unknown,
            None,
            format!("the pod metadata cannot be read ({problem})"),
        )],
    }
}
