use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::engine::{Context, ResourceOutcome};

use super::each_node;

declare_check! {
    /// ## What it does
    /// FAIL when `eventRecordQPS` is below 5 but not 0 (0 means unlimited); PASS when unset (default 50), 0, or at least 5.
    ///
    /// The live configuration comes from `GET /api/v1/nodes/<node>/proxy/configz`, stored as
    /// `k8s/nodes/<node>.configz.json`: an API-only substitute for running kube-bench on the node. A
    /// node without it is UNKNOWN.
    ///
    /// ## Why it matters
    /// A very low event rate silently drops events that show what happened on the node during an incident.
    ///
    /// ## How to fix
    /// Set `eventRecordQPS` to 0 or a level that captures events (the default is 50).
    ///
    /// ## References
    /// - CIS Amazon EKS Benchmark v1.8.0, 3.2.7
    /// - Kubernetes documentation: Kubelet configuration (KubeletConfiguration v1beta1)
    pub static META = CheckMeta {
        id: "EKS-CIS-3.2.7",
        name: "kubelet-event-record-qps",
        title: "Kubelet event rate limit may drop security events",
        severity: Severity::Low,
        level: Level::Infrastructure,
        control: SeedControl::CisBenchmark,
        cis: Some("3.2.7"),
        security_hub: None,
        pss: None,
        remediation: "Set `eventRecordQPS` to 0 or a level that captures events (the default is 50).",
    };
}

pub fn evaluate(context: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    each_node(context, snapshot, |config| match config.event_record_qps {
        Some(qps) if qps > 0 && qps < 5 => (
            Status::Fail,
            "eventRecordQPS",
            format!("events are limited to {qps} per second"),
        ),
        Some(0) => (
            Status::Pass,
            "eventRecordQPS",
            "events are not rate-limited".to_string(),
        ),
        Some(qps) => (
            Status::Pass,
            "eventRecordQPS",
            format!("events are limited to {qps} per second"),
        ),
        None => (
            Status::Pass,
            "eventRecordQPS",
            "the default event rate (50/s) applies".to_string(),
        ),
    })
}
