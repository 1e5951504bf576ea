//! Who can reach the cluster's API, and with what.

pub mod anonymous_binding;
pub mod aws_auth_system_masters;
