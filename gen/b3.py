import sys; sys.path.insert(0,'gen')
from gen import check, USES
EP='EKS documentation: Cluster API server endpoint'
BPG_NET='EKS Best Practices Guide, Security: Network security'
BPG_IAM='EKS Best Practices Guide, Security: Identity and Access Management'

check('network','public_endpoint_enabled','EKS-NET-001','public-endpoint-enabled',
 'Cluster API endpoint is reachable from the internet','Medium','Cluster','PrivateEndpointAndPrivatelink',
 '''Reads `resourcesVpcConfig.endpointPublicAccess` and `endpointPrivateAccess`: PASS for a
 private-only endpoint, FAIL when the public endpoint is on (see EKS-NET-002 for how widely it is
 open). Missing members are UNKNOWN.''',
 '''A public endpoint exposes the Kubernetes API, and any of its authentication bugs, to whoever
 can reach it; a private endpoint is reachable only from the VPC and connected networks.''',
 '''Enable private access and disable public access (`aws eks update-cluster-config
 --resources-vpc-config endpointPublicAccess=false,endpointPrivateAccess=true`), reaching the API
 through a VPN, bastion or Direct Connect.''',
 [EP,'CIS Amazon EKS Benchmark v1.8.0, 5.4.2','AWS Security Hub control EKS.1'],
 '''
 pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
     with_cluster(snapshot, |cluster, resource| {
         const POINTER: &str = "/cluster/resourcesVpcConfig/endpointPublicAccess";
         let vpc = cluster.resources_vpc_config.clone().unwrap_or_default();
         vec![match (vpc.endpoint_public_access, vpc.endpoint_private_access) {
             (None, _) => result(resource, Status::Unknown, POINTER, "describe-cluster does not say whether the public endpoint is on"),
             (Some(false), Some(true)) => result(resource, Status::Pass, POINTER, "the API endpoint is private only"),
             (Some(false), _) => result(resource, Status::Pass, POINTER, "the public endpoint is off"),
             (Some(true), _) => result(resource, Status::Fail, POINTER, "the public API endpoint is enabled"),
         }]
     })
 }
 ''', cis='5.4.2', sh='EKS.1', remediation='Disable the public endpoint and enable private access.', uses=USES)

check('network','endpoint_open_to_internet','EKS-NET-002','endpoint-open-to-internet',
 'Public API endpoint allows the whole internet','High','Cluster','PrivateEndpointAndPrivatelink',
 '''When the public endpoint is on, one result per entry of `publicAccessCidrs`: FAIL for
 `0.0.0.0/0` and `::/0`, WARN for ranges broader than /16 (IPv4) or /32 (IPv6), PASS otherwise.
 An absent list means the EKS default, `0.0.0.0/0` (plus `::/0` on IPv6 clusters), and fails.
 Unlike tools that look only for `0.0.0.0/0`, the IPv6 default is caught.''',
 '''An endpoint open to every address can be probed and brute-forced from anywhere, and a leaked
 kubeconfig or IAM credential works from any network.''',
 '''Restrict `publicAccessCidrs` to your egress ranges, or disable the public endpoint.''',
 [EP,'CIS Amazon EKS Benchmark v1.8.0, 5.4.1','AWS Security Hub control EKS.1'],
 '''
 pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
     with_cluster(snapshot, |cluster, resource| {
         let vpc = cluster.resources_vpc_config.clone().unwrap_or_default();
         match vpc.endpoint_public_access {
             None => return vec![result(resource, Status::Unknown, "/cluster/resourcesVpcConfig", "describe-cluster does not say whether the public endpoint is on")],
             Some(false) => return vec![result(resource, Status::Pass, "/cluster/resourcesVpcConfig/endpointPublicAccess", "the public endpoint is off")],
             Some(true) => {}
         }
         let Some(cidrs) = vpc.public_access_cidrs else {
             let ipv6 = cluster.kubernetes_network_config.as_ref().and_then(|n| n.ip_family.as_deref()) == Some("ipv6");
             let default = if ipv6 { "0.0.0.0/0 and ::/0" } else { "0.0.0.0/0" };
             return vec![result(resource, Status::Fail, "/cluster/resourcesVpcConfig", format!("publicAccessCidrs is not set: EKS defaults to {default}"))];
         };
         cidrs.iter().enumerate().map(|(index, cidr)| {
             let pointer = format!("/cluster/resourcesVpcConfig/publicAccessCidrs/{index}");
             let prefix: u32 = cidr.rsplit_once('/').and_then(|(_, p)| p.parse().ok()).unwrap_or(0);
             let (minimum, world) = if cidr.contains(':') { (32, "::/0") } else { (16, "0.0.0.0/0") };
             if cidr == world || prefix == 0 {
                 result(resource, Status::Fail, &pointer, format!("{cidr} lets the whole internet reach the API endpoint"))
             } else if prefix < minimum {
                 result(resource, Status::Warn, &pointer, format!("{cidr} is broader than /{minimum}"))
             } else {
                 result(resource, Status::Pass, &pointer, format!("{cidr} is a restricted range"))
             }
         }).collect()
     })
 }
 ''', cis='5.4.1', sh='EKS.1', remediation='Restrict publicAccessCidrs to known ranges (no 0.0.0.0/0 or ::/0).', uses=USES)

