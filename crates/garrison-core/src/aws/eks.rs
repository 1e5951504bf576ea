//! `aws eks …` documents: camelCase on the CLI and the wire.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use super::list;

/// `describe-cluster.json`.
#[derive(Clone, Debug, Deserialize)]
pub struct DescribeCluster {
    pub cluster: Cluster,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cluster {
    pub name: Option<String>,
    pub arn: Option<String>,
    pub version: Option<String>,
    pub platform_version: Option<String>,
    pub status: Option<String>,
    pub role_arn: Option<String>,
    pub resources_vpc_config: Option<VpcConfig>,
    pub kubernetes_network_config: Option<KubernetesNetworkConfig>,
    pub logging: Option<Logging>,
    pub identity: Option<Identity>,
    #[serde(default, deserialize_with = "list")]
    pub encryption_config: Vec<EncryptionConfig>,
    pub health: Option<Health>,
    pub access_config: Option<AccessConfig>,
    pub upgrade_policy: Option<UpgradePolicy>,
    pub compute_config: Option<ComputeConfig>,
    pub storage_config: Option<StorageConfig>,
    pub deletion_protection: Option<bool>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VpcConfig {
    #[serde(default, deserialize_with = "list")]
    pub subnet_ids: Vec<String>,
    #[serde(default, deserialize_with = "list")]
    pub security_group_ids: Vec<String>,
    pub cluster_security_group_id: Option<String>,
    pub vpc_id: Option<String>,
    pub endpoint_public_access: Option<bool>,
    pub endpoint_private_access: Option<bool>,
    /// Absent means the default: `0.0.0.0/0` (and `::/0` on IPv6 clusters).
    pub public_access_cidrs: Option<Vec<String>>,
    pub control_plane_egress_mode: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KubernetesNetworkConfig {
    pub ip_family: Option<String>,
    pub service_ipv4_cidr: Option<String>,
    pub elastic_load_balancing: Option<Enabled>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Enabled {
    pub enabled: Option<bool>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Logging {
    #[serde(default, deserialize_with = "list")]
    pub cluster_logging: Vec<LogSetup>,
}

impl Logging {
    /// The log types enabled: the union over every entry with `enabled: true`. EKS usually
    /// returns one entry for the enabled types and one for the disabled ones.
    pub fn enabled_types(&self) -> Vec<&str> {
        let mut types: Vec<&str> = self
            .cluster_logging
            .iter()
            .filter(|setup| setup.enabled == Some(true))
            .flat_map(|setup| setup.types.iter().map(String::as_str))
            .collect();
        types.sort_unstable();
        types.dedup();
        types
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogSetup {
    #[serde(default, deserialize_with = "list")]
    pub types: Vec<String>,
    pub enabled: Option<bool>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct Identity {
    pub oidc: Option<Oidc>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct Oidc {
    pub issuer: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EncryptionConfig {
    #[serde(default, deserialize_with = "list")]
    pub resources: Vec<String>,
    pub provider: Option<Provider>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Provider {
    pub key_arn: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Health {
    #[serde(default, deserialize_with = "list")]
    pub issues: Vec<HealthIssue>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HealthIssue {
    pub code: Option<String>,
    pub message: Option<String>,
    #[serde(default, deserialize_with = "list")]
    pub resource_ids: Vec<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessConfig {
    pub authentication_mode: Option<String>,
    pub bootstrap_cluster_creator_admin_permissions: Option<bool>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpgradePolicy {
    pub support_type: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ComputeConfig {
    pub enabled: Option<bool>,
    #[serde(default, deserialize_with = "list")]
    pub node_pools: Vec<String>,
    pub node_role_arn: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StorageConfig {
    pub block_storage: Option<Enabled>,
}

impl Cluster {
    pub fn name(&self) -> &str {
        self.name.as_deref().unwrap_or("cluster")
    }

    /// `(major, minor)` of the Kubernetes version.
    pub fn version(&self) -> Option<(u32, u32)> {
        parse_version(self.version.as_deref()?)
    }

    /// Whether EKS Auto Mode is on (`computeConfig.enabled`); `None` when the member is absent.
    pub fn auto_mode(&self) -> Option<bool> {
        self.compute_config.as_ref().and_then(|c| c.enabled)
    }
}

/// `1.33` or `v1.33.5-eks-…` → `(1, 33)`.
pub fn parse_version(text: &str) -> Option<(u32, u32)> {
    let text = text.trim_start_matches('v');
    let mut parts = text.split(['.', '-', '+']);
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

/// `access-entries/<p>.describe.json`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeAccessEntry {
    pub access_entry: AccessEntry,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessEntry {
    pub principal_arn: Option<String>,
    #[serde(default, deserialize_with = "list")]
    pub kubernetes_groups: Vec<String>,
    pub username: Option<String>,
    #[serde(rename = "type")]
    pub entry_type: Option<String>,
    pub access_entry_arn: Option<String>,
}

impl AccessEntry {
    /// Node identities (EC2_LINUX, EC2_WINDOWS, FARGATE_LINUX, HYBRID_LINUX, EC2) are not people.
    pub fn is_node(&self) -> bool {
        self.entry_type
            .as_deref()
            .is_some_and(|kind| kind != "STANDARD")
    }
}

/// `access-entries/<p>.policies.json` (`list-associated-access-policies`).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssociatedAccessPolicies {
    pub principal_arn: Option<String>,
    #[serde(default, deserialize_with = "list")]
    pub associated_access_policies: Vec<AssociatedAccessPolicy>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssociatedAccessPolicy {
    pub policy_arn: Option<String>,
    pub access_scope: Option<AccessScope>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessScope {
    #[serde(rename = "type")]
    pub scope_type: Option<String>,
    #[serde(default, deserialize_with = "list")]
    pub namespaces: Vec<String>,
}

/// `list-pod-identity-associations.json`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListPodIdentityAssociations {
    #[serde(default, deserialize_with = "list")]
    pub associations: Vec<PodIdentityAssociation>,
}

/// A Pod Identity association, as listed or as described (`pod-identity/<id>.json`).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PodIdentityAssociation {
    pub namespace: Option<String>,
    pub service_account: Option<String>,
    pub association_arn: Option<String>,
    pub association_id: Option<String>,
    pub role_arn: Option<String>,
    pub target_role_arn: Option<String>,
    pub owner_arn: Option<String>,
    pub policy: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct DescribePodIdentityAssociation {
    pub association: PodIdentityAssociation,
}

/// `list-addons.json`.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ListAddons {
    #[serde(default, deserialize_with = "list")]
    pub addons: Vec<String>,
}

/// `addons/<name>.json`.
#[derive(Clone, Debug, Deserialize)]
pub struct DescribeAddon {
    pub addon: Addon,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Addon {
    pub addon_name: Option<String>,
    pub addon_version: Option<String>,
    pub addon_arn: Option<String>,
    pub status: Option<String>,
    pub health: Option<Health>,
    pub service_account_role_arn: Option<String>,
    #[serde(default, deserialize_with = "list")]
    pub pod_identity_associations: Vec<String>,
    /// JSON **or YAML** text; empty or absent means the add-on's defaults.
    pub configuration_values: Option<String>,
}

/// `describe-addon-versions.json`.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct DescribeAddonVersions {
    #[serde(default, deserialize_with = "list")]
    pub addons: Vec<AddonInfo>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AddonInfo {
    pub addon_name: Option<String>,
    #[serde(default, deserialize_with = "list")]
    pub addon_versions: Vec<AddonVersion>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AddonVersion {
    pub addon_version: Option<String>,
    #[serde(default, deserialize_with = "list")]
    pub compatibilities: Vec<Compatibility>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Compatibility {
    pub cluster_version: Option<String>,
    pub default_version: Option<bool>,
}

/// `nodegroups/<name>.json`.
#[derive(Clone, Debug, Deserialize)]
pub struct DescribeNodegroup {
    pub nodegroup: Nodegroup,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Nodegroup {
    pub nodegroup_name: Option<String>,
    pub nodegroup_arn: Option<String>,
    pub version: Option<String>,
    pub release_version: Option<String>,
    pub ami_type: Option<String>,
    #[serde(default, deserialize_with = "list")]
    pub subnets: Vec<String>,
    pub node_role: Option<String>,
    pub remote_access: Option<RemoteAccess>,
    pub launch_template: Option<LaunchTemplateSpec>,
    pub resources: Option<NodegroupResources>,
    pub health: Option<Health>,
    pub status: Option<String>,
}

impl Nodegroup {
    pub fn name(&self) -> &str {
        self.nodegroup_name.as_deref().unwrap_or("nodegroup")
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoteAccess {
    pub ec2_ssh_key: Option<String>,
    #[serde(default, deserialize_with = "list")]
    pub source_security_groups: Vec<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LaunchTemplateSpec {
    pub id: Option<String>,
    pub name: Option<String>,
    pub version: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodegroupResources {
    pub remote_access_security_group: Option<String>,
    #[serde(default, deserialize_with = "list")]
    pub auto_scaling_groups: Vec<NamedResource>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct NamedResource {
    pub name: Option<String>,
}

/// `fargate/<name>.json`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeFargateProfile {
    pub fargate_profile: FargateProfile,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FargateProfile {
    pub fargate_profile_name: Option<String>,
    pub pod_execution_role_arn: Option<String>,
    #[serde(default, deserialize_with = "list")]
    pub subnets: Vec<String>,
}

/// `describe-cluster-versions.json`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeClusterVersions {
    #[serde(default, deserialize_with = "list")]
    pub cluster_versions: Vec<ClusterVersion>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterVersion {
    pub cluster_version: Option<String>,
    /// `STANDARD_SUPPORT`, `EXTENDED_SUPPORT`, `UNSUPPORTED`.
    pub version_status: Option<String>,
    pub end_of_standard_support_date: Option<String>,
    pub end_of_extended_support_date: Option<String>,
}

/// `list-insights.json`.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ListInsights {
    #[serde(default, deserialize_with = "list")]
    pub insights: Vec<Insight>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Insight {
    pub id: Option<String>,
    pub name: Option<String>,
    pub category: Option<String>,
    pub insight_status: Option<InsightStatus>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InsightStatus {
    /// `PASSING`, `WARNING`, `ERROR`, `UNKNOWN`.
    pub status: Option<String>,
    pub reason: Option<String>,
}

/// `identity-provider-configs/<name>.json`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeIdentityProviderConfig {
    pub identity_provider_config: IdentityProviderConfig,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct IdentityProviderConfig {
    pub oidc: Option<OidcProviderConfig>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OidcProviderConfig {
    pub identity_provider_config_name: Option<String>,
    pub issuer_url: Option<String>,
    pub username_claim: Option<String>,
    pub username_prefix: Option<String>,
    pub groups_claim: Option<String>,
    pub groups_prefix: Option<String>,
    #[serde(default)]
    pub required_claims: BTreeMap<String, String>,
}

/// The vpc-cni add-on's `configurationValues`, parsed a second time (JSON or YAML).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CniConfiguration(pub Value);

impl CniConfiguration {
    /// Parses `configurationValues`: JSON first, YAML (a superset most users write) otherwise.
    /// Empty text means the add-on's defaults.
    pub fn parse(text: Option<&str>) -> Result<CniConfiguration, String> {
        let text = text.unwrap_or("").trim();
        if text.is_empty() {
            return Ok(CniConfiguration(Value::Object(Default::default())));
        }
        if let Ok(value) = serde_json::from_str::<Value>(text) {
            return Ok(CniConfiguration(value));
        }
        match crate::yaml::parse_document(text) {
            Ok(Some(document)) if document.value.is_object() => {
                Ok(CniConfiguration(document.value))
            }
            Ok(_) => Err("configurationValues is neither a JSON nor a YAML mapping".to_string()),
            Err(error) => Err(format!(
                "configurationValues is neither JSON nor YAML (line {}: {})",
                error.line, error.message
            )),
        }
    }

    /// A setting as text: `"true"`, `true` and `True` all read as `"true"`.
    pub fn setting(&self, pointer: &str) -> Option<String> {
        match self.0.pointer(pointer)? {
            Value::String(text) => Some(text.trim().to_ascii_lowercase()),
            Value::Bool(flag) => Some(flag.to_string()),
            Value::Number(number) => Some(number.to_string()),
            _ => None,
        }
    }

    pub fn is_true(&self, pointer: &str) -> bool {
        self.setting(pointer).as_deref() == Some("true")
    }
}
