use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// One result per insight of `eks/list-insights.json`: FAIL for `ERROR` and `WARNING`
    /// (deprecated APIs in use, add-on or kubelet version skew, …), PASS for `PASSING`, UNKNOWN for
    /// `UNKNOWN`. Uses AWS's own upgrade-readiness and misconfiguration engine.
    ///
    /// ## Why it matters
    /// Insights flag what will break the next upgrade; clusters that cannot be upgraded fall out of
    /// standard support and stop getting security fixes.
    ///
    /// ## How to fix
    /// `aws eks describe-insight --id <id>` shows the affected resources and the recommendation.
    ///
    /// ## References
    /// - EKS documentation: Prepare for Kubernetes version upgrades with cluster insights
    /// - EKS documentation: Understand the Kubernetes version lifecycle on EKS
    pub static META = CheckMeta {
        id: "EKS-MGD-005",
        name: "insights-failing",
        title: "EKS cluster insight reports a warning or error",
        severity: Severity::Medium,
        level: Level::Cluster,
        control: SeedControl::ManagedComponents,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Fix what failing cluster insights report.",
    };
}

use garrison_core::aws::eks::ListInsights;

pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    let cluster = cluster_resource(snapshot, None);
    with_document::<ListInsights>(snapshot, "eks/list-insights.json", &cluster, |insights| {
        insights
            .insights
            .iter()
            .enumerate()
            .map(|(index, insight)| {
                let name = insight
                    .name
                    .clone()
                    .unwrap_or_else(|| format!("insight {index}"));
                let resource = crate::engine::Resource::new(
                    "Insight",
                    name.clone(),
                    "aws/eks/list-insights.json",
                )
                .with_arn(insight.id.as_deref());
                let pointer = format!("/insights/{index}/insightStatus");
                let status = insight
                    .insight_status
                    .as_ref()
                    .and_then(|s| s.status.as_deref())
                    .unwrap_or("UNKNOWN");
                let reason = insight
                    .insight_status
                    .as_ref()
                    .and_then(|s| s.reason.clone())
                    .unwrap_or_default();
                match status {
                    "PASSING" => result(
                        &resource,
                        Status::Pass,
                        &pointer,
                        format!("{name}: passing"),
                    ),
                    "ERROR" | "WARNING" => result(
                        &resource,
                        Status::Fail,
                        &pointer,
                        format!("{name}: {status}: {reason}"),
                    ),
                    _ => result(
                        &resource,
                        Status::Unknown,
                        &pointer,
                        format!("{name}: status {status}"),
                    ),
                }
            })
            .collect()
    })
}