check('network','private_endpoint_disabled','EKS-NET-003','private-endpoint-disabled',
 'Private API endpoint access is disabled','Medium','Cluster','PrivateEndpointAndPrivatelink',
 '''Reads `resourcesVpcConfig.endpointPrivateAccess`: FAIL when false, PASS when true.''',
 '''Without private access, nodes and in-VPC clients reach the API server over the public
 endpoint, so the public endpoint cannot be closed and node traffic leaves the VPC.''',
 '''Enable private endpoint access (`endpointPrivateAccess=true`).''',
 [EP,'CIS Amazon EKS Benchmark v1.8.0, 5.4.2'],
 '''
 pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
     with_cluster(snapshot, |cluster, resource| {
         const POINTER: &str = "/cluster/resourcesVpcConfig/endpointPrivateAccess";
         let private = cluster.resources_vpc_config.as_ref().and_then(|vpc| vpc.endpoint_private_access);
         vec![match private {
             None => result(resource, Status::Unknown, POINTER, "describe-cluster does not say whether private access is on"),
             Some(true) => result(resource, Status::Pass, POINTER, "private endpoint access is on"),
             Some(false) => result(resource, Status::Fail, POINTER, "private endpoint access is off: in-VPC traffic to the API goes through the public endpoint"),
         }]
     })
 }
 ''', remediation='Enable private endpoint access.', uses=USES)

check('network','nodes_in_public_subnets','EKS-NET-004','nodes-in-public-subnets',
 'Node group places nodes in public subnets','High','Infrastructure','PrivateEndpointAndPrivatelink',
 '''One result per subnet of each managed node group: FAIL when `describe-subnets` says
 `MapPublicIpOnLaunch` is true, or `describe-route-tables` (when collected) routes `0.0.0.0/0` to
 an internet gateway from it; PASS otherwise. Reads the subnet itself rather than instance DNS
 names, which are empty when VPC DNS hostnames are off even for public IPs.''',
 '''Nodes with public addresses are directly reachable from the internet: the kubelet port,
 NodePorts and anything listening with `hostNetwork` are one security-group mistake away from
 exposure.''',
 '''Put node groups in private subnets with a NAT gateway (or VPC endpoints) for egress.''',
 ['CIS Amazon EKS Benchmark v1.8.0, 5.4.3','EKS Best Practices Guide, Security: Infrastructure security'],
 '''
 use garrison_core::aws::ec2::{DescribeRouteTables, DescribeSubnets};
 use garrison_core::aws::eks::DescribeNodegroup;

 pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
     let mut results = Vec::new();
     let nodegroups = each_or_unknown::<DescribeNodegroup>(snapshot, "eks/nodegroups/", "Nodegroup", &mut results);
     let subnets = snapshot.document::<DescribeSubnets>("ec2/describe-subnets.json");
     let routes = snapshot.document::<DescribeRouteTables>("ec2/describe-route-tables.json").ok();
     for (document, resource) in nodegroups {
         let resource = resource.with_arn(document.nodegroup.nodegroup_arn.as_deref());
         let subnets = match &subnets {
             Ok(subnets) => subnets,
             Err(missing) => {
                 results.push(unknown(&resource, "ec2/describe-subnets.json", missing));
                 continue;
             }
         };
         for (index, id) in document.nodegroup.subnets.iter().enumerate() {
             let pointer = format!("/nodegroup/subnets/{index}");
             let Some(subnet) = subnets.subnets.iter().find(|s| s.subnet_id.as_deref() == Some(id)) else {
                 results.push(result(&resource, Status::Unknown, &pointer, format!("subnet {id} is not in describe-subnets")));
                 continue;
             };
             let internet_route = routes.as_ref().is_some_and(|tables| {
                 tables.route_tables.iter()
                     .filter(|table| table.associations.iter().any(|a| a.subnet_id.as_deref() == Some(id)))
                     .flat_map(|table| table.routes.iter())
                     .any(|route| route.destination_cidr_block.as_deref() == Some("0.0.0.0/0")
                         && route.gateway_id.as_deref().is_some_and(|gateway| gateway.starts_with("igw-")))
             });
             results.push(if subnet.map_public_ip_on_launch == Some(true) {
                 result(&resource, Status::Fail, &pointer, format!("subnet {id} gives instances public IP addresses"))
             } else if internet_route {
                 result(&resource, Status::Fail, &pointer, format!("subnet {id} routes 0.0.0.0/0 to an internet gateway"))
             } else {
                 result(&resource, Status::Pass, &pointer, format!("subnet {id} is private"))
             });
         }
     }
     results
 }
 ''', cis='5.4.3', remediation='Run nodes in private subnets.', uses=USES)

