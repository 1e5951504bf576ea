//! security_hub checks.
pub mod security_controls_disabled;
pub mod security_hub_disabled;
pub mod security_hub_failed_findings;
