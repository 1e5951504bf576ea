//! `aws ec2 …` (PascalCase, as the CLI prints it; the wire format is XML): the cluster VPC's
//! instances, subnets, route tables, security groups, endpoints and flow logs, EBS default
//! encryption, and the node groups' launch templates.

use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::{
    Filter, FlowLog, Instance, InstanceMetadataOptionsResponse, IpPermission, IpRange, Ipv6Range,
    LaunchTemplate, LaunchTemplateBlockDeviceMapping, LaunchTemplateEbsBlockDevice,
    LaunchTemplateInstanceMetadataOptions, LaunchTemplateInstanceNetworkInterfaceSpecification,
    LaunchTemplateVersion, Reservation, ResponseLaunchTemplateData, Route, RouteTable,
    RouteTableAssociation, SecurityGroup, Subnet, Tag, UserIdGroupPair, VpcEndpoint,
};

use super::Context;
use super::convert::{cli, text, to_json};

to_json! {
    Tag => |t| cli! { "Key" => t.key, "Value" => t.value };
    Reservation => |r| cli! {
        "ReservationId" => r.reservation_id, "OwnerId" => r.owner_id, "Instances" => r.instances,
    };
    Instance => |i| cli! {
        "InstanceId" => i.instance_id, "ImageId" => i.image_id,
        "InstanceType" => text(&i.instance_type), "KeyName" => i.key_name,
        "PrivateDnsName" => i.private_dns_name, "PrivateIpAddress" => i.private_ip_address,
        "PublicDnsName" => i.public_dns_name, "PublicIpAddress" => i.public_ip_address,
        "SubnetId" => i.subnet_id, "VpcId" => i.vpc_id,
        "IamInstanceProfile" => i.iam_instance_profile.as_ref().map(|p| cli! { "Arn" => p.arn, "Id" => p.id }),
        "MetadataOptions" => i.metadata_options, "Tags" => i.tags,
    };
    InstanceMetadataOptionsResponse => |m| cli! {
        "State" => text(&m.state), "HttpTokens" => text(&m.http_tokens),
        "HttpPutResponseHopLimit" => m.http_put_response_hop_limit,
        "HttpEndpoint" => text(&m.http_endpoint),
        "HttpProtocolIpv6" => text(&m.http_protocol_ipv6),
        "InstanceMetadataTags" => text(&m.instance_metadata_tags),
    };
    Subnet => |s| cli! {
        "SubnetId" => s.subnet_id, "VpcId" => s.vpc_id, "CidrBlock" => s.cidr_block,
        "AvailabilityZone" => s.availability_zone,
        "MapPublicIpOnLaunch" => s.map_public_ip_on_launch, "Tags" => s.tags,
    };
    RouteTable => |r| cli! {
        "RouteTableId" => r.route_table_id, "VpcId" => r.vpc_id,
        "Associations" => r.associations, "Routes" => r.routes, "Tags" => r.tags,
    };
    RouteTableAssociation => |a| cli! {
        "Main" => a.main, "RouteTableAssociationId" => a.route_table_association_id,
        "RouteTableId" => a.route_table_id, "SubnetId" => a.subnet_id, "GatewayId" => a.gateway_id,
    };
    Route => |r| cli! {
        "DestinationCidrBlock" => r.destination_cidr_block,
        "DestinationIpv6CidrBlock" => r.destination_ipv6_cidr_block,
        "GatewayId" => r.gateway_id, "NatGatewayId" => r.nat_gateway_id,
        "EgressOnlyInternetGatewayId" => r.egress_only_internet_gateway_id,
        "State" => text(&r.state),
    };
    SecurityGroup => |g| cli! {
        "GroupId" => g.group_id, "GroupName" => g.group_name, "Description" => g.description,
        "VpcId" => g.vpc_id, "OwnerId" => g.owner_id, "SecurityGroupArn" => g.security_group_arn,
        "IpPermissions" => g.ip_permissions, "IpPermissionsEgress" => g.ip_permissions_egress,
        "Tags" => g.tags,
    };
    IpPermission => |p| cli! {
        "IpProtocol" => p.ip_protocol, "FromPort" => p.from_port, "ToPort" => p.to_port,
        "IpRanges" => p.ip_ranges, "Ipv6Ranges" => p.ipv6_ranges,
        "UserIdGroupPairs" => p.user_id_group_pairs,
    };
    IpRange => |r| cli! { "CidrIp" => r.cidr_ip, "Description" => r.description };
    Ipv6Range => |r| cli! { "CidrIpv6" => r.cidr_ipv6, "Description" => r.description };
    UserIdGroupPair => |p| cli! { "GroupId" => p.group_id, "UserId" => p.user_id };
    VpcEndpoint => |e| cli! {
        "VpcEndpointId" => e.vpc_endpoint_id, "VpcEndpointType" => text(&e.vpc_endpoint_type),
        "VpcId" => e.vpc_id, "ServiceName" => e.service_name, "State" => text(&e.state),
        "PolicyDocument" => e.policy_document, "RouteTableIds" => e.route_table_ids,
        "SubnetIds" => e.subnet_ids, "PrivateDnsEnabled" => e.private_dns_enabled,
        "Tags" => e.tags,
    };
    FlowLog => |f| cli! {
        "FlowLogId" => f.flow_log_id, "FlowLogStatus" => f.flow_log_status,
        "DeliverLogsStatus" => f.deliver_logs_status, "ResourceId" => f.resource_id,
        "TrafficType" => text(&f.traffic_type), "LogDestinationType" => text(&f.log_destination_type),
        "LogDestination" => f.log_destination, "LogGroupName" => f.log_group_name,
    };
    LaunchTemplate => |t| cli! {
        "LaunchTemplateId" => t.launch_template_id, "LaunchTemplateName" => t.launch_template_name,
        "DefaultVersionNumber" => t.default_version_number,
        "LatestVersionNumber" => t.latest_version_number, "Tags" => t.tags,
    };
    LaunchTemplateVersion => |v| cli! {
        "LaunchTemplateId" => v.launch_template_id, "LaunchTemplateName" => v.launch_template_name,
        "VersionNumber" => v.version_number, "DefaultVersion" => v.default_version,
        "LaunchTemplateData" => v.launch_template_data,
    };
    ResponseLaunchTemplateData => |d| cli! {
        "ImageId" => d.image_id, "InstanceType" => text(&d.instance_type), "KeyName" => d.key_name,
        "UserData" => d.user_data, "SecurityGroupIds" => d.security_group_ids,
        "BlockDeviceMappings" => d.block_device_mappings,
        "NetworkInterfaces" => d.network_interfaces, "MetadataOptions" => d.metadata_options,
    };
    LaunchTemplateInstanceMetadataOptions => |m| cli! {
        "State" => text(&m.state), "HttpTokens" => text(&m.http_tokens),
        "HttpPutResponseHopLimit" => m.http_put_response_hop_limit,
        "HttpEndpoint" => text(&m.http_endpoint),
        "HttpProtocolIpv6" => text(&m.http_protocol_ipv6),
        "InstanceMetadataTags" => text(&m.instance_metadata_tags),
    };
    LaunchTemplateBlockDeviceMapping => |b| cli! { "DeviceName" => b.device_name, "Ebs" => b.ebs };
    LaunchTemplateEbsBlockDevice => |e| cli! {
        "Encrypted" => e.encrypted, "KmsKeyId" => e.kms_key_id,
        "VolumeSize" => e.volume_size, "VolumeType" => text(&e.volume_type),
    };
    LaunchTemplateInstanceNetworkInterfaceSpecification => |n| cli! {
        "AssociatePublicIpAddress" => n.associate_public_ip_address,
        "DeviceIndex" => n.device_index, "Groups" => n.groups,
    };
}