check('network','launch_template_public_ip','EKS-NET-005','launch-template-public-ip',
 'Node launch template requests public IP addresses','Medium','Infrastructure','PrivateEndpointAndPrivatelink',
 '''One result per network interface of each collected launch template version
 (`ec2/describe-launch-template-versions/`): FAIL when `AssociatePublicIpAddress` is true.''',
 '''A launch template that asks for public addresses gives every node an internet-facing IP even in
 an otherwise private subnet.''',
 '''Set `AssociatePublicIpAddress=false` (or omit it) in the node launch template.''',
 ['Amazon EC2 documentation: Launch template network interfaces', 'EKS Best Practices Guide, Security: Infrastructure security'],
 '''
 use garrison_core::aws::ec2::DescribeLaunchTemplateVersions;

 pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
     let mut results = Vec::new();
     let Some(templates) = each_document::<DescribeLaunchTemplateVersions>(snapshot, "ec2/describe-launch-template-versions/", "LaunchTemplate", &mut results) else {
         return results;
     };
     for (document, resource) in templates {
         for (v, version) in document.launch_template_versions.iter().enumerate() {
             let interfaces = version.launch_template_data.as_ref().map(|data| data.network_interfaces.as_slice()).unwrap_or_default();
             if interfaces.is_empty() {
                 results.push(result(&resource, Status::Pass, &format!("/LaunchTemplateVersions/{v}/LaunchTemplateData"), "no network interface asks for a public IP (the subnet decides)"));
             }
             for (i, interface) in interfaces.iter().enumerate() {
                 let pointer = format!("/LaunchTemplateVersions/{v}/LaunchTemplateData/NetworkInterfaces/{i}/AssociatePublicIpAddress");
                 results.push(if interface.associate_public_ip_address == Some(true) {
                     result(&resource, Status::Fail, &pointer, "the launch template gives nodes a public IP address")
                 } else {
                     result(&resource, Status::Pass, &pointer, "no public IP address requested")
                 });
             }
         }
     }
     results
 }
 ''', remediation='Do not request public IPs in node launch templates.', uses=USES)

