//! The smaller services: KMS, CloudWatch Logs, Inspector2, Security Hub, SSM, CloudTrail.

use serde::Deserialize;

use super::list;

/// `kms/<key id>.describe.json` (PascalCase).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeKey {
    pub key_metadata: KeyMetadata,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyMetadata {
    pub key_id: Option<String>,
    pub arn: Option<String>,
    /// `Enabled`, `Disabled`, `PendingDeletion`, `PendingImport`, `Unavailable`, …
    pub key_state: Option<String>,
    /// `AWS` or `CUSTOMER`.
    pub key_manager: Option<String>,
    pub enabled: Option<bool>,
    pub deletion_date: Option<String>,
}

/// `kms/<key id>.rotation.json` (`get-key-rotation-status`).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyRotationStatus {
    pub key_rotation_enabled: Option<bool>,
}

/// `logs/describe-log-groups.json` (camelCase).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeLogGroups {
    #[serde(default, deserialize_with = "list")]
    pub log_groups: Vec<LogGroup>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogGroup {
    pub log_group_name: Option<String>,
    pub retention_in_days: Option<i64>,
    pub kms_key_id: Option<String>,
    pub arn: Option<String>,
}

/// `inspector2/batch-get-account-status.json` (camelCase).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct InspectorAccountStatus {
    #[serde(default, deserialize_with = "list")]
    pub accounts: Vec<InspectorAccount>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InspectorAccount {
    pub account_id: Option<String>,
    pub resource_state: Option<InspectorResourceState>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct InspectorResourceState {
    pub ec2: Option<InspectorState>,
    pub ecr: Option<InspectorState>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct InspectorState {
    pub status: Option<String>,
}

/// `securityhub/describe-hub.json` (PascalCase).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeHub {
    pub hub_arn: Option<String>,
    pub auto_enable_controls: Option<bool>,
}

/// `securityhub/get-enabled-standards.json`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EnabledStandards {
    #[serde(default, deserialize_with = "list")]
    pub standards_subscriptions: Vec<StandardsSubscription>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StandardsSubscription {
    pub standards_arn: Option<String>,
    pub standards_status: Option<String>,
}

/// `securityhub/batch-get-security-controls.json`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SecurityControls {
    #[serde(default, deserialize_with = "list")]
    pub security_controls: Vec<SecurityControl>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SecurityControl {
    pub security_control_id: Option<String>,
    /// `ENABLED` or `DISABLED`.
    pub security_control_status: Option<String>,
    pub severity_rating: Option<String>,
}

/// `securityhub/get-findings.json` (AWS Security Finding Format).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SecurityHubFindings {
    #[serde(default, deserialize_with = "list")]
    pub findings: Vec<SecurityHubFinding>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SecurityHubFinding {
    pub id: Option<String>,
    pub title: Option<String>,
    pub compliance: Option<Compliance>,
    pub severity: Option<FindingSeverity>,
    pub record_state: Option<String>,
    pub workflow: Option<Workflow>,
    #[serde(default, deserialize_with = "list")]
    pub resources: Vec<FindingResource>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Compliance {
    pub status: Option<String>,
    pub security_control_id: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct FindingSeverity {
    pub label: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Workflow {
    pub status: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct FindingResource {
    pub id: Option<String>,
    #[serde(rename = "Type")]
    pub resource_type: Option<String>,
}

/// `ssm/describe-instance-information.json` (PascalCase).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InstanceInformation {
    #[serde(default, deserialize_with = "list")]
    pub instance_information_list: Vec<ManagedInstance>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ManagedInstance {
    pub instance_id: Option<String>,
    /// `Online`, `ConnectionLost`, `Inactive`.
    pub ping_status: Option<String>,
    pub agent_version: Option<String>,
}

/// `cloudtrail/describe-trails.json` (camelCase list, PascalCase members).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct DescribeTrails {
    #[serde(rename = "trailList", default, deserialize_with = "list")]
    pub trails: Vec<Trail>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Trail {
    pub name: Option<String>,
    #[serde(rename = "TrailARN")]
    pub trail_arn: Option<String>,
    pub is_multi_region_trail: Option<bool>,
    pub home_region: Option<String>,
    /// Filled from `get-trail-status` by collectors that merge it in; absent otherwise.
    pub is_logging: Option<bool>,
}
