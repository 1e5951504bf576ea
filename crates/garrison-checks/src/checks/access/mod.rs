//! Who can reach the cluster's API, and with what.

pub mod access_entry_group_admin;
pub mod anonymous_binding;
pub mod authentication_mode_config_map;
pub mod authentication_mode_not_api;
pub mod aws_auth_foreign_principals;
pub mod aws_auth_system_masters;
pub mod broad_access_policy_scope;
pub mod cluster_admin_policy;
pub mod creator_admin_retained;
pub mod iam_user_access_entry;
pub mod oidc_provider_without_prefixes;
pub mod stale_access_entry;
