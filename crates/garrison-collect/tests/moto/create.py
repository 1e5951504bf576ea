"""Creates an EKS cluster and what surrounds it in a moto server, then writes, with boto3 (the
library under the AWS CLI), the snapshot a user would write by hand with `aws ... --output json`
for the calls moto implements. The Rust test collects the same account with `garrison collect`
and compares the findings of both snapshots.

Usage: create.py ENDPOINT REFERENCE_DIR CLUSTER
"""

import datetime
import json
import os
import sys
import urllib.request

import boto3

endpoint, reference, cluster = sys.argv[1:4]
REGION = "us-east-1"
session = boto3.session.Session(
    aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
)


def client(service):
    return session.client(service, endpoint_url=endpoint)


ec2, eks, iam, ecr = client("ec2"), client("eks"), client("iam"), client("ecr")
kms, logs, guardduty = client("kms"), client("logs"), client("guardduty")
autoscaling, cloudtrail, s3 = client("autoscaling"), client("cloudtrail"), client("s3")
securityhub, inspector2, ssm = client("securityhub"), client("inspector2"), client("ssm")

# Network: a VPC with a private and a public subnet, a security group open to the world on
# SSH, an interface endpoint with a wide-open policy.
vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
private = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone="us-east-1a")
private = private["Subnet"]["SubnetId"]
public = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.2.0/24", AvailabilityZone="us-east-1b")
public = public["Subnet"]["SubnetId"]
ec2.modify_subnet_attribute(SubnetId=public, MapPublicIpOnLaunch={"Value": True})
gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc)
table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=gateway)
ec2.associate_route_table(RouteTableId=table, SubnetId=public)
nodes_sg = ec2.create_security_group(GroupName="prod-eks-nodes", Description="nodes", VpcId=vpc)
nodes_sg = nodes_sg["GroupId"]
ec2.authorize_security_group_ingress(
    GroupId=nodes_sg,
    IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
    ],
)
open_policy = {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}
ec2.create_vpc_endpoint(
    VpcId=vpc,
    ServiceName=f"com.amazonaws.{REGION}.ecr.api",
    VpcEndpointType="Interface",
    SubnetIds=[private],
    SecurityGroupIds=[nodes_sg],
    PolicyDocument=json.dumps(open_policy),
)

# Nodes: a launch template with IMDSv1 allowed, a hop limit of 2 and an unencrypted volume.
template = ec2.create_launch_template(
    LaunchTemplateName="prod-eks-nodes",
    LaunchTemplateData={
        "MetadataOptions": {"HttpTokens": "optional", "HttpPutResponseHopLimit": 2},
        "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"Encrypted": False, "VolumeSize": 20}}],
    },
)["LaunchTemplate"]["LaunchTemplateId"]

# IAM: the cluster role and the node role.
def trust(service):
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]})


cluster_role = iam.create_role(RoleName="prod-eks-cluster", AssumeRolePolicyDocument=trust("eks.amazonaws.com"))
cluster_role = cluster_role["Role"]["Arn"]
node_role = iam.create_role(RoleName="prod-eks-node", AssumeRolePolicyDocument=trust("ec2.amazonaws.com"))
node_role = node_role["Role"]["Arn"]
for policy in ["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryReadOnly", "AmazonEKS_CNI_Policy"]:
    iam.attach_role_policy(RoleName="prod-eks-node", PolicyArn=f"arn:aws:iam::aws:policy/{policy}")
