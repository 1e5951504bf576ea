//! `aws eks …`: the cluster, node groups, add-ons, access entries, pod identity associations
//! and Fargate profiles (camelCase, as on the wire).

use aws_sdk_eks::Client;
use aws_sdk_eks::types::{
    AccessConfigResponse, AccessEntry, AccessScope, Addon, AddonHealth, AddonInfo, AddonIssue,
    AddonVersionInfo, AssociatedAccessPolicy, Cluster, ClusterHealth, ClusterIssue,
    ClusterVersionInformation, Compatibility, ComputeConfigResponse, ElasticLoadBalancing,
    EncryptionConfig, FargateProfile, Identity, IdentityProviderConfigResponse, InsightStatus,
    InsightSummary, Issue, KubernetesNetworkConfigResponse, LaunchTemplateSpecification, LogSetup,
    Logging, Nodegroup, NodegroupHealth, NodegroupResources, Oidc, OidcIdentityProviderConfig,
    PodIdentityAssociation, PodIdentityAssociationSummary, Provider, RemoteAccessConfig,
    StorageConfigResponse, UpgradePolicyResponse, VpcConfigResponse,
};

use super::Context;
use super::convert::{cli, text, texts, to_json};
use crate::safe_file_name;

to_json! {
    Cluster => |c| cli! {
        "name" => c.name, "arn" => c.arn, "version" => c.version,
        "platformVersion" => c.platform_version, "status" => text(&c.status),
        "roleArn" => c.role_arn, "endpoint" => c.endpoint,
        "resourcesVpcConfig" => c.resources_vpc_config,
        "kubernetesNetworkConfig" => c.kubernetes_network_config,
        "logging" => c.logging, "identity" => c.identity,
        "encryptionConfig" => c.encryption_config, "health" => c.health,
        "accessConfig" => c.access_config, "upgradePolicy" => c.upgrade_policy,
        "computeConfig" => c.compute_config, "storageConfig" => c.storage_config,
        "deletionProtection" => c.deletion_protection, "tags" => c.tags,
    };
    VpcConfigResponse => |v| cli! {
        "subnetIds" => v.subnet_ids, "securityGroupIds" => v.security_group_ids,
        "clusterSecurityGroupId" => v.cluster_security_group_id, "vpcId" => v.vpc_id,
        "endpointPublicAccess" => v.endpoint_public_access,
        "endpointPrivateAccess" => v.endpoint_private_access,
        "publicAccessCidrs" => v.public_access_cidrs,
    };
    KubernetesNetworkConfigResponse => |k| cli! {
        "serviceIpv4Cidr" => k.service_ipv4_cidr, "serviceIpv6Cidr" => k.service_ipv6_cidr,
        "ipFamily" => text(&k.ip_family), "elasticLoadBalancing" => k.elastic_load_balancing,
    };
    ElasticLoadBalancing => |e| cli! { "enabled" => e.enabled };
    Logging => |l| cli! { "clusterLogging" => l.cluster_logging };
    LogSetup => |l| cli! { "types" => texts(&l.types), "enabled" => l.enabled };
    Identity => |i| cli! { "oidc" => i.oidc };
    Oidc => |o| cli! { "issuer" => o.issuer };
    EncryptionConfig => |e| cli! { "resources" => e.resources, "provider" => e.provider };
    Provider => |p| cli! { "keyArn" => p.key_arn };
    ClusterHealth => |h| cli! { "issues" => h.issues };
    ClusterIssue => |i| cli! {
        "code" => text(&i.code), "message" => i.message, "resourceIds" => i.resource_ids,
    };
    AccessConfigResponse => |a| cli! {
        "bootstrapClusterCreatorAdminPermissions" => a.bootstrap_cluster_creator_admin_permissions,
        "authenticationMode" => text(&a.authentication_mode),
    };
    UpgradePolicyResponse => |u| cli! { "supportType" => text(&u.support_type) };
    ComputeConfigResponse => |c| cli! {
        "enabled" => c.enabled, "nodePools" => c.node_pools, "nodeRoleArn" => c.node_role_arn,
    };
    StorageConfigResponse => |s| cli! {
        "blockStorage" => s.block_storage.as_ref().map(|b| cli! { "enabled" => b.enabled }),
    };
    Nodegroup => |n| cli! {
        "nodegroupName" => n.nodegroup_name, "nodegroupArn" => n.nodegroup_arn,
        "clusterName" => n.cluster_name, "version" => n.version,
        "releaseVersion" => n.release_version, "status" => text(&n.status),
        "capacityType" => text(&n.capacity_type), "instanceTypes" => n.instance_types,
        "subnets" => n.subnets, "remoteAccess" => n.remote_access,
        "amiType" => text(&n.ami_type), "nodeRole" => n.node_role, "labels" => n.labels,
        "resources" => n.resources, "diskSize" => n.disk_size, "health" => n.health,
        "launchTemplate" => n.launch_template, "tags" => n.tags,
    };
    RemoteAccessConfig => |r| cli! {
        "ec2SshKey" => r.ec2_ssh_key, "sourceSecurityGroups" => r.source_security_groups,
    };
    NodegroupResources => |r| cli! {
        "autoScalingGroups" => r.auto_scaling_groups.as_ref().map(|groups| groups
            .iter()
            .map(|group| cli! { "name" => group.name })
            .collect::<Vec<_>>()),
        "remoteAccessSecurityGroup" => r.remote_access_security_group,
    };
    NodegroupHealth => |h| cli! { "issues" => h.issues };
    Issue => |i| cli! {
        "code" => text(&i.code), "message" => i.message, "resourceIds" => i.resource_ids,
    };
    LaunchTemplateSpecification => |l| cli! { "name" => l.name, "version" => l.version, "id" => l.id };
    Addon => |a| cli! {
        "addonName" => a.addon_name, "clusterName" => a.cluster_name,
        "status" => text(&a.status), "addonVersion" => a.addon_version, "health" => a.health,
        "addonArn" => a.addon_arn, "serviceAccountRoleArn" => a.service_account_role_arn,
        "tags" => a.tags, "configurationValues" => a.configuration_values,
        "podIdentityAssociations" => a.pod_identity_associations,
    };
    AddonHealth => |h| cli! { "issues" => h.issues };
    AddonIssue => |i| cli! {
        "code" => text(&i.code), "message" => i.message, "resourceIds" => i.resource_ids,
    };
    AccessEntry => |a| cli! {
        "clusterName" => a.cluster_name, "principalArn" => a.principal_arn,
        "kubernetesGroups" => a.kubernetes_groups, "accessEntryArn" => a.access_entry_arn,
        "tags" => a.tags, "username" => a.username, "type" => a.r#type,
    };
    AssociatedAccessPolicy => |a| cli! { "policyArn" => a.policy_arn, "accessScope" => a.access_scope };
    AccessScope => |a| cli! { "type" => text(&a.r#type), "namespaces" => a.namespaces };
    PodIdentityAssociationSummary => |p| cli! {
        "clusterName" => p.cluster_name, "namespace" => p.namespace,
        "serviceAccount" => p.service_account, "associationArn" => p.association_arn,
        "associationId" => p.association_id, "ownerArn" => p.owner_arn,
    };
    PodIdentityAssociation => |p| cli! {
        "clusterName" => p.cluster_name, "namespace" => p.namespace,
        "serviceAccount" => p.service_account, "roleArn" => p.role_arn,
        "associationArn" => p.association_arn, "associationId" => p.association_id,
        "tags" => p.tags, "ownerArn" => p.owner_arn, "targetRoleArn" => p.target_role_arn,
        "policy" => p.policy,
    };
    InsightSummary => |i| cli! {
        "id" => i.id, "name" => i.name, "category" => text(&i.category),
        "kubernetesVersion" => i.kubernetes_version, "lastRefreshTime" => i.last_refresh_time,
        "lastTransitionTime" => i.last_transition_time, "description" => i.description,
        "insightStatus" => i.insight_status,
    };
    InsightStatus => |s| cli! { "status" => text(&s.status), "reason" => s.reason };
    ClusterVersionInformation => |v| cli! {
        "clusterVersion" => v.cluster_version, "clusterType" => v.cluster_type,
        "defaultPlatformVersion" => v.default_platform_version,
        "defaultVersion" => v.default_version, "releaseDate" => v.release_date,
        "endOfStandardSupportDate" => v.end_of_standard_support_date,
        "endOfExtendedSupportDate" => v.end_of_extended_support_date,
        "versionStatus" => text(&v.version_status),
        "kubernetesPatchVersion" => v.kubernetes_patch_version,
    };
    AddonInfo => |a| cli! {
        "addonName" => a.addon_name, "type" => a.r#type, "addonVersions" => a.addon_versions,
        "publisher" => a.publisher, "owner" => a.owner,
    };
    AddonVersionInfo => |v| cli! {
        "addonVersion" => v.addon_version, "architecture" => v.architecture,
        "compatibilities" => v.compatibilities,
    };
    Compatibility => |c| cli! {
        "clusterVersion" => c.cluster_version, "platformVersions" => c.platform_versions,
        "defaultVersion" => c.default_version,
    };
    IdentityProviderConfigResponse => |c| cli! { "oidc" => c.oidc };
    OidcIdentityProviderConfig => |o| cli! {
        "identityProviderConfigName" => o.identity_provider_config_name,
        "identityProviderConfigArn" => o.identity_provider_config_arn,
        "clusterName" => o.cluster_name, "issuerUrl" => o.issuer_url, "clientId" => o.client_id,
        "usernameClaim" => o.username_claim, "usernamePrefix" => o.username_prefix,
        "groupsClaim" => o.groups_claim, "groupsPrefix" => o.groups_prefix,
        "requiredClaims" => o.required_claims, "status" => text(&o.status), "tags" => o.tags,
    };
    FargateProfile => |f| cli! {
        "fargateProfileName" => f.fargate_profile_name, "fargateProfileArn" => f.fargate_profile_arn,
        "clusterName" => f.cluster_name, "podExecutionRoleArn" => f.pod_execution_role_arn,
        "subnets" => f.subnets, "status" => text(&f.status), "tags" => f.tags,
    };
}

/// `describe-cluster.json`.
pub async fn describe_cluster(context: &Context<'_>) -> Option<Cluster> {
    let client = Client::new(context.config);
    context
        .fetch(
            "eks:DescribeCluster",
            "aws/eks/describe-cluster.json",
            client.describe_cluster().name(context.cluster).send(),
            |output| cli! { "cluster" => output.cluster },
        )
        .await
        .and_then(|output| output.cluster)
}

/// What the EC2 and IAM collectors need from the EKS answers.
#[derive(Debug, Default)]
pub struct Referenced {
    /// Role ARNs of node groups, add-ons, pod identity associations and Fargate profiles.
    pub roles: Vec<String>,
    /// Launch templates of node groups.
    pub templates: Vec<LaunchTemplateSpecification>,
    /// Auto Scaling groups of node groups.
    pub auto_scaling_groups: Vec<String>,
}

/// Everything below `aws/eks/` other than the cluster itself; `version` is the cluster's
/// Kubernetes version (for the add-on versions compatible with it).
pub async fn collect(context: &Context<'_>, version: Option<&str>) -> Referenced {
    let client = Client::new(context.config);
    let (groups, addons, (), associations, profiles, (), ()) = tokio::join!(
        nodegroups(context, &client),
        addons(context, &client),
        access_entries(context, &client),
        pod_identity(context, &client),
        fargate(context, &client),
        insights_and_versions(context, &client),
        identity_provider_configs(context, &client),
    );
    addon_versions(context, &client, &addons, version).await;
    let mut referenced = Referenced::default();
    for group in groups {
        referenced.roles.extend(group.node_role);
        referenced.templates.extend(group.launch_template);
        referenced.auto_scaling_groups.extend(
            group
                .resources
                .iter()
                .flat_map(|resources| resources.auto_scaling_groups())
                .filter_map(|group| group.name.clone()),
        );
    }
    for addon in addons {
        referenced.roles.extend(addon.service_account_role_arn);
    }
    for association in associations {
        referenced.roles.extend(association.role_arn);
        referenced.roles.extend(association.target_role_arn);
    }
    for profile in profiles {
        referenced.roles.extend(profile.pod_execution_role_arn);
    }
    referenced
}

async fn nodegroups(context: &Context<'_>, client: &Client) -> Vec<Nodegroup> {
    let names = context
        .fetch(
            "eks:ListNodegroups",
            "aws/eks/list-nodegroups.json",
            client
                .list_nodegroups()
                .cluster_name(context.cluster)
                .into_paginator()
                .items()
                .send()
                .try_collect(),
            |names| cli! { "nodegroups" => names },
        )
        .await
        .unwrap_or_default();
    context
        .collect_each(names, |name| async move {
            let file = format!("aws/eks/nodegroups/{}.json", safe_file_name(&name));
            context
                .fetch(
                    "eks:DescribeNodegroup",
                    &file,
                    client
                        .describe_nodegroup()
                        .cluster_name(context.cluster)
                        .nodegroup_name(&name)
                        .send(),
                    |output| cli! { "nodegroup" => output.nodegroup },
                )
                .await
                .and_then(|output| output.nodegroup)
        })
        .await
}

async fn addons(context: &Context<'_>, client: &Client) -> Vec<Addon> {
    let names = context
        .fetch(
            "eks:ListAddons",
            "aws/eks/list-addons.json",
            client
                .list_addons()
                .cluster_name(context.cluster)
                .into_paginator()
                .items()
                .send()
                .try_collect(),
            |names| cli! { "addons" => names },
        )
        .await
        .unwrap_or_default();
    context
        .collect_each(names, |name| async move {
            let file = format!("aws/eks/addons/{}.json", safe_file_name(&name));
            context
                .fetch(
                    "eks:DescribeAddon",
                    &file,
                    client
                        .describe_addon()
                        .cluster_name(context.cluster)
                        .addon_name(&name)
                        .send(),
                    |output| cli! { "addon" => output.addon },
                )
                .await
                .and_then(|output| output.addon)
        })
        .await
}

async fn access_entries(context: &Context<'_>, client: &Client) {
    let principals = context
        .fetch(
            "eks:ListAccessEntries",
            "aws/eks/list-access-entries.json",
            client
                .list_access_entries()
                .cluster_name(context.cluster)
                .into_paginator()
                .items()
                .send()
                .try_collect(),
            |principals| cli! { "accessEntries" => principals },
        )
        .await
        .unwrap_or_default();
    context
        .each(principals, |principal| async move {
            let stem = format!("aws/eks/access-entries/{}", safe_file_name(&principal));
            context
                .fetch(
                    "eks:DescribeAccessEntry",
                    &format!("{stem}.describe.json"),
                    client
                        .describe_access_entry()
                        .cluster_name(context.cluster)
                        .principal_arn(&principal)
                        .send(),
                    |output| cli! { "accessEntry" => output.access_entry },
                )
                .await;
            context
                .fetch(
                    "eks:ListAssociatedAccessPolicies",
                    &format!("{stem}.policies.json"),
                    client
                        .list_associated_access_policies()
                        .cluster_name(context.cluster)
                        .principal_arn(&principal)
                        .into_paginator()
                        .items()
                        .send()
                        .try_collect(),
                    |policies| {
                        cli! {
                            "clusterName" => context.cluster,
                            "principalArn" => principal,
                            "associatedAccessPolicies" => policies,
                        }
                    },
                )
                .await;
        })
        .await;
}

async fn pod_identity(context: &Context<'_>, client: &Client) -> Vec<PodIdentityAssociation> {
    let summaries = context
        .fetch(
            "eks:ListPodIdentityAssociations",
            "aws/eks/list-pod-identity-associations.json",
            client
                .list_pod_identity_associations()
                .cluster_name(context.cluster)
                .into_paginator()
                .items()
                .send()
                .try_collect(),
            |associations| cli! { "associations" => associations },
        )
        .await
        .unwrap_or_default();
    let ids = summaries
        .into_iter()
        .filter_map(|summary| summary.association_id);
    context
        .collect_each(ids, |id| async move {
            let file = format!("aws/eks/pod-identity/{}.json", safe_file_name(&id));
            context
                .fetch(
                    "eks:DescribePodIdentityAssociation",
                    &file,
                    client
                        .describe_pod_identity_association()
                        .cluster_name(context.cluster)
                        .association_id(&id)
                        .send(),
                    |output| cli! { "association" => output.association },
                )
                .await
                .and_then(|output| output.association)
        })
        .await
}

async fn fargate(context: &Context<'_>, client: &Client) -> Vec<FargateProfile> {
    let names = context
        .fetch(
            "eks:ListFargateProfiles",
            "aws/eks/list-fargate-profiles.json",
            client
                .list_fargate_profiles()
                .cluster_name(context.cluster)
                .into_paginator()
                .items()
                .send()
                .try_collect(),
            |names| cli! { "fargateProfileNames" => names },
        )
        .await
        .unwrap_or_default();
    context
        .collect_each(names, |name| async move {
            let file = format!("aws/eks/fargate/{}.json", safe_file_name(&name));
            context
                .fetch(
                    "eks:DescribeFargateProfile",
                    &file,
                    client
                        .describe_fargate_profile()
                        .cluster_name(context.cluster)
                        .fargate_profile_name(&name)
                        .send(),
                    |output| cli! { "fargateProfile" => output.fargate_profile },
                )
                .await
                .and_then(|output| output.fargate_profile)
        })
        .await
}

/// `identity-provider-configs/<name>.json` for each OIDC identity provider associated with the
/// cluster. A failed list is recorded against the directory, so the check reading it reports
/// UNKNOWN; an empty one is noted there, so the check knows there is nothing to judge.
async fn identity_provider_configs(context: &Context<'_>, client: &Client) {
    let directory = "aws/eks/identity-provider-configs/";
    let listed = {
        let _permit = context.permits.acquire().await;
        client
            .list_identity_provider_configs()
            .cluster_name(context.cluster)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
    };
    let configs = match listed {
        Ok(configs) => configs,
        Err(error) => {
            let text = super::ErrorText::text(&error);
            context
                .recorder
                .fail("eks:ListIdentityProviderConfigs", directory, &text);
            return;
        }
    };
    if configs.is_empty() {
        context.recorder.note(
            "eks:ListIdentityProviderConfigs",
            directory,
            "the cluster has no identity provider configuration",
        );
        return;
    }
    context
        .each(configs, |config| async move {
            let file = format!("{directory}{}.json", safe_file_name(&config.name));
            context
                .fetch(
                    "eks:DescribeIdentityProviderConfig",
                    &file,
                    client
                        .describe_identity_provider_config()
                        .cluster_name(context.cluster)
                        .identity_provider_config(config)
                        .send(),
                    |output| cli! { "identityProviderConfig" => output.identity_provider_config },
                )
                .await;
        })
        .await;
}

/// `list-insights.json` (upgrade and configuration insights) and
/// `describe-cluster-versions.json` (every version's support status and dates).
async fn insights_and_versions(context: &Context<'_>, client: &Client) {
    tokio::join!(
        context.fetch(
            "eks:ListInsights",
            "aws/eks/list-insights.json",
            client
                .list_insights()
                .cluster_name(context.cluster)
                .into_paginator()
                .items()
                .send()
                .try_collect(),
            |insights| cli! { "insights" => insights },
        ),
        context.fetch(
            "eks:DescribeClusterVersions",
            "aws/eks/describe-cluster-versions.json",
            client
                .describe_cluster_versions()
                .include_all(true)
                .into_paginator()
                .items()
                .send()
                .try_collect(),
            |versions| cli! { "clusterVersions" => versions },
        ),
    );
}

/// `describe-addon-versions.json` for the installed add-ons, limited to the versions
/// compatible with the cluster's Kubernetes version when it is known.
async fn addon_versions(
    context: &Context<'_>,
    client: &Client,
    addons: &[Addon],
    version: Option<&str>,
) {
    let names: Vec<&str> = addons
        .iter()
        .filter_map(|addon| addon.addon_name.as_deref())
        .collect();
    if names.is_empty() {
        return;
    }
    let found = std::sync::Mutex::new(Vec::new());
    let failed = std::sync::Mutex::new(Vec::new());
    context
        .each(names, |name| {
            let (found, failed) = (&found, &failed);
            async move {
                let request = client
                    .describe_addon_versions()
                    .addon_name(name)
                    .set_kubernetes_version(version.map(str::to_string))
                    .into_paginator()
                    .items()
                    .send()
                    .try_collect();
                let result = {
                    let _permit = context.permits.acquire().await;
                    request.await
                };
                match result {
                    Ok(infos) => lock(found).extend(infos),
                    Err(error) => {
                        lock(failed).push(format!("{name}: {}", super::ErrorText::text(&error)))
                    }
                }
            }
        })
        .await;
    let failed = into_inner(failed);
    let file = "aws/eks/describe-addon-versions.json";
    if failed.is_empty() {
        let mut found = into_inner(found);
        found.sort_by(|a, b| a.addon_name.cmp(&b.addon_name));
        context.recorder.write(
            "eks:DescribeAddonVersions",
            file,
            &cli! { "addons" => found },
        );
    } else {
        context
            .recorder
            .fail("eks:DescribeAddonVersions", file, &failed.join("; "));
    }
}

pub(crate) fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

pub(crate) fn into_inner<T>(mutex: std::sync::Mutex<T>) -> T {
    mutex
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
