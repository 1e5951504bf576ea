//! guardduty checks, and the region's detector that several of them judge.
pub mod eks_audit_monitoring_off;
pub mod guardduty_disabled;
pub mod high_severity_findings;
pub mod runtime_agent_unmanaged;
pub mod runtime_coverage_unhealthy;
pub mod runtime_monitoring_off;

use garrison_core::Snapshot;
use garrison_core::aws::guardduty::Detector;

/// The region's detector: `guardduty/get-detector.json`.
pub(super) fn detector(
    snapshot: &Snapshot,
) -> (
    crate::engine::Resource,
    Result<Detector, garrison_core::snapshot::Missing>,
) {
    let id = snapshot
        .document::<garrison_core::aws::guardduty::ListDetectors>("guardduty/list-detectors.json")
        .ok()
        .and_then(|list| list.detector_ids.into_iter().next())
        .unwrap_or_else(|| "detector".to_string());
    let resource =
        crate::engine::Resource::new("GuardDutyDetector", id, "aws/guardduty/get-detector.json");
    (
        resource,
        snapshot.document::<Detector>("guardduty/get-detector.json"),
    )
}
