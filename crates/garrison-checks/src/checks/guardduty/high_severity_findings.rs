use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// One result per finding of `guardduty/get-findings.json` about this cluster
    /// (`Resource.EksClusterDetails.Name`): FAIL for unarchived findings of severity 7 or more, PASS
    /// for lower severities. Scoped to the cluster, not the whole account.
    ///
    /// ## Why it matters
    /// A high-severity finding is GuardDuty saying it saw an attack in progress or a compromise.
    ///
    /// ## How to fix
    /// Investigate and remediate the finding, then archive it.
    ///
    /// ## References
    /// - Amazon GuardDuty documentation: EKS Protection and Runtime Monitoring
    /// - Amazon GuardDuty documentation: Finding types for EKS
    pub static META = CheckMeta {
        id: "EKS-GD-006",
        name: "guardduty-high-severity-findings",
        title: "Active high-severity GuardDuty finding for the cluster",
        severity: Severity::High,
        level: Level::Infrastructure,
        control: SeedControl::Guardduty,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Investigate and resolve high-severity GuardDuty findings for the cluster.",
    };
}

use garrison_core::aws::guardduty::GetFindings;

pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    with_cluster(snapshot, |cluster, cluster_resource| {
        let name = cluster.name().to_string();
        with_document::<GetFindings>(
            snapshot,
            "guardduty/get-findings.json",
            cluster_resource,
            |findings| {
                findings
                    .findings
                    .iter()
                    .enumerate()
                    .filter(|(_, f)| f.cluster_name() == Some(name.as_str()) && !f.archived())
                    .map(|(index, finding)| {
                        let id = finding
                            .id
                            .clone()
                            .unwrap_or_else(|| format!("finding {index}"));
                        let resource = crate::engine::Resource::new(
                            "GuardDutyFinding",
                            id,
                            "aws/guardduty/get-findings.json",
                        );
                        let severity = finding.severity.unwrap_or(0.0);
                        let kind = finding.finding_type.as_deref().unwrap_or("?");
                        if severity >= 7.0 {
                            result(
                                &resource,
                                Status::Fail,
                                &format!("/Findings/{index}"),
                                format!("{kind} (severity {severity})"),
                            )
                        } else {
                            result(
                                &resource,
                                Status::Pass,
                                &format!("/Findings/{index}"),
                                format!("{kind} is below high severity ({severity})"),
                            )
                        }
                    })
                    .collect()
            },
        )
    })
}
