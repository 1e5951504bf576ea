use garrison_core::{Level, Object, SeedControl, Severity, Status, Workload};

use crate::checks::pss_verdict;
use crate::engine::{Context, Outcome};
use crate::pss::{PssLevel, PssPolicy, PssVersion};

declare_check! {
    /// ## What it does
    /// Judges each workload against the Pod Security Standard its namespace enforces (the
    /// Namespace's `pod-security.kubernetes.io/enforce` and `enforce-version` labels), exactly as
    /// the built-in PodSecurity admission does, and reports the API server's own message. A Pod
    /// that violates it was admitted before the label was set or through an exemption; a
    /// controller that violates it cannot create its pods. Without the Namespace object in the
    /// input, or without an enforce label, the result is not applicable (EKS-PSS-001 reports
    /// unlabelled namespaces).
    ///
    /// ## Why it matters
    /// A running pod that breaks its namespace's policy is a hole the policy was meant to close;
    /// a Deployment whose pods are denied fails silently at its next rollout, leaving the
    /// ReplicaSet stuck with `FailedCreate` events that few people watch.
    ///
    /// ## How to fix
    /// Change the pod spec so it meets the level (the message lists each violation and the field
    /// to set), or, when the workload genuinely needs more, move it to a namespace with a
    /// different level and record why.
    ///
    /// ## References
    /// - Kubernetes documentation: Pod Security Admission
    /// - Pod Security Standards
    /// - CIS Amazon EKS Benchmark 4.2 (Pod Security Standards)
    pub static META = CheckMeta {
        id: "EKS-PSS-021",
        name: "pod-security-enforce-violation",
        title: "Workload violates its namespace's enforced Pod Security Standard",
        severity: Severity::High,
        level: Level::Application,
        control: SeedControl::PodSecurity,
        cis: None,
        security_hub: None,
        pss: Some("all"),
        remediation: "Make the pod spec meet the namespace's enforced Pod Security level.",
    };
}

const ENFORCE: &str = "pod-security.kubernetes.io/enforce";
const ENFORCE_VERSION: &str = "pod-security.kubernetes.io/enforce-version";

pub fn evaluate(context: &Context<'_>, workload: &Workload, object: &Object) -> Vec<Outcome> {
    let not_applicable =
        |message: String| vec![Outcome::with_status(Status::NotApplicable, None, message)];
    let name = object.namespace.as_deref().unwrap_or("default");
    let Some(namespace) = context.inventory.namespace(name) else {
        return not_applicable(format!("namespace {name} is not in the input"));
    };
    let level = match namespace.label(ENFORCE).map(str::parse::<PssLevel>) {
        None => return not_applicable(format!("namespace {name} enforces no Pod Security level")),
        Some(Ok(PssLevel::Privileged)) => {
            return not_applicable(format!("namespace {name} enforces the privileged level"));
        }
        Some(Ok(level)) => level,
        // Upstream enforces restricted:latest when a label is invalid (fail closed).
        Some(Err(_)) => PssLevel::Restricted,
    };
    let version = match namespace.label(ENFORCE_VERSION) {
        None => PssVersion::LATEST,
        Some(text) => text.parse().unwrap_or(PssVersion::LATEST),
    };
    let policy = PssPolicy { level, version };
    match pss_verdict(workload, object, policy) {
        Ok(None) => Vec::new(),
        Ok(Some(message)) => vec![Outcome::fail(
            workload.spec_pointer,
            format!("namespace {name} enforces {policy}: {message}"),
        )],
        Err(problem) => vec![Outcome::with_status(
            Status::Unknown,
            None,
            format!("the pod metadata cannot be read ({problem})"),
        )],
    }
}
