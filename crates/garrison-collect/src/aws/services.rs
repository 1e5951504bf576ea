//! ECR, CloudWatch Logs, KMS and GuardDuty.

use aws_sdk_cloudwatchlogs::types::LogGroup;
use aws_sdk_ecr::types::{
    EncryptionConfiguration, ImageScanningConfiguration, RegistryScanningConfiguration,
    RegistryScanningRule, Repository, ScanningRepositoryFilter,
};
use aws_sdk_guardduty::types::{
    DataSourceConfigurationsResult, DetectorAdditionalConfigurationResult,
    DetectorFeatureConfigurationResult, KubernetesAuditLogsConfigurationResult,
    KubernetesConfigurationResult,
};
use aws_sdk_kms::types::KeyMetadata;

use super::Context;
use super::convert::{cli, name, text, to_json};
use crate::safe_file_name;

to_json! {
    Repository => |r| cli! {
        "repositoryArn" => r.repository_arn, "registryId" => r.registry_id,
        "repositoryName" => r.repository_name, "repositoryUri" => r.repository_uri,
        "imageTagMutability" => text(&r.image_tag_mutability),
        "imageScanningConfiguration" => r.image_scanning_configuration,
        "encryptionConfiguration" => r.encryption_configuration,
    };
    ImageScanningConfiguration => |c| cli! { "scanOnPush" => c.scan_on_push };
    EncryptionConfiguration => |c| cli! {
        "encryptionType" => name(&c.encryption_type), "kmsKey" => c.kms_key,
    };
    RegistryScanningConfiguration => |c| cli! { "scanType" => text(&c.scan_type), "rules" => c.rules };
    RegistryScanningRule => |r| cli! {
        "scanFrequency" => name(&r.scan_frequency), "repositoryFilters" => r.repository_filters,
    };
    ScanningRepositoryFilter => |f| cli! { "filter" => f.filter, "filterType" => name(&f.filter_type) };
    LogGroup => |g| cli! {
        "logGroupName" => g.log_group_name, "creationTime" => g.creation_time,
        "retentionInDays" => g.retention_in_days, "metricFilterCount" => g.metric_filter_count,
        "arn" => g.arn, "storedBytes" => g.stored_bytes, "kmsKeyId" => g.kms_key_id,
        "logGroupClass" => text(&g.log_group_class), "logGroupArn" => g.log_group_arn,
    };
    KeyMetadata => |k| cli! {
        "AWSAccountId" => k.aws_account_id, "KeyId" => k.key_id, "Arn" => k.arn,
        "CreationDate" => k.creation_date, "Enabled" => k.enabled,
        "Description" => k.description, "KeyUsage" => text(&k.key_usage),
        "KeyState" => text(&k.key_state), "DeletionDate" => k.deletion_date,
        "Origin" => text(&k.origin), "KeyManager" => text(&k.key_manager),
        "KeySpec" => text(&k.key_spec),
    };
    DataSourceConfigurationsResult => |d| cli! { "Kubernetes" => d.kubernetes };
    KubernetesConfigurationResult => |k| cli! { "AuditLogs" => k.audit_logs };
    KubernetesAuditLogsConfigurationResult => |a| cli! { "Status" => text(&a.status) };
    DetectorFeatureConfigurationResult => |f| cli! {
        "Name" => text(&f.name), "Status" => text(&f.status),
        "AdditionalConfiguration" => f.additional_configuration,
    };
    DetectorAdditionalConfigurationResult => |c| cli! {
        "Name" => text(&c.name), "Status" => text(&c.status),
    };
}

pub async fn collect(context: &Context<'_>, cluster: Option<&aws_sdk_eks::types::Cluster>) {
    let mut keys: Vec<String> = cluster
        .map(|cluster| cluster.encryption_config())
        .unwrap_or_default()
        .iter()
        .filter_map(|config| config.provider.as_ref()?.key_arn.clone())
        .collect();
    let (groups, (), ()) = tokio::join!(logs(context), ecr(context), guardduty(context));
    keys.extend(groups.into_iter().filter_map(|group| group.kms_key_id));
    keys.sort();
    keys.dedup();
    kms(context, keys).await;
}

