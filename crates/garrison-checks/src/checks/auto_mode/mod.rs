//! auto_mode checks.
pub mod capabilities_inconsistent;
pub mod network_policy_off;
pub mod node_role_broad;
pub mod nodeclass_public_ip;
pub mod nodeclass_storage_without_cmk;
pub mod nodepool_unbounded_lifetime;
