//! Service accounts, tokens and credentials: who a workload is, to Kubernetes and to AWS.

pub mod default_namespace_used;
pub mod default_service_account;
pub mod secrets_in_env;
pub mod shared_service_account;
pub mod static_aws_credentials;
pub mod token_automount;
