use garrison_core::{Level, SeedControl, Severity, Snapshot};

use crate::checks::nodes::inspector_ec2_disabled::inspector_scanning;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// Reads `inspector2/batch-get-account-status.json` and judges ECR scanning: PASS when
    /// `resourceState.ecr.status` is `ENABLED`, FAIL otherwise (`DISABLED`, `ENABLING`,
    /// `SUSPENDED`, … or absent), UNKNOWN when the account status was not collected.
    ///
    /// ## Why it matters
    /// ECR enhanced scanning is Amazon Inspector: with Inspector's ECR scanning off, images are
    /// scanned at most once on push with the basic scanner, and a vulnerability published after
    /// the push is never reported for the images that keep running. The image-vulnerability
    /// check (EKS-IMG-003) has nothing current to join the running workloads with.
    ///
    /// ## How to fix
    /// `aws inspector2 enable --resource-types ECR`, then set the registry scanning
    /// configuration to `ENHANCED` with continuous scanning for the repositories the cluster
    /// pulls from.
    ///
    /// ## References
    /// - Amazon Inspector documentation: scanning Amazon ECR container images
    /// - EKS Best Practices Guide, Image Security: scan images for vulnerabilities regularly
    pub static META = CheckMeta {
        id: "EKS-IMG-010",
        name: "inspector-ecr-disabled",
        title: "Amazon Inspector does not scan the ECR images",
        severity: Severity::Medium,
        level: Level::Infrastructure,
        control: SeedControl::ImageSecurity,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Enable Amazon Inspector ECR scanning.",
    };
}

pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    inspector_scanning(snapshot, &["ecr"])
}
