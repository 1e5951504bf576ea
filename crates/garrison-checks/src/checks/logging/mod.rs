//! logging checks.
pub mod audit_log_disabled;
pub mod authenticator_log_disabled;
pub mod cloudtrail_multi_region;
pub mod control_plane_log_types;
pub mod log_group_retention;
pub mod network_policy_event_logs;
pub mod vpc_flow_logs;
