//! ECR, CloudWatch Logs, KMS and GuardDuty (the detector, the cluster's findings and its
//! runtime coverage).

use aws_sdk_cloudwatchlogs::types::LogGroup;
use aws_sdk_ecr::types::{
    EncryptionConfiguration, ImageScanningConfiguration, RegistryScanningConfiguration,
    RegistryScanningRule, Repository, ScanningRepositoryFilter, SigningConfiguration,
    SigningRepositoryFilter, SigningRule,
};
use aws_sdk_guardduty::types::{
    Condition, CoverageEksClusterDetails, CoverageFilterCondition, CoverageFilterCriteria,
    CoverageFilterCriterion, CoverageFilterCriterionKey, CoverageResource, CoverageResourceDetails,
    DataSourceConfigurationsResult, DetectorAdditionalConfigurationResult,
    DetectorFeatureConfigurationResult, EksClusterDetails, Finding, FindingCriteria,
    KubernetesAuditLogsConfigurationResult, KubernetesConfigurationResult,
    Resource as FindingResource, Service as FindingService,
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
    SigningConfiguration => |c| cli! { "rules" => c.rules };
    SigningRule => |r| cli! {
        "signingProfileArn" => r.signing_profile_arn, "repositoryFilters" => r.repository_filters,
    };
    SigningRepositoryFilter => |f| cli! { "filter" => f.filter, "filterType" => name(&f.filter_type) };
    // The members the snapshot model reads, and what identifies a finding to a reader.
    Finding => |f| cli! {
        "AccountId" => f.account_id, "Arn" => f.arn, "Id" => f.id, "Type" => f.r#type,
        "Severity" => f.severity, "Title" => f.title, "Description" => f.description,
        "CreatedAt" => f.created_at, "UpdatedAt" => f.updated_at, "Region" => f.region,
        "Resource" => f.resource, "Service" => f.service,
    };
    FindingResource => |r| cli! {
        "ResourceType" => r.resource_type, "EksClusterDetails" => r.eks_cluster_details,
    };
    EksClusterDetails => |d| cli! {
        "Name" => d.name, "Arn" => d.arn, "VpcId" => d.vpc_id, "Status" => d.status,
    };
    FindingService => |s| cli! {
        "Archived" => s.archived, "Count" => s.count, "DetectorId" => s.detector_id,
        "EventFirstSeen" => s.event_first_seen, "EventLastSeen" => s.event_last_seen,
        "FeatureName" => s.feature_name, "ServiceName" => s.service_name,
    };
    CoverageResource => |c| cli! {
        "ResourceId" => c.resource_id, "DetectorId" => c.detector_id,
        "AccountId" => c.account_id, "ResourceDetails" => c.resource_details,
        "CoverageStatus" => text(&c.coverage_status), "Issue" => c.issue,
        "UpdatedAt" => c.updated_at,
    };
    CoverageResourceDetails => |d| cli! {
        "ResourceType" => text(&d.resource_type), "EksClusterDetails" => d.eks_cluster_details,
    };
    CoverageEksClusterDetails => |d| cli! {
        "ClusterName" => d.cluster_name, "CoveredNodes" => d.covered_nodes,
        "CompatibleNodes" => d.compatible_nodes, "ManagementType" => text(&d.management_type),
    };
}

/// Returns the repositories `describe-repositories` listed (for their policies).
pub async fn collect(
    context: &Context<'_>,
    cluster: Option<&aws_sdk_eks::types::Cluster>,
) -> Vec<Repository> {
    let mut keys: Vec<String> = cluster
        .map(|cluster| cluster.encryption_config())
        .unwrap_or_default()
        .iter()
        .filter_map(|config| config.provider.as_ref()?.key_arn.clone())
        .collect();
    let (groups, repositories, ()) = tokio::join!(logs(context), ecr(context), guardduty(context));
    keys.extend(groups.into_iter().filter_map(|group| group.kms_key_id));
    keys.sort();
    keys.dedup();
    kms(context, keys).await;
    repositories
}

async fn ecr(context: &Context<'_>) -> Vec<Repository> {
    let client = aws_sdk_ecr::Client::new(context.config);
    let (repositories, _, _) = tokio::join!(
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
            "ecr:GetSigningConfiguration",
            "aws/ecr/get-signing-configuration.json",
            client.get_signing_configuration().send(),
            |output| cli! {
                "registryId" => output.registry_id,
                "signingConfiguration" => output.signing_configuration,
            },
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
    repositories.unwrap_or_default()
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
        tokio::join!(
            findings(context, &client, id),
            coverage(context, &client, id)
        );
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

/// The detector's findings about this cluster (`resource.eksClusterDetails.name`): their ids
/// (`list-findings.json`), then the findings, 50 to a call, into one `get-findings.json`.
async fn findings(context: &Context<'_>, client: &aws_sdk_guardduty::Client, detector: &str) {
    let criteria = FindingCriteria::builder()
        .criterion(
            "resource.eksClusterDetails.name",
            Condition::builder().equals(context.cluster).build(),
        )
        .build();
    let ids = context
        .fetch(
            "guardduty:ListFindings",
            "aws/guardduty/list-findings.json",
            client
                .list_findings()
                .detector_id(detector)
                .finding_criteria(criteria)
                .into_paginator()
                .items()
                .send()
                .try_collect(),
            |ids| cli! { "FindingIds" => ids },
        )
        .await;
    let file = "aws/guardduty/get-findings.json";
    let Some(ids) = ids else {
        context.recorder.fail(
            "guardduty:GetFindings",
            file,
            "not asked: guardduty:ListFindings failed (see aws/guardduty/list-findings.json)",
        );
        return;
    };
    let mut found = Vec::new();
    for chunk in ids.chunks(50) {
        let result = {
            let _permit = context.permits.acquire().await;
            client
                .get_findings()
                .detector_id(detector)
                .set_finding_ids(Some(chunk.to_vec()))
                .send()
                .await
        };
        match result {
            Ok(output) => found.extend(output.findings.unwrap_or_default()),
            Err(error) => {
                context.recorder.fail(
                    "guardduty:GetFindings",
                    file,
                    &super::ErrorText::text(&error),
                );
                return;
            }
        }
    }
    context
        .recorder
        .write("guardduty:GetFindings", file, &cli! { "Findings" => found });
}

/// Runtime Monitoring's coverage of this cluster (`list-coverage.json`).
async fn coverage(context: &Context<'_>, client: &aws_sdk_guardduty::Client, detector: &str) {
    let criteria = CoverageFilterCriteria::builder()
        .filter_criterion(
            CoverageFilterCriterion::builder()
                .criterion_key(CoverageFilterCriterionKey::ClusterName)
                .filter_condition(
                    CoverageFilterCondition::builder()
                        .equals(context.cluster)
                        .build(),
                )
                .build(),
        )
        .build();
    context
        .fetch(
            "guardduty:ListCoverage",
            "aws/guardduty/list-coverage.json",
            client
                .list_coverage()
                .detector_id(detector)
                .filter_criteria(criteria)
                .into_paginator()
                .items()
                .send()
                .try_collect(),
            |resources| cli! { "Resources" => resources },
        )
        .await;
}
