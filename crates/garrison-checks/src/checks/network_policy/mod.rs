//! network_policy checks.
pub mod enforcement_disabled;
pub mod pod_security_group_mode;
pub mod pod_security_group_open;
pub mod pod_security_groups_not_enforced;
pub mod policies_not_enforced;
