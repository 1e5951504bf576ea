use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// One result per control of `securityhub/batch-get-security-controls.json` among EKS.1, EKS.2,
    /// EKS.3, EKS.8, GuardDuty.1, GuardDuty.5, GuardDuty.7, ECR.1, ECR.2 and ECR.3: PASS when
    /// `SecurityControlStatus` is ENABLED, FAIL otherwise.
    ///
    /// ## Why it matters
    /// A disabled control produces no findings, so a regression of the setting it watches goes
    /// unnoticed by the account's central monitoring.
    ///
    /// ## How to fix
    /// `aws securityhub update-security-control` / enable the control in the FSBP standard.
    ///
    /// ## References
    /// - AWS Security Hub CSPM documentation: Security Hub controls reference
    pub static META = CheckMeta {
        id: "EKS-SHUB-002",
        name: "security-controls-disabled",
        title: "Security Hub control for EKS, ECR or GuardDuty is disabled",
        severity: Severity::Low,
        level: Level::Cluster,
        control: SeedControl::SecurityHub,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Enable the EKS, ECR and GuardDuty Security Hub controls.",
    };
}

use garrison_core::aws::services::SecurityControls;

const WATCHED: [&str; 10] = [
    "EKS.1",
    "EKS.2",
    "EKS.3",
    "EKS.8",
    "GuardDuty.1",
    "GuardDuty.5",
    "GuardDuty.7",
    "ECR.1",
    "ECR.2",
    "ECR.3",
];

pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    let hub = crate::engine::Resource::new(
        "SecurityHub",
        "hub",
        "aws/securityhub/batch-get-security-controls.json",
    );
    with_document::<SecurityControls>(
        snapshot,
        "securityhub/batch-get-security-controls.json",
        &hub,
        |controls| {
            controls
                .security_controls
                .iter()
                .enumerate()
                .filter(|(_, c)| {
                    c.security_control_id
                        .as_deref()
                        .is_some_and(|id| WATCHED.contains(&id))
                })
                .map(|(index, control)| {
                    let id = control.security_control_id.clone().unwrap_or_default();
                    let resource = crate::engine::Resource::new(
                        "SecurityControl",
                        id.clone(),
                        "aws/securityhub/batch-get-security-controls.json",
                    );
                    let pointer = format!("/SecurityControls/{index}/SecurityControlStatus");
                    match control.security_control_status.as_deref() {
                        Some("ENABLED") => result(
                            &resource,
                            Status::Pass,
                            &pointer,
                            format!("{id} is enabled"),
                        ),
                        status => result(
                            &resource,
                            Status::Fail,
                            &pointer,
                            format!("{id} is {}", status.unwrap_or("not enabled")),
                        ),
                    }
                })
                .collect()
        },
    )
}
