use garrison_core::ecr::ScanFrequency;
use garrison_core::{Level, Object, SeedControl, Severity, Status, Workload};

use super::per_repository;
use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// For each ECR repository a workload's images come from, works out whether ECR scans its
    /// images automatically: the registry's scanning rules
    /// (`aws/ecr/get-registry-scanning-configuration.json`) come first, and with basic scanning
    /// a repository no rule matches still scans on push when its own `scanOnPush` is set; with
    /// enhanced scanning a repository no rule matches is not scanned at all. Fails when images
    /// are never scanned; UNKNOWN when a document is missing. Workloads without private-ECR images
    /// pass.
    ///
    /// ## Why it matters
    /// An unscanned repository ships known-vulnerable packages into the cluster without anyone
    /// being told. Checkers that read only the repository's `scanOnPush` report repositories
    /// covered by registry rules as unscanned, and miss that enhanced scanning ignores the flag.
    ///
    /// ## How to fix
    /// Add a registry scanning rule that matches the repository
    /// (`aws ecr put-registry-scanning-configuration`), preferably enhanced scanning with
    /// continuous scanning.
    ///
    /// ## References
    /// - Amazon ECR User Guide: image scanning (basic and enhanced)
    /// - AWS Security Hub ECR.1: ECR private repositories should have image scanning configured
    /// - CIS Amazon EKS Benchmark 5.1.1: image vulnerability scanning
    pub static META = CheckMeta {
        id: "EKS-IMG-002",
        name: "image-repository-not-scanned",
        title: "ECR repository images are never scanned",
        severity: Severity::High,
        level: Level::Application,
        control: SeedControl::ImageSecurity,
        cis: Some("5.1.1"),
        security_hub: Some("ECR.1"),
        pss: None,
        remediation: "Add an ECR registry scanning rule (enhanced, continuous) covering the repository.",
    };
}

pub fn evaluate(context: &Context<'_>, workload: &Workload, _: &Object) -> Vec<Outcome> {
    per_repository(context, workload, |index, repository, _| {
        let name = repository.repository_name.as_deref().unwrap_or_default();
        match index.scan_frequency(repository) {
            Err(reason) => (Status::Unknown, reason),
            Ok(ScanFrequency::Never) => (
                Status::Fail,
                format!(
                    "images of repository {name} are not scanned: no registry scanning rule matches it{}",
                    if !index.registry_is_enhanced() {
                        " and its scanOnPush is off"
                    } else if scan_on_push(repository) {
                        " (enhanced scanning ignores the repository's scanOnPush)"
                    } else {
                        ""
                    }
                ),
            ),
            Ok(ScanFrequency::OnPush) => (
                Status::Pass,
                format!("images of repository {name} are scanned on push"),
            ),
            Ok(ScanFrequency::Continuous) => (
                Status::Pass,
                format!("images of repository {name} are scanned continuously"),
            ),
        }
    })
}

fn scan_on_push(repository: &garrison_core::ecr::Repository) -> bool {
    repository
        .image_scanning_configuration
        .as_ref()
        .and_then(|configuration| configuration.scan_on_push)
        == Some(true)
}
