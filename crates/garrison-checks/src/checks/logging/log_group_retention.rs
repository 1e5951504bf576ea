use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// Finds `/aws/eks/<cluster>/cluster` in `logs/describe-log-groups` and reports two results:
    /// retention (FAIL when `retentionInDays` is absent, i.e. kept forever unmanaged, or below 90 days)
    /// and encryption (FAIL without `kmsKeyId`). UNKNOWN when the group is missing while logging is on.
    ///
    /// ## Why it matters
    /// Audit logs are evidence: they must be kept long enough for investigations and regulation, and
    /// protected with a key whose use is itself logged and restricted.
    ///
    /// ## How to fix
    /// `aws logs put-retention-policy --retention-in-days 365` and `aws logs associate-kms-key` on the
    /// log group.
    ///
    /// ## References
    /// - EKS documentation: Send control plane logs to CloudWatch Logs
    /// - CIS Amazon EKS Benchmark v1.8.0, 2.1.2
    /// - EKS Best Practices Guide, Security: Detective controls
    pub static META = CheckMeta {
        id: "EKS-LOG-004",
        name: "log-group-retention",
        title: "Control-plane log group lacks retention or KMS encryption",
        severity: Severity::Medium,
        level: Level::Cluster,
        control: SeedControl::AuditLoggingAndMonitoring,
        cis: Some("2.1.2"),
        security_hub: None,
        pss: None,
        remediation: "Set a retention of at least 90 days and a KMS key on the control-plane log group.",
    };
}

use garrison_core::aws::services::DescribeLogGroups;

pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    with_cluster(snapshot, |cluster, cluster_resource| {
        let wanted = format!("/aws/eks/{}/cluster", cluster.name());
        with_document::<DescribeLogGroups>(
            snapshot,
            "logs/describe-log-groups.json",
            cluster_resource,
            |groups| {
                let Some((index, group)) = groups
                    .log_groups
                    .iter()
                    .enumerate()
                    .find(|(_, g)| g.log_group_name.as_deref() == Some(wanted.as_str()))
                else {
                    return vec![result(
                        cluster_resource,
                        Status::Unknown,
                        "/logGroups",
                        format!("log group {wanted} is not in describe-log-groups"),
                    )];
                };
                let resource = crate::engine::Resource::new(
                    "LogGroup",
                    wanted.clone(),
                    "aws/logs/describe-log-groups.json",
                )
                .with_arn(group.arn.as_deref());
                let retention = match group.retention_in_days {
                    None => result(
                        &resource,
                        Status::Fail,
                        &format!("/logGroups/{index}"),
                        "no retention policy: logs are kept without a managed lifetime",
                    ),
                    Some(days) if days < 90 => result(
                        &resource,
                        Status::Fail,
                        &format!("/logGroups/{index}/retentionInDays"),
                        format!("logs are kept only {days} days"),
                    ),
                    Some(days) => result(
                        &resource,
                        Status::Pass,
                        &format!("/logGroups/{index}/retentionInDays"),
                        format!("logs are kept {days} days"),
                    ),
                };
                let encryption = match &group.kms_key_id {
                    Some(key) => result(
                        &resource,
                        Status::Pass,
                        &format!("/logGroups/{index}/kmsKeyId"),
                        format!("encrypted with {key}"),
                    ),
                    None => result(
                        &resource,
                        Status::Fail,
                        &format!("/logGroups/{index}"),
                        "the log group is not encrypted with a KMS key",
                    ),
                };
                vec![retention, encryption]
            },
        )
    })
}