check('network','missing_vpc_endpoints','EKS-NET-006','missing-vpc-endpoints',
 'VPC endpoint for an AWS service the cluster needs is missing','Medium','Infrastructure','PrivateEndpointAndPrivatelink',
 '''One result per AWS service a private cluster needs (`ecr.api`, `ecr.dkr`, `s3`, `sts`,
 `ec2`, `logs`, `eks`, and `eks-auth` when Pod Identity associations exist): PASS when
 `describe-vpc-endpoints` has an `available` endpoint for it in the cluster VPC. A missing one is
 FAIL on a cluster whose public endpoint is off, and WARN otherwise (traffic leaves through NAT).''',
 '''Without endpoints, image pulls, STS calls and log delivery go over the internet through NAT,
 and a private cluster without them cannot pull images or join nodes at all.''',
 '''Create interface endpoints (and the `s3` gateway endpoint) for the listed services in the
 cluster VPC, with private DNS on.''',
 ['EKS documentation: Deploy private clusters with limited internet access', 'EKS Best Practices Guide, Security: Image security (ECR private endpoints)'],
 '''
 use garrison_core::aws::ec2::DescribeVpcEndpoints;

 pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
     with_cluster(snapshot, |cluster, resource| {
         let vpc = cluster.resources_vpc_config.clone().unwrap_or_default();
         let private_only = vpc.endpoint_public_access == Some(false);
         let uses_pod_identity = snapshot
             .document::<garrison_core::aws::eks::ListPodIdentityAssociations>("eks/list-pod-identity-associations.json")
             .is_ok_and(|list| !list.associations.is_empty());
         with_document::<DescribeVpcEndpoints>(snapshot, "ec2/describe-vpc-endpoints.json", resource, |endpoints| {
             let mut services = vec!["ecr.api", "ecr.dkr", "s3", "sts", "ec2", "logs", "eks"];
             if uses_pod_identity {
                 services.push("eks-auth");
             }
             services.into_iter().map(|service| {
                 let found = endpoints.vpc_endpoints.iter().position(|endpoint| {
                     endpoint.service_name.as_deref().is_some_and(|name| name.rsplit_once(".amazonaws.com").is_none() && name.ends_with(&format!(".{service}")) || name.ends_with(&format!(".{service}")) && false)
                         && endpoint.state.as_deref().is_none_or(|state| state.eq_ignore_ascii_case("available"))
                         && (vpc.vpc_id.is_none() || endpoint.vpc_id == vpc.vpc_id)
                 });
                 match found {
                     Some(index) => result(resource, Status::Pass, &format!("/VpcEndpoints/{index}"), format!("an endpoint for {service} is available")),
                     None if private_only => result(resource, Status::Fail, "/VpcEndpoints", format!("no VPC endpoint for {service}: the private cluster cannot reach it")),
                     None => result(resource, Status::Warn, "/VpcEndpoints", format!("no VPC endpoint for {service}: its traffic leaves the VPC")),
                 }
             }).collect()
         })
     })
 }
 ''', remediation='Create VPC endpoints for ECR, S3, STS, EC2, CloudWatch Logs, EKS and EKS Auth.', uses=USES)

check('network','vpc_endpoint_policy_open','EKS-NET-009','vpc-endpoint-policy-open',
 'VPC endpoint policy allows any principal any action','Low','Infrastructure','PrivateEndpointAndPrivatelink',
 '''One result per VPC endpoint of the cluster VPC: FAIL when its policy has an unconditioned
 `Allow` of `*` to principal `*` and no conditional `Deny` narrows it (the default full-access
 policy); PASS otherwise. An extension of catalogue row EKS-NET-006 (restrictive endpoint
 policies).''',
 '''The default endpoint policy lets anyone in the VPC use the endpoint for any account's
 resources, so it is also a path to exfiltrate data to a foreign S3 bucket or ECR registry.''',
 '''Attach endpoint policies that allow only your accounts or organisation
 (`aws:PrincipalAccount`, `aws:ResourceOrgID`) and the actions the cluster needs.''',
 ['Amazon VPC documentation: Control access to VPC endpoints using endpoint policies', 'EKS Best Practices Guide, Security: Image security'],
 '''
 use garrison_core::aws::ec2::DescribeVpcEndpoints;
 use garrison_core::aws::iam::PolicyDocument;

 pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
     with_cluster(snapshot, |cluster, cluster_resource| {
         let vpc_id = cluster.resources_vpc_config.as_ref().and_then(|vpc| vpc.vpc_id.clone());
         with_document::<DescribeVpcEndpoints>(snapshot, "ec2/describe-vpc-endpoints.json", cluster_resource, |endpoints| {
             let mut results = Vec::new();
             for (index, endpoint) in endpoints.vpc_endpoints.iter().enumerate() {
                 if vpc_id.is_some() && endpoint.vpc_id != vpc_id {
                     continue;
                 }
                 let name = endpoint.vpc_endpoint_id.clone().unwrap_or_else(|| format!("endpoint {index}"));
                 let resource = crate::engine::Resource::new("VpcEndpoint", name, "aws/ec2/describe-vpc-endpoints.json");
                 let pointer = format!("/VpcEndpoints/{index}/PolicyDocument");
                 let service = endpoint.service_name.as_deref().unwrap_or("?");
                 let Some(text) = &endpoint.policy_document else {
                     results.push(result(&resource, Status::Pass, &pointer, format!("{service}: no endpoint policy (the service does not support one)")));
                     continue;
                 };
                 let document = match PolicyDocument::parse(&serde_json::Value::String(text.clone())) {
                     Ok(document) => document,
                     Err(error) => {
                         results.push(result(&resource, Status::Unknown, &pointer, error));
                         continue;
                     }
                 };
                 let open = document.statements.iter().any(|s| s.allows() && s.conditions.is_empty()
                     && s.actions.iter().any(|a| a == "*")
                     && s.principals.iter().any(|(_, p)| p == "*"));
                 let narrowed = document.statements.iter().any(|s| !s.allows() && !s.conditions.is_empty());
                 results.push(if open && !narrowed {
                     result(&resource, Status::Fail, &pointer, format!("{service}: the endpoint policy allows any principal any action on any resource"))
                 } else {
                     result(&resource, Status::Pass, &pointer, format!("{service}: the endpoint policy is restricted"))
                 });
             }
             results
         })
     })
 }
 ''', remediation='Restrict VPC endpoint policies to your accounts and needed actions.', uses=USES)

