use garrison_core::{Level, Object, SeedControl, Severity, Status, Workload};

use super::{ecr_images, ecr_index, not_a_snapshot};
use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// Joins what runs with what the registry knows: for each private-ECR image of a workload,
    /// looks up its scan result in the snapshot, by digest and then by tag
    /// (`aws/ecr/image-scan-findings/<repository>/<digest-or-tag>.json`, the output of
    /// `aws ecr describe-image-scan-findings`), and the active findings of
    /// `aws/inspector2/list-findings.json` for that repository and digest or tag. Fails when the
    /// image has CRITICAL or HIGH vulnerabilities, naming them. An image Inspector scans
    /// (enhanced scanning covers its repository) with no finding passes; an image with no scan
    /// result, or whose scan failed, is UNKNOWN. Workloads without private-ECR images pass (there
    /// is nothing to join); without a snapshot the check is NOT_APPLICABLE.
    ///
    /// ## Why it matters
    /// A registry full of findings says little about risk until it is known which of those
    /// images are running, where, and as which workload. Peers check only the most recently
    /// pushed image of each repository, which is rarely the one in production.
    ///
    /// ## How to fix
    /// Rebuild the image on a patched base image or with the fixed package versions, push it,
    /// and roll the workload out to the new digest. Where a finding does not apply, suppress it
    /// in Inspector with a reason so that it stops counting as active.
    ///
    /// ## References
    /// - EKS Best Practices Guide, Image Security: scan images for vulnerabilities regularly
    /// - Amazon Inspector User Guide: scanning Amazon ECR container images
    /// - CIS Amazon EKS Benchmark 5.1.1: image vulnerability scanning
    pub static META = CheckMeta {
        id: "EKS-IMG-003",
        name: "image-has-critical-vulnerabilities",
        title: "Running image has CRITICAL or HIGH vulnerabilities",
        severity: Severity::High,
        level: Level::Application,
        control: SeedControl::ImageSecurity,
        cis: Some("5.1.1"),
        security_hub: None,
        pss: None,
        remediation: "Rebuild the image with the fixed packages and roll out the new digest.",
    };
}

/// How many vulnerability ids a message names before summing up the rest.
const NAMED: usize = 6;

pub fn evaluate(context: &Context<'_>, workload: &Workload, _: &Object) -> Vec<Outcome> {
    let images = ecr_images(workload);
    if images.is_empty() {
        return Vec::new();
    }
    let Some(index) = ecr_index(context) else {
        return not_a_snapshot();
    };
    images
        .iter()
        .map(|image| {
            let pointer = Some(image.pointer.clone());
            let found = match index.vulnerabilities(image) {
                Ok(found) => found,
                Err(reason) => {
                    return Outcome::with_status(
                        Status::Unknown,
                        pointer,
                        format!("{}: {reason}", image.describe()),
                    );
                }
            };
            let sources = found
                .sources
                .iter()
                .copied()
                .collect::<Vec<_>>()
                .join(" and ");
            if let Some(reason) = &found.unusable {
                return Outcome::with_status(
                    Status::Unknown,
                    pointer,
                    format!("{}: {reason}", image.describe()),
                );
            }
            let critical = found.serious.iter().filter(|(rank, _)| *rank == 0).count();
            let high = found.serious.len() - critical;
            if found.serious.is_empty() {
                let (critical, high) = found.counted;
                if critical + high > 0 {
                    return Outcome::with_status(
                        Status::Fail,
                        pointer,
                        format!(
                            "{} has {} ({sources}; ids not in the snapshot)",
                            image.describe(),
                            counts(critical, high)
                        ),
                    );
                }
                return Outcome::with_status(
                    Status::Pass,
                    pointer,
                    format!(
                        "{} has no CRITICAL or HIGH vulnerability ({sources})",
                        image.describe()
                    ),
                );
            }
            let mut named: Vec<&str> = found
                .serious
                .iter()
                .take(NAMED)
                .map(|(_, id)| id.as_str())
                .collect();
            let more = found.serious.len().saturating_sub(NAMED);
            let more = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            named.dedup();
            Outcome::with_status(
                Status::Fail,
                pointer,
                format!(
                    "{} has {} ({sources}): {}{more}",
                    image.describe(),
                    counts(critical as u64, high as u64),
                    named.join(", ")
                ),
            )
        })
        .collect()
}

/// `1 CRITICAL and 2 HIGH vulnerabilities`, leaving out a zero count.
fn counts(critical: u64, high: u64) -> String {
    let parts: Vec<String> = [(critical, "CRITICAL"), (high, "HIGH")]
        .into_iter()
        .filter(|(count, _)| *count > 0)
        .map(|(count, severity)| format!("{count} {severity}"))
        .collect();
    let total = critical + high;
    format!(
        "{} {}",
        parts.join(" and "),
        if total == 1 {
            "vulnerability"
        } else {
            "vulnerabilities"
        }
    )
}
