//! `aws ec2 …` documents: PascalCase (the CLI and the SDKs agree; the wire format is XML).

use serde::Deserialize;

use super::list;

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    pub key: Option<String>,
    pub value: Option<String>,
}

/// `describe-launch-template-versions/<lt>-<v>.json`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeLaunchTemplateVersions {
    #[serde(default, deserialize_with = "list")]
    pub launch_template_versions: Vec<LaunchTemplateVersion>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LaunchTemplateVersion {
    pub launch_template_id: Option<String>,
    pub launch_template_name: Option<String>,
    pub version_number: Option<i64>,
    pub launch_template_data: Option<LaunchTemplateData>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LaunchTemplateData {
    pub metadata_options: Option<MetadataOptions>,
    #[serde(default, deserialize_with = "list")]
    pub block_device_mappings: Vec<BlockDeviceMapping>,
    #[serde(default, deserialize_with = "list")]
    pub network_interfaces: Vec<NetworkInterfaceSpec>,
    pub key_name: Option<String>,
    /// Base64.
    pub user_data: Option<String>,
    pub image_id: Option<String>,
    #[serde(default, deserialize_with = "list")]
    pub security_group_ids: Vec<String>,
}

/// Instance metadata service settings, of a launch template or an instance.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MetadataOptions {
    /// `optional` or `required` (IMDSv2).
    pub http_tokens: Option<String>,
    pub http_put_response_hop_limit: Option<i64>,
    /// `enabled` or `disabled`.
    pub http_endpoint: Option<String>,
    pub instance_metadata_tags: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct BlockDeviceMapping {
    pub device_name: Option<String>,
    pub ebs: Option<Ebs>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Ebs {
    pub encrypted: Option<bool>,
    pub kms_key_id: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NetworkInterfaceSpec {
    pub associate_public_ip_address: Option<bool>,
    pub device_index: Option<i64>,
}

/// `describe-instances.json`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeInstances {
    #[serde(default, deserialize_with = "list")]
    pub reservations: Vec<Reservation>,
}

impl DescribeInstances {
    /// Every instance of every reservation (not only the first of each).
    pub fn instances(&self) -> impl Iterator<Item = &Instance> {
        self.reservations.iter().flat_map(|r| r.instances.iter())
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Reservation {
    #[serde(default, deserialize_with = "list")]
    pub instances: Vec<Instance>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Instance {
    pub instance_id: Option<String>,
    pub metadata_options: Option<MetadataOptions>,
    pub public_ip_address: Option<String>,
    pub public_dns_name: Option<String>,
    pub private_dns_name: Option<String>,
    pub subnet_id: Option<String>,
    pub key_name: Option<String>,
    pub image_id: Option<String>,
    #[serde(default, deserialize_with = "list")]
    pub tags: Vec<Tag>,
}

/// `describe-subnets.json`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeSubnets {
    #[serde(default, deserialize_with = "list")]
    pub subnets: Vec<Subnet>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Subnet {
    pub subnet_id: Option<String>,
    pub vpc_id: Option<String>,
    pub map_public_ip_on_launch: Option<bool>,
}

/// `describe-route-tables.json`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeRouteTables {
    #[serde(default, deserialize_with = "list")]
    pub route_tables: Vec<RouteTable>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RouteTable {
    pub route_table_id: Option<String>,
    #[serde(default, deserialize_with = "list")]
    pub associations: Vec<RouteTableAssociation>,
    #[serde(default, deserialize_with = "list")]
    pub routes: Vec<Route>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RouteTableAssociation {
    pub subnet_id: Option<String>,
    pub main: Option<bool>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Route {
    pub destination_cidr_block: Option<String>,
    pub destination_ipv6_cidr_block: Option<String>,
    pub gateway_id: Option<String>,
    pub nat_gateway_id: Option<String>,
}

/// `describe-security-groups.json`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeSecurityGroups {
    #[serde(default, deserialize_with = "list")]
    pub security_groups: Vec<SecurityGroup>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SecurityGroup {
    pub group_id: Option<String>,
    pub group_name: Option<String>,
    pub security_group_arn: Option<String>,
    #[serde(default, deserialize_with = "list")]
    pub ip_permissions: Vec<IpPermission>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct IpPermission {
    /// `tcp`, `udp`, `icmp`, or `-1` for all.
    pub ip_protocol: Option<String>,
    pub from_port: Option<i64>,
    pub to_port: Option<i64>,
    #[serde(default, deserialize_with = "list")]
    pub ip_ranges: Vec<IpRange>,
    #[serde(default, deserialize_with = "list")]
    pub ipv6_ranges: Vec<Ipv6Range>,
}

impl IpPermission {
    /// Whether the rule admits `port` over TCP.
    pub fn admits_tcp_port(&self, port: i64) -> bool {
        match self.ip_protocol.as_deref() {
            Some("-1") => true,
            Some("tcp") | Some("6") => {
                let from = self.from_port.unwrap_or(0);
                let to = self.to_port.unwrap_or(65535);
                (from..=to).contains(&port)
            }
            _ => false,
        }
    }

    /// The world-open source ranges of the rule (`0.0.0.0/0`, `::/0`).
    pub fn world_sources(&self) -> Vec<&str> {
        self.ip_ranges
            .iter()
            .filter_map(|range| range.cidr_ip.as_deref())
            .chain(
                self.ipv6_ranges
                    .iter()
                    .filter_map(|range| range.cidr_ipv6.as_deref()),
            )
            .filter(|cidr| matches!(*cidr, "0.0.0.0/0" | "::/0"))
            .collect()
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct IpRange {
    pub cidr_ip: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Ipv6Range {
    pub cidr_ipv6: Option<String>,
}

/// `describe-vpc-endpoints.json`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeVpcEndpoints {
    #[serde(default, deserialize_with = "list")]
    pub vpc_endpoints: Vec<VpcEndpoint>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VpcEndpoint {
    pub vpc_endpoint_id: Option<String>,
    pub vpc_endpoint_type: Option<String>,
    pub vpc_id: Option<String>,
    pub service_name: Option<String>,
    pub state: Option<String>,
    pub private_dns_enabled: Option<bool>,
    /// A JSON policy document as text.
    pub policy_document: Option<String>,
}

/// `describe-flow-logs.json`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeFlowLogs {
    #[serde(default, deserialize_with = "list")]
    pub flow_logs: Vec<FlowLog>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct FlowLog {
    pub flow_log_id: Option<String>,
    pub resource_id: Option<String>,
    /// `ACTIVE`.
    pub flow_log_status: Option<String>,
    /// `SUCCESS` or `FAILED`.
    pub deliver_logs_status: Option<String>,
    pub traffic_type: Option<String>,
}

/// `get-ebs-encryption-by-default.json`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EbsEncryptionByDefault {
    pub ebs_encryption_by_default: Option<bool>,
}

/// `describe-launch-templates.json`: the default and latest version numbers that `$Default` and
/// `$Latest` stand for.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeLaunchTemplates {
    #[serde(default, deserialize_with = "list")]
    pub launch_templates: Vec<LaunchTemplate>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LaunchTemplate {
    pub launch_template_id: Option<String>,
    pub launch_template_name: Option<String>,
    pub default_version_number: Option<i64>,
    pub latest_version_number: Option<i64>,
}

/// `autoscaling/describe-auto-scaling-groups.json` (PascalCase): how a managed node group's
/// hidden, EKS-created launch template is found.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeAutoScalingGroups {
    #[serde(default, deserialize_with = "list")]
    pub auto_scaling_groups: Vec<AutoScalingGroup>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AutoScalingGroup {
    pub auto_scaling_group_name: Option<String>,
    pub launch_template: Option<LaunchTemplateSpecification>,
    pub mixed_instances_policy: Option<MixedInstancesPolicy>,
}

impl AutoScalingGroup {
    /// The launch template the group launches from, directly or through its mixed instances
    /// policy.
    pub fn launch_template(&self) -> Option<&LaunchTemplateSpecification> {
        self.launch_template.as_ref().or_else(|| {
            self.mixed_instances_policy
                .as_ref()?
                .launch_template
                .as_ref()?
                .launch_template_specification
                .as_ref()
        })
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MixedInstancesPolicy {
    pub launch_template: Option<MixedLaunchTemplate>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MixedLaunchTemplate {
    pub launch_template_specification: Option<LaunchTemplateSpecification>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LaunchTemplateSpecification {
    pub launch_template_id: Option<String>,
    pub launch_template_name: Option<String>,
    /// A number, `$Default` or `$Latest`.
    pub version: Option<String>,
}
