use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// One result per trail of `cloudtrail/describe-trails`: PASS for a multi-region trail that is
    /// logging (`IsLogging`, when the collector merged `get-trail-status`), FAIL for a single-region or
    /// stopped one, and a FAIL when there is no trail at all.
    ///
    /// ## Why it matters
    /// EKS API calls (UpdateClusterConfig, CreateAccessEntry, AssociateAccessPolicy) change who can
    /// reach the cluster; CloudTrail is their only record, and a single-region trail misses calls made
    /// elsewhere.
    ///
    /// ## How to fix
    /// Create an organisation or multi-region trail and keep it logging.
    ///
    /// ## References
    /// - AWS CloudTrail documentation: Creating a trail for all regions
    /// - EKS Best Practices Guide, Security: Detective controls
    pub static META = CheckMeta {
        id: "EKS-LOG-006",
        name: "cloudtrail-multi-region",
        title: "No multi-region CloudTrail trail records EKS API activity",
        severity: Severity::Medium,
        level: Level::Cluster,
        control: SeedControl::AuditLoggingAndMonitoring,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Keep a logging multi-region CloudTrail trail.",
    };
}

use garrison_core::aws::services::DescribeTrails;

pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    let cluster = cluster_resource(snapshot, None);
    with_document::<DescribeTrails>(
        snapshot,
        "cloudtrail/describe-trails.json",
        &cluster,
        |trails| {
            if trails.trails.is_empty() {
                return vec![result(
                    &cluster,
                    Status::Fail,
                    "/trailList",
                    "no CloudTrail trail exists",
                )];
            }
            trails
                .trails
                .iter()
                .enumerate()
                .map(|(index, trail)| {
                    let name = trail
                        .name
                        .clone()
                        .unwrap_or_else(|| format!("trail {index}"));
                    let resource = crate::engine::Resource::new(
                        "Trail",
                        name.clone(),
                        "aws/cloudtrail/describe-trails.json",
                    )
                    .with_arn(trail.trail_arn.as_deref());
                    let pointer = format!("/trailList/{index}");
                    match (trail.is_multi_region_trail, trail.is_logging) {
                        (Some(true), Some(false)) => result(
                            &resource,
                            Status::Fail,
                            &pointer,
                            format!("{name} is multi-region but not logging"),
                        ),
                        (Some(true), _) => result(
                            &resource,
                            Status::Pass,
                            &pointer,
                            format!("{name} records every region"),
                        ),
                        _ => result(
                            &resource,
                            Status::Fail,
                            &pointer,
                            format!("{name} records one region only"),
                        ),
                    }
                })
                .collect()
        },
    )
}
