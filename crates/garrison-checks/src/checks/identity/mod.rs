//! Service accounts, tokens and credentials: who a workload is, to Kubernetes and to AWS.

pub mod aws_node_uses_node_role;
pub mod cluster_role_broad;
pub mod credentials_in_config_map;
pub mod dangling_identity;
pub mod default_namespace_used;
pub mod default_service_account;
pub mod default_service_account_iam_role;
pub mod hardcoded_secret_env;
pub mod irsa_trust_unscoped;
pub mod legacy_token_secret;
pub mod node_role_broad;
pub mod oidc_provider_missing;
pub mod pod_identity_agent_missing;
pub mod pod_identity_trust;
pub mod powerful_token_mounted;
pub mod secret_aws_credentials;
pub mod secrets_in_env;
pub mod shared_service_account;
pub mod shared_workload_role;
pub mod static_aws_credentials;
pub mod token_automount;
pub mod workload_role_admin;