fn vpc_filter(name: &str, value: &str) -> Filter {
    Filter::builder().name(name).values(value).build()
}

/// The VPC-scoped calls need the cluster's VPC; without `describe-cluster` they are recorded
/// as failed with that reason rather than left looking uncollected.
pub async fn collect(context: &Context<'_>, cluster: Option<&aws_sdk_eks::types::Cluster>) {
    let client = Client::new(context.config);
    let vpc = cluster
        .and_then(|cluster| cluster.resources_vpc_config.as_ref())
        .and_then(|config| config.vpc_id.clone());
    let ebs = context.fetch(
        "ec2:GetEbsEncryptionByDefault",
        "aws/ec2/get-ebs-encryption-by-default.json",
        client.get_ebs_encryption_by_default().send(),
        |output| cli! { "EbsEncryptionByDefault" => output.ebs_encryption_by_default },
    );
    let templates = context.fetch(
        "ec2:DescribeLaunchTemplates",
        "aws/ec2/describe-launch-templates.json",
        client
            .describe_launch_templates()
            .into_paginator()
            .items()
            .send()
            .try_collect(),
        |templates| cli! { "LaunchTemplates" => templates },
    );
    let Some(vpc) = vpc else {
        tokio::join!(ebs, templates);
        for (call, file) in [
            ("ec2:DescribeInstances", "aws/ec2/describe-instances.json"),
            ("ec2:DescribeSubnets", "aws/ec2/describe-subnets.json"),
            (
                "ec2:DescribeRouteTables",
                "aws/ec2/describe-route-tables.json",
            ),
            (
                "ec2:DescribeSecurityGroups",
                "aws/ec2/describe-security-groups.json",
            ),
            (
                "ec2:DescribeVpcEndpoints",
                "aws/ec2/describe-vpc-endpoints.json",
            ),
            ("ec2:DescribeFlowLogs", "aws/ec2/describe-flow-logs.json"),
        ] {
            context.recorder.fail(
                call,
                file,
                "not attempted: the cluster's VPC is unknown (eks:DescribeCluster failed)",
            );
        }
        return;
    };
    tokio::join!(
        ebs,
        templates,
        context.fetch(
            "ec2:DescribeInstances",
            "aws/ec2/describe-instances.json",
            client
                .describe_instances()
                .filters(vpc_filter("vpc-id", &vpc))
                .into_paginator()
                .items()
                .send()
                .try_collect(),
            |reservations| cli! { "Reservations" => reservations },
        ),
        context.fetch(
            "ec2:DescribeSubnets",
            "aws/ec2/describe-subnets.json",
            client
                .describe_subnets()
                .filters(vpc_filter("vpc-id", &vpc))
                .into_paginator()
                .items()
                .send()
                .try_collect(),
            |subnets| cli! { "Subnets" => subnets },
        ),
        context.fetch(
            "ec2:DescribeRouteTables",
            "aws/ec2/describe-route-tables.json",
            client
                .describe_route_tables()
                .filters(vpc_filter("vpc-id", &vpc))
                .into_paginator()
                .items()
                .send()
                .try_collect(),
            |tables| cli! { "RouteTables" => tables },
        ),
        context.fetch(
            "ec2:DescribeSecurityGroups",
            "aws/ec2/describe-security-groups.json",
            client
                .describe_security_groups()
                .filters(vpc_filter("vpc-id", &vpc))
                .into_paginator()
                .items()
                .send()
                .try_collect(),
            |groups| cli! { "SecurityGroups" => groups },
        ),
        context.fetch(
            "ec2:DescribeVpcEndpoints",
            "aws/ec2/describe-vpc-endpoints.json",
            client
                .describe_vpc_endpoints()
                .filters(vpc_filter("vpc-id", &vpc))
                .into_paginator()
                .items()
                .send()
                .try_collect(),
            |endpoints| cli! { "VpcEndpoints" => endpoints },
        ),
        context.fetch(
            "ec2:DescribeFlowLogs",
            "aws/ec2/describe-flow-logs.json",
            client
                .describe_flow_logs()
                .filter(vpc_filter("resource-id", &vpc))
                .into_paginator()
                .items()
                .send()
                .try_collect(),
            |logs| cli! { "FlowLogs" => logs },
        ),
    );
}

