use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// Reads `securityhub/describe-hub.json`: PASS when it has a `HubArn`. A call recorded as failed
    /// with `InvalidAccessException` (the hub is not subscribed) is a FAIL; any other failure, such as
    /// AccessDenied, is UNKNOWN because it says nothing about the hub.
    ///
    /// ## Why it matters
    /// Security Hub aggregates GuardDuty, Inspector and the EKS/ECR controls into one place with
    /// workflow; without it, findings stay scattered per service.
    ///
    /// ## How to fix
    /// `aws securityhub enable-security-hub --enable-default-standards`.
    ///
    /// ## References
    /// - AWS Security Hub CSPM documentation: Enabling Security Hub
    pub static META = CheckMeta {
        id: "EKS-SHUB-001",
        name: "security-hub-disabled",
        title: "Security Hub is not enabled in the cluster account and region",
        severity: Severity::Medium,
        level: Level::Cluster,
        control: SeedControl::SecurityHub,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Enable Security Hub in the cluster account and region.",
    };
}

use garrison_core::aws::services::DescribeHub;
use garrison_core::snapshot::Missing;

pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    let resource =
        crate::engine::Resource::new("SecurityHub", "hub", "aws/securityhub/describe-hub.json");
    vec![
        match snapshot.document::<DescribeHub>("securityhub/describe-hub.json") {
            Ok(hub) => match hub.hub_arn {
                Some(arn) => result(
                    &resource.with_arn(Some(&arn)),
                    Status::Pass,
                    "/HubArn",
                    "Security Hub is enabled",
                ),
                None => result(&resource, Status::Fail, "", "describe-hub has no HubArn"),
            },
            Err(Missing::Failed(error))
                if error.contains("InvalidAccessException") || error.contains("not subscribed") =>
            {
                result(
                    &resource,
                    Status::Fail,
                    "",
                    format!("Security Hub is not enabled: {error}"),
                )
            }
            Err(missing) => unknown(&resource, "securityhub/describe-hub.json", &missing),
        },
    ]
}
