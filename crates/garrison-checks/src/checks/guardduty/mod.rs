//! guardduty checks.
pub mod eks_audit_monitoring_off;
pub mod guardduty_disabled;
pub mod high_severity_findings;
pub mod runtime_agent_unmanaged;
pub mod runtime_coverage_unhealthy;
pub mod runtime_monitoring_off;
