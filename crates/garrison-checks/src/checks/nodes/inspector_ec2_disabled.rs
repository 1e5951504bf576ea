use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// Reads `inspector2/batch-get-account-status.json` and judges EC2 scanning (the node
    /// operating system's packages): PASS when `resourceState.ec2.status` is `ENABLED`, FAIL
    /// otherwise. ECR scanning (images) is judged on its own by EKS-IMG-010, rather than
    /// requiring both for a single verdict.
    ///
    /// ## Why it matters
    /// Inspector finds known vulnerabilities in node packages continuously; without it, a
    /// vulnerable kernel or container runtime goes unnoticed until the next AMI update.
    ///
    /// ## How to fix
    /// `aws inspector2 enable --resource-types EC2`.
    ///
    /// ## References
    /// - Amazon Inspector documentation
    /// - EKS Best Practices Guide, Security: Infrastructure security
    pub static META = CheckMeta {
        id: "EKS-OS-003",
        name: "inspector-ec2-disabled",
        title: "Amazon Inspector does not scan the nodes",
        severity: Severity::Medium,
        level: Level::Infrastructure,
        control: SeedControl::ContainerOptimizedOs,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Enable Amazon Inspector EC2 scanning.",
    };
}

use garrison_core::aws::services::InspectorAccountStatus;

pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    inspector_scanning(snapshot, &["ec2"])
}

/// One result per Inspector resource type of `kinds` (`ec2`, `ecr`): PASS when its scanning
/// is `ENABLED`, FAIL otherwise, UNKNOWN without the account status.
pub(crate) fn inspector_scanning(snapshot: &Snapshot, kinds: &[&str]) -> Vec<ResourceOutcome> {
    let account = crate::engine::Resource::new(
        "InspectorAccount",
        "account",
        "aws/inspector2/batch-get-account-status.json",
    );
    with_document::<InspectorAccountStatus>(
        snapshot,
        "inspector2/batch-get-account-status.json",
        &account,
        |status| {
            let Some(first) = status.accounts.first() else {
                return vec![result(
                    &account,
                    Status::Unknown,
                    "/accounts",
                    "batch-get-account-status lists no account",
                )];
            };
            let account = crate::engine::Resource::new(
                "InspectorAccount",
                first
                    .account_id
                    .clone()
                    .unwrap_or_else(|| "account".to_string()),
                "aws/inspector2/batch-get-account-status.json",
            );
            let state = first.resource_state.clone().unwrap_or_default();
            [("ec2", state.ec2), ("ecr", state.ecr)]
                .into_iter()
                .filter(|(kind, _)| kinds.contains(kind))
                .map(|(kind, state)| {
                    let status = state
                        .and_then(|s| s.status)
                        .unwrap_or_else(|| "DISABLED".to_string());
                    let pointer = format!("/accounts/0/resourceState/{kind}/status");
                    if status == "ENABLED" {
                        result(
                            &account,
                            Status::Pass,
                            &pointer,
                            format!("Inspector {} scanning is enabled", kind.to_uppercase()),
                        )
                    } else {
                        result(
                            &account,
                            Status::Fail,
                            &pointer,
                            format!("Inspector {} scanning is {status}", kind.to_uppercase()),
                        )
                    }
                })
                .collect()
        },
    )
}