iam.put_role_policy(RoleName="prod-eks-node", PolicyName="wide-s3", PolicyDocument=json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
# A role that only a ServiceAccount names (IRSA): the collector learns of it from Kubernetes.
iam.create_role(RoleName="prod-eks-payments", AssumeRolePolicyDocument=trust("pods.eks.amazonaws.com"))

# KMS: the Secrets key, without rotation.
key = kms.create_key(Description="prod-eks secrets")["KeyMetadata"]["Arn"]

# EKS: moto stores resourcesVpcConfig as sent and CreateCluster's input has no vpcId, so the
# request is posted directly (moto does not check signatures) with the VPC id EKS would report.
body = {
    "name": cluster,
    "version": "1.29",
    "roleArn": cluster_role,
    "resourcesVpcConfig": {
        "subnetIds": [private, public],
        "securityGroupIds": [nodes_sg],
        "vpcId": vpc,
        "endpointPublicAccess": True,
        "endpointPrivateAccess": False,
        "publicAccessCidrs": ["0.0.0.0/0"],
    },
    "logging": {"clusterLogging": [{"types": ["api", "audit"], "enabled": True},
                                   {"types": ["authenticator"], "enabled": False}]},
    "encryptionConfig": [{"resources": ["secrets"], "provider": {"keyArn": key}}],
}
request = urllib.request.Request(
    f"{endpoint}/clusters", data=json.dumps(body).encode(), method="POST",
    headers={"Content-Type": "application/json",
             "Authorization": f"AWS4-HMAC-SHA256 Credential=testing/20260101/{REGION}/eks/aws4_request"},
)
urllib.request.urlopen(request).read()
eks.create_nodegroup(
    clusterName=cluster, nodegroupName="general", subnets=[private], nodeRole=node_role,
    launchTemplate={"id": template, "version": "1"},
)
eks.create_nodegroup(
    clusterName=cluster, nodegroupName="legacy", subnets=[public], nodeRole=node_role,
    remoteAccess={"ec2SshKey": "ops", "sourceSecurityGroups": []},
)

# ECR, CloudWatch Logs, GuardDuty.
ecr.create_repository(repositoryName="checkout/cart", imageTagMutability="MUTABLE",
                      imageScanningConfiguration={"scanOnPush": False})
ecr.create_repository(repositoryName="checkout/orders", imageTagMutability="IMMUTABLE",
                      imageScanningConfiguration={"scanOnPush": True})
logs.create_log_group(logGroupName=f"/aws/eks/{cluster}/cluster")
guardduty.create_detector(Enable=True)

# The image a Pod runs (k8s/pods.json, written by the Rust test): pushed and scanned (moto's
# scan reports a HIGH CVE). The other repository's image was never pushed, so its scan result
# cannot be read. The cart repository is open to everyone and has no lifecycle policy.
manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                       "config": {"digest": "sha256:" + "c" * 64, "size": 1, "mediaType": "application/vnd.docker.container.image.v1+json"},
                       "layers": []})
ecr.put_image(repositoryName="checkout/cart", imageManifest=manifest, imageTag="v1")
ecr.start_image_scan(repositoryName="checkout/cart", imageId={"imageTag": "v1"})
ecr.set_repository_policy(repositoryName="checkout/cart", policyText=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Sid": "everyone", "Effect": "Allow", "Principal": "*", "Action": ["ecr:BatchGetImage"]}]}))
ecr.put_lifecycle_policy(repositoryName="checkout/orders", lifecyclePolicyText=json.dumps({"rules": [{
    "rulePriority": 1, "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed",
                                     "countUnit": "days", "countNumber": 14},
    "action": {"type": "expire"}}]}))

# The legacy node group names no launch template: its Auto Scaling group launches from one.
legacy = eks.describe_nodegroup(clusterName=cluster, nodegroupName="legacy")["nodegroup"]
legacy_asg = legacy["resources"]["autoScalingGroups"][0]["name"]
hidden = ec2.create_launch_template(
    LaunchTemplateName="eks-legacy-hidden",
    LaunchTemplateData={"MetadataOptions": {"HttpTokens": "required", "HttpPutResponseHopLimit": 1},
                        "KeyName": "ops"},
)["LaunchTemplate"]["LaunchTemplateId"]
autoscaling.create_auto_scaling_group(
    AutoScalingGroupName=legacy_asg, MinSize=0, MaxSize=1, DesiredCapacity=0,
    VPCZoneIdentifier=public, LaunchTemplate={"LaunchTemplateId": hidden, "Version": "$Default"},
)

# A single-region trail that logs; Security Hub with a failed control finding about the
# cluster; Inspector enabled; Session Manager preferences that log to CloudWatch Logs.
s3.create_bucket(Bucket="prod-trail")
cloudtrail.create_trail(Name="management", S3BucketName="prod-trail", IsMultiRegionTrail=False)
cloudtrail.start_logging(Name="management")
securityhub.enable_security_hub(EnableDefaultStandards=False)
cluster_arn = eks.describe_cluster(name=cluster)["cluster"]["arn"]
now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
securityhub.batch_import_findings(Findings=[{
    "SchemaVersion": "2018-10-08", "Id": "eks-2-prod", "GeneratorId": "security-control/EKS.2",
    "ProductArn": f"arn:aws:securityhub:{REGION}::product/aws/securityhub",
    "AwsAccountId": "123456789012", "Types": ["Software and Configuration Checks"],
    "CreatedAt": now, "UpdatedAt": now, "Severity": {"Label": "HIGH"},
    "Title": "EKS clusters should run on a supported Kubernetes version",
    "Description": "The cluster runs an unsupported version.",
    "Resources": [{"Type": "AwsEksCluster", "Id": cluster_arn}],
    "Compliance": {"Status": "FAILED", "SecurityControlId": "EKS.2"},
    "Workflow": {"Status": "NEW"}, "RecordState": "ACTIVE",
}])
inspector2.enable(resourceTypes=["ECR", "EC2"], accountIds=["123456789012"])
ssm.create_document(
    Name="SSM-SessionManagerRunShell", DocumentType="Session", DocumentFormat="JSON",
    Content=json.dumps({"schemaVersion": "1.0", "description": "Session preferences",
                        "sessionType": "Standard_Stream",
                        "inputs": {"cloudWatchLogGroupName": "/aws/ssm/sessions",
                                   "cloudWatchEncryptionEnabled": False, "s3BucketName": ""}}),
)


