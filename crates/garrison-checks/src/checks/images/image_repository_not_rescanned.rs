use garrison_core::ecr::ScanFrequency;
use garrison_core::{Level, Object, SeedControl, Severity, Status, Workload};

use super::per_repository;
use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// For each ECR repository a workload's images come from, reports whether running images
    /// are rescanned as new vulnerabilities are published: only enhanced scanning with a
    /// `CONTINUOUS_SCAN` rule matching the repository passes. Scanning only on push fails. A
    /// repository that is not scanned at all is left to EKS-IMG-002 (NOT_APPLICABLE here).
    /// Workloads without private-ECR images pass.
    ///
    /// ## Why it matters
    /// Most vulnerabilities in a long-running image are disclosed after it was pushed. A scan at
    /// push time is green on day one and silent afterwards; continuous scanning re-evaluates the
    /// image whenever the vulnerability database changes, which is what makes EKS-IMG-003's
    /// answer current.
    ///
    /// ## How to fix
    /// Turn on enhanced scanning for the registry and add a `CONTINUOUS_SCAN` rule whose filter
    /// matches the repository.
    ///
    /// ## References
    /// - Amazon ECR User Guide: enhanced scanning, scan frequency
    /// - EKS Best Practices Guide, Image Security: scan images for vulnerabilities regularly
    pub static META = CheckMeta {
        id: "EKS-IMG-001",
        name: "image-repository-not-rescanned",
        title: "ECR repository images not rescanned continuously",
        severity: Severity::Medium,
        level: Level::Application,
        control: SeedControl::ImageSecurity,
        cis: Some("5.1.1"),
        security_hub: None,
        pss: None,
        remediation: "Enable ECR enhanced scanning with a CONTINUOUS_SCAN rule for the repository.",
    };
}

pub fn evaluate(context: &Context<'_>, workload: &Workload, _: &Object) -> Vec<Outcome> {
    per_repository(context, workload, |index, repository, _| {
        let name = repository.repository_name.as_deref().unwrap_or_default();
        match index.scan_frequency(repository) {
            Err(reason) => (Status::Unknown, reason),
            Ok(ScanFrequency::Never) => (
                Status::NotApplicable,
                format!("images of repository {name} are not scanned at all (EKS-IMG-002)"),
            ),
            Ok(ScanFrequency::OnPush) => (
                Status::Fail,
                format!(
                    "images of repository {name} are scanned only when pushed; vulnerabilities published later are not found"
                ),
            ),
            Ok(ScanFrequency::Continuous) => (
                Status::Pass,
                format!("images of repository {name} are rescanned continuously"),
            ),
        }
    })
}