check('network','security_group_open_to_world','EKS-NET-007','security-group-open-to-world',
 'Cluster or node security group admits the internet','High','Infrastructure','PrivateEndpointAndPrivatelink',
 '''One result per security group of the cluster (`clusterSecurityGroupId`, `securityGroupIds`)
 and of the node groups' remote-access groups found in `describe-security-groups`: FAIL when an
 inbound rule admits `0.0.0.0/0` or `::/0` on any port, naming the port range; PASS otherwise.''',
 '''These groups guard the control-plane ENIs, the kubelet (10250) and NodePorts (30000-32767). An
 inbound rule from the whole internet bypasses every other layer.''',
 '''Replace world-open rules with the CIDRs or security groups that need access.''',
 ['EKS documentation: Amazon EKS security group requirements', BPG_NET],
 '''
 use garrison_core::aws::ec2::DescribeSecurityGroups;
 use garrison_core::aws::eks::DescribeNodegroup;

 pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
     with_cluster(snapshot, |cluster, cluster_resource| {
         let vpc = cluster.resources_vpc_config.clone().unwrap_or_default();
         let mut groups: Vec<String> = vpc.cluster_security_group_id.into_iter().chain(vpc.security_group_ids).collect();
         for (_, document) in snapshot.documents::<DescribeNodegroup>("eks/nodegroups/") {
             if let Some(group) = document.ok().and_then(|d| d.nodegroup.resources).and_then(|r| r.remote_access_security_group) {
                 groups.push(group);
             }
         }
         with_document::<DescribeSecurityGroups>(snapshot, "ec2/describe-security-groups.json", cluster_resource, |described| {
             let mut results = Vec::new();
             for (index, group) in described.security_groups.iter().enumerate() {
                 let Some(id) = group.group_id.as_deref().filter(|id| groups.iter().any(|g| g == id)) else {
                     continue;
                 };
                 let resource = crate::engine::Resource::new("SecurityGroup", id, "aws/ec2/describe-security-groups.json").with_arn(group.security_group_arn.as_deref());
                 let open = group.ip_permissions.iter().enumerate().find(|(_, rule)| !rule.world_sources().is_empty());
                 results.push(match open {
                     Some((rule_index, rule)) => {
                         let ports = match (rule.ip_protocol.as_deref(), rule.from_port, rule.to_port) {
                             (Some("-1"), _, _) => "all traffic".to_string(),
                             (_, Some(from), Some(to)) if from == to => format!("port {from}"),
                             (_, Some(from), Some(to)) => format!("ports {from}-{to}"),
                             _ => "some ports".to_string(),
                         };
                         result(&resource, Status::Fail, &format!("/SecurityGroups/{index}/IpPermissions/{rule_index}"), format!("{id} admits {} on {ports}", rule.world_sources().join(" and ")))
                     }
                     None => result(&resource, Status::Pass, &format!("/SecurityGroups/{index}/IpPermissions"), format!("{id} admits no traffic from the internet")),
                 });
             }
             results
         })
     })
 }
 ''', remediation='Remove inbound rules from 0.0.0.0/0 and ::/0.', uses=USES)