# The reference snapshot, written from boto3's answers in the CLI's layout.
def strip(value):
    if isinstance(value, dict):
        return {k: strip(v) for k, v in value.items() if k not in ("ResponseMetadata",)}
    if isinstance(value, list):
        return [strip(v) for v in value]
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return value


def write(path, document):
    full = os.path.join(reference, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "w") as out:
        json.dump(strip(document), out, indent=2, sort_keys=True)


def paginate(service, operation, key, **kwargs):
    items = []
    for page in service.get_paginator(operation).paginate(**kwargs):
        items.extend(page[key])
    return items


write("aws/eks/describe-cluster.json", eks.describe_cluster(name=cluster))
groups = paginate(eks, "list_nodegroups", "nodegroups", clusterName=cluster)
write("aws/eks/list-nodegroups.json", {"nodegroups": groups})
for group in groups:
    write(f"aws/eks/nodegroups/{group}.json", eks.describe_nodegroup(clusterName=cluster, nodegroupName=group))
write("aws/eks/list-fargate-profiles.json",
      {"fargateProfileNames": paginate(eks, "list_fargate_profiles", "fargateProfileNames", clusterName=cluster)})
by_vpc = [{"Name": "vpc-id", "Values": [vpc]}]
write("aws/ec2/describe-launch-templates.json",
      {"LaunchTemplates": paginate(ec2, "describe_launch_templates", "LaunchTemplates")})
versions = ec2.describe_launch_template_versions(LaunchTemplateId=template, Versions=["1"])
write(f"aws/ec2/describe-launch-template-versions/{template}-1.json", versions)
write("aws/ec2/describe-instances.json",
      {"Reservations": paginate(ec2, "describe_instances", "Reservations", Filters=by_vpc)})
write("aws/ec2/describe-subnets.json", {"Subnets": paginate(ec2, "describe_subnets", "Subnets", Filters=by_vpc)})
write("aws/ec2/describe-route-tables.json",
      {"RouteTables": paginate(ec2, "describe_route_tables", "RouteTables", Filters=by_vpc)})
write("aws/ec2/describe-security-groups.json",
      {"SecurityGroups": paginate(ec2, "describe_security_groups", "SecurityGroups", Filters=by_vpc)})
write("aws/ec2/describe-vpc-endpoints.json",
      {"VpcEndpoints": paginate(ec2, "describe_vpc_endpoints", "VpcEndpoints", Filters=by_vpc)})
write("aws/ec2/describe-flow-logs.json", {"FlowLogs": paginate(
    ec2, "describe_flow_logs", "FlowLogs", Filters=[{"Name": "resource-id", "Values": [vpc]}])})
write("aws/ec2/get-ebs-encryption-by-default.json", ec2.get_ebs_encryption_by_default())
write("aws/ecr/describe-repositories.json",
      {"repositories": paginate(ecr, "describe_repositories", "repositories")})
write("aws/ecr/get-registry-scanning-configuration.json", ecr.get_registry_scanning_configuration())
write("aws/iam/list-open-id-connect-providers.json", iam.list_open_id_connect_providers())
for name in ["prod-eks-cluster", "prod-eks-node", "prod-eks-payments"]:
    write(f"aws/iam/roles/{name}.role.json", iam.get_role(RoleName=name))
    write(f"aws/iam/roles/{name}.attached.json", {"AttachedPolicies": paginate(
        iam, "list_attached_role_policies", "AttachedPolicies", RoleName=name)})
    inline = [iam.get_role_policy(RoleName=name, PolicyName=policy)
              for policy in paginate(iam, "list_role_policies", "PolicyNames", RoleName=name)]
    write(f"aws/iam/roles/{name}.inline.json", inline)