async fn ecr(context: &Context<'_>) {
    let client = aws_sdk_ecr::Client::new(context.config);
    tokio::join!(
        context.fetch(
            "ecr:DescribeRepositories",
            "aws/ecr/describe-repositories.json",
            client
                .describe_repositories()
                .into_paginator()
                .items()
                .send()
                .try_collect(),
            |repositories| cli! { "repositories" => repositories },
        ),
        context.fetch(
            "ecr:GetRegistryScanningConfiguration",
            "aws/ecr/get-registry-scanning-configuration.json",
            client.get_registry_scanning_configuration().send(),
            |output| cli! {
                "registryId" => output.registry_id,
                "scanningConfiguration" => output.scanning_configuration,
            },
        ),
    );
}

/// The cluster's control-plane log groups (`/aws/eks/<cluster>/`).
async fn logs(context: &Context<'_>) -> Vec<LogGroup> {
    let client = aws_sdk_cloudwatchlogs::Client::new(context.config);
    context
        .fetch(
            "logs:DescribeLogGroups",
            "aws/logs/describe-log-groups.json",
            client
                .describe_log_groups()
                .log_group_name_prefix(format!("/aws/eks/{}/", context.cluster))
                .into_paginator()
                .items()
                .send()
                .try_collect(),
            |groups| cli! { "logGroups" => groups },
        )
        .await
        .unwrap_or_default()
}

/// `kms/<key id>.describe.json` and `.rotation.json` for each key the cluster uses.
async fn kms(context: &Context<'_>, keys: Vec<String>) {
    let client = aws_sdk_kms::Client::new(context.config);
    context
        .each(keys, |key| {
            let client = &client;
            async move {
                let id = safe_file_name(key.rsplit('/').next().unwrap_or(&key));
                let describe_file = format!("aws/kms/{id}.describe.json");
                let rotation_file = format!("aws/kms/{id}.rotation.json");
                tokio::join!(
                    context.fetch(
                        "kms:DescribeKey",
                        &describe_file,
                        client.describe_key().key_id(&key).send(),
                        |output| cli! { "KeyMetadata" => output.key_metadata },
                    ),
                    context.fetch(
                        "kms:GetKeyRotationStatus",
                        &rotation_file,
                        client.get_key_rotation_status().key_id(&key).send(),
                        |output| cli! {
                            "KeyRotationEnabled" => output.key_rotation_enabled,
                            "KeyId" => output.key_id,
                            "RotationPeriodInDays" => output.rotation_period_in_days,
                        },
                    ),
                );
            }
        })
        .await;
}

// `DataSources` is deprecated in favour of `Features`, but older detectors and the snapshot
// model still read the Kubernetes audit-log source from it.
#[allow(deprecated)]
async fn guardduty(context: &Context<'_>) {
    let client = aws_sdk_guardduty::Client::new(context.config);
    let detectors = context
        .fetch(
            "guardduty:ListDetectors",
            "aws/guardduty/list-detectors.json",
            client
                .list_detectors()
                .into_paginator()
                .items()
                .send()
                .try_collect(),
            |ids| cli! { "DetectorIds" => ids },
        )
        .await
        .unwrap_or_default();
    // One detector per account and region.
    if let Some(id) = detectors.first() {
        context
            .fetch(
                "guardduty:GetDetector",
                "aws/guardduty/get-detector.json",
                client.get_detector().detector_id(id).send(),
                |output| {
                    cli! {
                        "CreatedAt" => output.created_at,
                        "FindingPublishingFrequency" => text(&output.finding_publishing_frequency),
                        "ServiceRole" => output.service_role, "Status" => text(&output.status),
                        "UpdatedAt" => output.updated_at, "DataSources" => output.data_sources,
                        "Tags" => output.tags, "Features" => output.features,
                    }
                },
            )
            .await;
    }
}
