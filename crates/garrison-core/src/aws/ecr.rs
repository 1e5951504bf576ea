//! `aws ecr …` documents: camelCase.

use serde::Deserialize;

use super::list;

/// `describe-repositories.json`.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct DescribeRepositories {
    #[serde(default, deserialize_with = "list")]
    pub repositories: Vec<Repository>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Repository {
    pub repository_name: Option<String>,
    pub repository_arn: Option<String>,
    pub image_tag_mutability: Option<String>,
    pub image_scanning_configuration: Option<ScanningFlag>,
    pub encryption_configuration: Option<RepositoryEncryption>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScanningFlag {
    pub scan_on_push: Option<bool>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RepositoryEncryption {
    pub encryption_type: Option<String>,
    pub kms_key: Option<String>,
}

/// `get-registry-scanning-configuration.json`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegistryScanning {
    pub registry_id: Option<String>,
    pub scanning_configuration: Option<ScanningConfiguration>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScanningConfiguration {
    /// `BASIC` or `ENHANCED`.
    pub scan_type: Option<String>,
    #[serde(default, deserialize_with = "list")]
    pub rules: Vec<ScanningRule>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScanningRule {
    pub scan_frequency: Option<String>,
    #[serde(default, deserialize_with = "list")]
    pub repository_filters: Vec<RepositoryFilter>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RepositoryFilter {
    pub filter: Option<String>,
    pub filter_type: Option<String>,
}
