//! attack_paths checks.
pub mod pods_reach_node_role;
pub mod public_endpoint_to_system_masters;