/// `describe-launch-template-versions/<id>-<number>.json` for each node group's launch
/// template, the version resolved by EC2 (`$Default`/`$Latest` become numbers).
pub async fn launch_templates(
    context: &Context<'_>,
    templates: Vec<aws_sdk_eks::types::LaunchTemplateSpecification>,
) {
    let client = Client::new(context.config);
    context
        .each(templates, |template| {
            let client = &client;
            async move {
                let version = template
                    .version
                    .clone()
                    .unwrap_or_else(|| "$Default".to_string());
                let mut request = client
                    .describe_launch_template_versions()
                    .versions(&version);
                request = match (&template.id, &template.name) {
                    (Some(id), _) => request.launch_template_id(id),
                    (None, Some(name)) => request.launch_template_name(name),
                    (None, None) => return,
                };
                let label = template
                    .id
                    .clone()
                    .or(template.name.clone())
                    .unwrap_or_default();
                let _permit = context.permits.acquire().await;
                match request.send().await {
                    Ok(output) => {
                        for found in output.launch_template_versions.unwrap_or_default() {
                            let id = found.launch_template_id.clone().unwrap_or(label.clone());
                            let number = found.version_number.unwrap_or_default();
                            let file = format!(
                                "aws/ec2/describe-launch-template-versions/{}-{number}.json",
                                crate::safe_file_name(&id)
                            );
                            context.recorder.write(
                                "ec2:DescribeLaunchTemplateVersions",
                                &file,
                                &cli! { "LaunchTemplateVersions" => vec![found] },
                            );
                        }
                    }
                    Err(error) => {
                        let file = format!(
                            "aws/ec2/describe-launch-template-versions/{}-{}.json",
                            crate::safe_file_name(&label),
                            crate::safe_file_name(version.trim_start_matches('$'))
                        );
                        context.recorder.fail(
                            "ec2:DescribeLaunchTemplateVersions",
                            &file,
                            &super::ErrorText::text(&error),
                        );
                    }
                }
            }
        })
        .await;
}
