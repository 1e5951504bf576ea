//! Service accounts, tokens and credentials: who a workload is, to Kubernetes and to AWS.

pub mod credentials_in_config_map;
pub mod default_namespace_used;
pub mod default_service_account;
pub mod default_service_account_iam_role;
pub mod hardcoded_secret_env;
pub mod legacy_token_secret;
pub mod powerful_token_mounted;
pub mod secret_aws_credentials;
pub mod secrets_in_env;
pub mod shared_service_account;
pub mod static_aws_credentials;
pub mod token_automount;