key_id = key.rsplit("/", 1)[-1]
write(f"aws/kms/{key_id}.describe.json", kms.describe_key(KeyId=key))
write(f"aws/kms/{key_id}.rotation.json", kms.get_key_rotation_status(KeyId=key))
write("aws/logs/describe-log-groups.json", {"logGroups": paginate(
    logs, "describe_log_groups", "logGroups", logGroupNamePrefix=f"/aws/eks/{cluster}/")})
detectors = paginate(guardduty, "list_detectors", "DetectorIds")
write("aws/guardduty/list-detectors.json", {"DetectorIds": detectors})
write("aws/guardduty/get-detector.json", guardduty.get_detector(DetectorId=detectors[0]))

# Calls a user's CLI would see fail (moto does not implement them, or the resource has no such
# policy): their errors go to the manifest, as a hand-written snapshot's would.
failed = []


def attempt(file, call):
    try:
        write(file, call())
    except Exception as error:  # botocore's ClientError and the parse errors of unimplemented calls
        failed.append({"call": file, "file": file, "error": str(error)})


write("aws/autoscaling/describe-auto-scaling-groups.json", {"AutoScalingGroups": paginate(
    autoscaling, "describe_auto_scaling_groups", "AutoScalingGroups",
    AutoScalingGroupNames=[g["name"] for group in groups for g in eks.describe_nodegroup(
        clusterName=cluster, nodegroupName=group)["nodegroup"]["resources"]["autoScalingGroups"]])})
versions = ec2.describe_launch_template_versions(LaunchTemplateId=hidden, Versions=["$Default"])
number = versions["LaunchTemplateVersions"][0]["VersionNumber"]
write(f"aws/ec2/describe-launch-template-versions/{hidden}-{number}.json", versions)
write("aws/ec2/describe-vpcs.json", {"Vpcs": paginate(ec2, "describe_vpcs", "Vpcs", VpcIds=[vpc])})
write("aws/ec2/describe-network-interfaces.json", {"NetworkInterfaces": paginate(
    ec2, "describe_network_interfaces", "NetworkInterfaces", Filters=by_vpc)})
scan = ecr.describe_image_scan_findings(repositoryName="checkout/cart", imageId={"imageTag": "v1"})
write("aws/ecr/image-scan-findings/checkout/cart/v1.json", scan)
attempt("aws/ecr/image-scan-findings/checkout/orders/latest.json", lambda: ecr.describe_image_scan_findings(
    repositoryName="checkout/orders", imageId={"imageTag": "latest"}))
for repository in ["checkout/cart", "checkout/orders"]:
    attempt(f"aws/ecr/lifecycle-policies/{repository}.json",
            lambda: ecr.get_lifecycle_policy(repositoryName=repository))
    attempt(f"aws/ecr/repository-policies/{repository}.json",
            lambda: ecr.get_repository_policy(repositoryName=repository))
attempt("aws/eks/identity-provider-configs/", lambda: eks.list_identity_provider_configs(clusterName=cluster))
trails = cloudtrail.describe_trails()["trailList"]
for trail in trails:
    trail["IsLogging"] = cloudtrail.get_trail_status(Name=trail["TrailARN"])["IsLogging"]
write("aws/cloudtrail/describe-trails.json", {"trailList": trails})
write("aws/securityhub/describe-hub.json", securityhub.describe_hub())
write("aws/securityhub/get-findings.json", {"Findings": paginate(securityhub, "get_findings", "Findings")})
attempt("aws/securityhub/get-enabled-standards.json", lambda: securityhub.get_enabled_standards())
attempt("aws/securityhub/batch-get-security-controls.json",
        lambda: securityhub.list_security_control_definitions())
write("aws/inspector2/batch-get-account-status.json", inspector2.batch_get_account_status(accountIds=["123456789012"]))
write("aws/inspector2/list-findings.json", {"findings": paginate(inspector2, "list_findings", "findings")})
attempt("aws/ssm/describe-instance-information.json", lambda: ssm.describe_instance_information())
write("aws/ssm/get-document/SSM-SessionManagerRunShell.json",
      ssm.get_document(Name="SSM-SessionManagerRunShell"))
write("manifest.json", {"tool": "aws-cli", "cluster": cluster, "region": REGION, "calls": [], "failed": failed})
print(json.dumps({"vpc": vpc, "template": template, "key": key}))
