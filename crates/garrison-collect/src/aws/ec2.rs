//! `aws ec2 …` (PascalCase, as the CLI prints it; the wire format is XML): the cluster VPC's
//! instances, subnets, route tables, security groups, endpoints and flow logs, EBS default
//! encryption, and the node groups' launch templates.

use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::{
    Filter, FlowLog, Instance, InstanceMetadataOptionsResponse, IpPermission, IpRange, Ipv6Range,
    LaunchTemplate, LaunchTemplateBlockDeviceMapping, LaunchTemplateEbsBlockDevice,
    LaunchTemplateInstanceMetadataOptions, LaunchTemplateInstanceNetworkInterfaceSpecification,
    LaunchTemplateVersion, NetworkInterface, NetworkInterfaceAttachment,
    NetworkInterfaceIpv6Address, NetworkInterfacePrivateIpAddress, Reservation,
    ResponseLaunchTemplateData, Route, RouteTable, RouteTableAssociation, SecurityGroup, Subnet,
    Tag, UserIdGroupPair, Vpc, VpcCidrBlockAssociation, VpcEndpoint, VpcIpv6CidrBlockAssociation,
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
    Vpc => |v| cli! {
        "VpcId" => v.vpc_id, "OwnerId" => v.owner_id, "CidrBlock" => v.cidr_block,
        "CidrBlockAssociationSet" => v.cidr_block_association_set,
        "Ipv6CidrBlockAssociationSet" => v.ipv6_cidr_block_association_set,
        "IsDefault" => v.is_default, "State" => text(&v.state), "Tags" => v.tags,
    };
    VpcCidrBlockAssociation => |a| cli! {
        "AssociationId" => a.association_id, "CidrBlock" => a.cidr_block,
        "CidrBlockState" => a.cidr_block_state.as_ref().map(|s| cli! { "State" => text(&s.state) }),
    };
    VpcIpv6CidrBlockAssociation => |a| cli! {
        "AssociationId" => a.association_id, "Ipv6CidrBlock" => a.ipv6_cidr_block,
        "Ipv6CidrBlockState" => a.ipv6_cidr_block_state.as_ref().map(|s| cli! { "State" => text(&s.state) }),
    };
    NetworkInterface => |n| cli! {
        "NetworkInterfaceId" => n.network_interface_id, "InterfaceType" => text(&n.interface_type),
        "Description" => n.description, "Status" => text(&n.status),
        "VpcId" => n.vpc_id, "SubnetId" => n.subnet_id, "AvailabilityZone" => n.availability_zone,
        "OwnerId" => n.owner_id, "RequesterId" => n.requester_id,
        "RequesterManaged" => n.requester_managed, "PrivateIpAddress" => n.private_ip_address,
        "PrivateDnsName" => n.private_dns_name, "PrivateIpAddresses" => n.private_ip_addresses,
        "Ipv6Addresses" => n.ipv6_addresses, "Attachment" => n.attachment,
        "Groups" => n.groups.as_ref().map(|groups| groups
            .iter()
            .map(|g| cli! { "GroupId" => g.group_id, "GroupName" => g.group_name })
            .collect::<Vec<_>>()),
        "TagSet" => n.tag_set,
    };
    NetworkInterfacePrivateIpAddress => |a| cli! {
        "PrivateIpAddress" => a.private_ip_address, "PrivateDnsName" => a.private_dns_name,
        "Primary" => a.primary,
    };
    NetworkInterfaceIpv6Address => |a| cli! {
        "Ipv6Address" => a.ipv6_address, "IsPrimaryIpv6" => a.is_primary_ipv6,
    };
    NetworkInterfaceAttachment => |a| cli! {
        "AttachmentId" => a.attachment_id, "InstanceId" => a.instance_id,
        "InstanceOwnerId" => a.instance_owner_id, "DeviceIndex" => a.device_index,
        "Status" => text(&a.status),
    };
    aws_sdk_autoscaling::types::AutoScalingGroup => |g| cli! {
        "AutoScalingGroupName" => g.auto_scaling_group_name,
        "AutoScalingGroupARN" => g.auto_scaling_group_arn,
        "LaunchTemplate" => g.launch_template,
        "MixedInstancesPolicy" => g.mixed_instances_policy.as_ref().map(|p| cli! {
            "LaunchTemplate" => p.launch_template.as_ref().map(|t| cli! {
                "LaunchTemplateSpecification" => t.launch_template_specification,
            }),
        }),
        "MinSize" => g.min_size, "MaxSize" => g.max_size,
        "DesiredCapacity" => g.desired_capacity, "VPCZoneIdentifier" => g.vpc_zone_identifier,
        "Instances" => g.instances.as_ref().map(|instances| instances
            .iter()
            .map(|i| cli! {
                "InstanceId" => i.instance_id, "LaunchTemplate" => i.launch_template,
                "LifecycleState" => text(&i.lifecycle_state),
            })
            .collect::<Vec<_>>()),
        "Tags" => g.tags.as_ref().map(|tags| tags
            .iter()
            .map(|t| cli! { "Key" => t.key, "Value" => t.value })
            .collect::<Vec<_>>()),
    };
    aws_sdk_autoscaling::types::LaunchTemplateSpecification => |l| cli! {
        "LaunchTemplateId" => l.launch_template_id,
        "LaunchTemplateName" => l.launch_template_name, "Version" => l.version,
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
            ("ec2:DescribeVpcs", "aws/ec2/describe-vpcs.json"),
            (
                "ec2:DescribeNetworkInterfaces",
                "aws/ec2/describe-network-interfaces.json",
            ),
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
        context.fetch(
            "ec2:DescribeVpcs",
            "aws/ec2/describe-vpcs.json",
            client
                .describe_vpcs()
                .filters(vpc_filter("vpc-id", &vpc))
                .into_paginator()
                .items()
                .send()
                .try_collect(),
            |vpcs| cli! { "Vpcs" => vpcs },
        ),
        context.fetch(
            "ec2:DescribeNetworkInterfaces",
            "aws/ec2/describe-network-interfaces.json",
            client
                .describe_network_interfaces()
                .filters(vpc_filter("vpc-id", &vpc))
                .into_paginator()
                .items()
                .send()
                .try_collect(),
            |interfaces| cli! { "NetworkInterfaces" => interfaces },
        ),
    );
}

