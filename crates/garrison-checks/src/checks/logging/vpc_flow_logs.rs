use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// Reads `ec2/describe-flow-logs` for the cluster VPC (`resourcesVpcConfig.vpcId`): one result
    /// per flow log (FAIL when not `ACTIVE` or delivery `FAILED`), or a FAIL when the VPC has none.
    /// Unlike checks that accept any flow log, a failed one does not pass.
    ///
    /// ## Why it matters
    /// Flow logs are the network record of an incident: which pod IPs talked to which addresses.
    ///
    /// ## How to fix
    /// Create a flow log for the VPC to CloudWatch Logs or S3 and watch its delivery status.
    ///
    /// ## References
    /// - Amazon VPC documentation: VPC Flow Logs
    /// - EKS Best Practices Guide, Security: Network security (log network traffic metadata)
    pub static META = CheckMeta {
        id: "EKS-LOG-005",
        name: "vpc-flow-logs",
        title: "Cluster VPC has no active flow log",
        severity: Severity::Medium,
        level: Level::Infrastructure,
        control: SeedControl::AuditLoggingAndMonitoring,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Create an active VPC flow log for the cluster VPC.",
    };
}

use garrison_core::aws::ec2::DescribeFlowLogs;

pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    with_cluster(snapshot, |cluster, cluster_resource| {
        let Some(vpc_id) = cluster
            .resources_vpc_config
            .as_ref()
            .and_then(|vpc| vpc.vpc_id.clone())
        else {
            return vec![result(
                cluster_resource,
                Status::Unknown,
                "/cluster/resourcesVpcConfig",
                "describe-cluster names no VPC",
            )];
        };
        with_document::<DescribeFlowLogs>(
            snapshot,
            "ec2/describe-flow-logs.json",
            cluster_resource,
            |logs| {
                let resource = crate::engine::Resource::new(
                    "VPC",
                    vpc_id.clone(),
                    "aws/ec2/describe-flow-logs.json",
                );
                let mine: Vec<_> = logs
                    .flow_logs
                    .iter()
                    .enumerate()
                    .filter(|(_, log)| log.resource_id.as_deref() == Some(vpc_id.as_str()))
                    .collect();
                if mine.is_empty() {
                    return vec![result(
                        &resource,
                        Status::Fail,
                        "/FlowLogs",
                        format!("{vpc_id} has no flow log"),
                    )];
                }
                mine.into_iter()
                    .map(|(index, log)| {
                        let id = log.flow_log_id.as_deref().unwrap_or("flow log");
                        let active = log.flow_log_status.as_deref() == Some("ACTIVE");
                        let delivering = log.deliver_logs_status.as_deref() != Some("FAILED");
                        if active && delivering {
                            result(
                                &resource,
                                Status::Pass,
                                &format!("/FlowLogs/{index}"),
                                format!("{id} is active"),
                            )
                        } else {
                            result(
                                &resource,
                                Status::Fail,
                                &format!("/FlowLogs/{index}"),
                                format!(
                                    "{id} is not delivering (status {}, delivery {})",
                                    log.flow_log_status.as_deref().unwrap_or("?"),
                                    log.deliver_logs_status.as_deref().unwrap_or("?")
                                ),
                            )
                        }
                    })
                    .collect()
            },
        )
    })
}
