use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// One result per finding of `securityhub/get-findings.json` whose resources include the cluster
    /// ARN: FAIL for active findings with compliance status FAILED that are not resolved or suppressed;
    /// PASS for passed ones.
    ///
    /// ## Why it matters
    /// These are AWS's own control evaluations of the cluster; a failing one left open is a known,
    /// unaddressed gap.
    ///
    /// ## How to fix
    /// Fix the control's finding, or suppress it in Security Hub with a reason.
    ///
    /// ## References
    /// - AWS Security Hub CSPM documentation: Viewing control findings
    pub static META = CheckMeta {
        id: "EKS-SHUB-003",
        name: "security-hub-failed-findings",
        title: "Security Hub has active failed findings for the cluster",
        severity: Severity::Medium,
        level: Level::Cluster,
        control: SeedControl::SecurityHub,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Resolve failed Security Hub findings for the cluster.",
    };
}

use garrison_core::aws::services::SecurityHubFindings;

pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    with_cluster(snapshot, |cluster, cluster_resource| {
        let arn = cluster.arn.clone().unwrap_or_default();
        with_document::<SecurityHubFindings>(
            snapshot,
            "securityhub/get-findings.json",
            cluster_resource,
            |findings| {
                findings
                    .findings
                    .iter()
                    .enumerate()
                    .filter(|(_, f)| {
                        f.resources
                            .iter()
                            .any(|r| r.id.as_deref() == Some(arn.as_str()))
                    })
                    .filter(|(_, f)| f.record_state.as_deref() != Some("ARCHIVED"))
                    .map(|(index, finding)| {
                        let control = finding
                            .compliance
                            .as_ref()
                            .and_then(|c| c.security_control_id.clone())
                            .unwrap_or_else(|| "finding".to_string());
                        let resource = crate::engine::Resource::new(
                            "SecurityHubFinding",
                            control.clone(),
                            "aws/securityhub/get-findings.json",
                        )
                        .with_arn(finding.id.as_deref());
                        let compliance = finding
                            .compliance
                            .as_ref()
                            .and_then(|c| c.status.as_deref())
                            .unwrap_or("?");
                        let workflow = finding
                            .workflow
                            .as_ref()
                            .and_then(|w| w.status.as_deref())
                            .unwrap_or("NEW");
                        let title = finding.title.as_deref().unwrap_or("");
                        let pointer = format!("/Findings/{index}");
                        if compliance == "FAILED" && !matches!(workflow, "RESOLVED" | "SUPPRESSED")
                        {
                            result(
                                &resource,
                                Status::Fail,
                                &pointer,
                                format!("{control} failed: {title}"),
                            )
                        } else {
                            result(
                                &resource,
                                Status::Pass,
                                &pointer,
                                format!("{control}: {compliance} ({workflow})"),
                            )
                        }
                    })
                    .collect()
            },
        )
    })
}