/// `autoscaling/describe-auto-scaling-groups.json`: the Auto Scaling groups of the node groups
/// (`names`), 50 names to a call. Returns the launch templates they launch from, for a node
/// group whose template EKS created and does not name.
pub async fn auto_scaling_groups(
    context: &Context<'_>,
    names: Vec<String>,
) -> Vec<aws_sdk_eks::types::LaunchTemplateSpecification> {
    let call = "autoscaling:DescribeAutoScalingGroups";
    let file = "aws/autoscaling/describe-auto-scaling-groups.json";
    if names.is_empty() {
        // Without names the call would list every group of the account.
        context.recorder.note(
            call,
            file,
            "not asked: no node group names an Auto Scaling group",
        );
        return Vec::new();
    }
    let client = aws_sdk_autoscaling::Client::new(context.config);
    let mut groups = Vec::new();
    for chunk in names.chunks(50) {
        let result = {
            let _permit = context.permits.acquire().await;
            client
                .describe_auto_scaling_groups()
                .set_auto_scaling_group_names(Some(chunk.to_vec()))
                .into_paginator()
                .items()
                .send()
                .try_collect()
                .await
        };
        match result {
            Ok(found) => groups.extend(found),
            Err(error) => {
                context
                    .recorder
                    .fail(call, file, &super::ErrorText::text(&error));
                return Vec::new();
            }
        }
    }
    context
        .recorder
        .write(call, file, &cli! { "AutoScalingGroups" => groups });
    groups
        .iter()
        .filter_map(|group| {
            group.launch_template.as_ref().or_else(|| {
                group
                    .mixed_instances_policy
                    .as_ref()?
                    .launch_template
                    .as_ref()?
                    .launch_template_specification
                    .as_ref()
            })
        })
        .map(|template| {
            aws_sdk_eks::types::LaunchTemplateSpecification::builder()
                .set_id(template.launch_template_id.clone())
                .set_name(template.launch_template_name.clone())
                .set_version(template.version.clone())
                .build()
        })
        .collect()
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
