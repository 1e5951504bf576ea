//! The account's security services, as the checks read them: Security Hub (the hub, its
//! standards, its controls and the findings about the cluster, PascalCase), Inspector
//! (account status and the findings of ECR images, camelCase), Systems Manager (managed
//! instances and the Session Manager preferences document, PascalCase) and CloudTrail (the
//! trails, with each one's logging status merged in).

use std::collections::BTreeSet;

use aws_sdk_cloudtrail::types::Trail;
use aws_sdk_inspector2::types::{
    AccountState, AwsEcrContainerImageDetails, FailedAccount, FilterCriteria, Finding,
    PackageVulnerabilityDetails, Resource, ResourceDetails, ResourceState, State, StringComparison,
    StringFilter,
};
use aws_sdk_securityhub::types::{
    AwsSecurityFinding, AwsSecurityFindingFilters, Compliance, SecurityControl,
    StandardsSubscription, StringFilterComparison, UnprocessedSecurityControl, Workflow,
};
use aws_sdk_ssm::types::InstanceInformation;
use serde_json::Value;

use super::Context;
use super::convert::{ToJson, cli, name, text, to_json};
use super::images::EcrImage;
use crate::safe_file_name;

/// The Session Manager preferences document the session logging check reads.
pub const SESSION_PREFERENCES: &str = "SSM-SessionManagerRunShell";

to_json! {
    StandardsSubscription => |s| cli! {
        "StandardsSubscriptionArn" => s.standards_subscription_arn,
        "StandardsArn" => s.standards_arn, "StandardsStatus" => text(&s.standards_status),
    };
    SecurityControl => |c| cli! {
        "SecurityControlId" => c.security_control_id,
        "SecurityControlArn" => c.security_control_arn, "Title" => c.title,
        "SeverityRating" => text(&c.severity_rating),
        "SecurityControlStatus" => text(&c.security_control_status),
        "UpdateStatus" => text(&c.update_status),
    };
    UnprocessedSecurityControl => |c| cli! {
        "SecurityControlId" => c.security_control_id, "ErrorCode" => text(&c.error_code),
        "ErrorReason" => c.error_reason,
    };
    AwsSecurityFinding => |f| cli! {
        "Id" => f.id, "ProductArn" => f.product_arn, "GeneratorId" => f.generator_id,
        "AwsAccountId" => f.aws_account_id, "Region" => f.region, "Types" => f.types,
        "CreatedAt" => f.created_at, "UpdatedAt" => f.updated_at, "Title" => f.title,
        "Description" => f.description, "Severity" => f.severity,
        "Compliance" => f.compliance, "Workflow" => f.workflow,
        "RecordState" => text(&f.record_state),
        "Resources" => f.resources.as_ref().map(|resources| resources
            .iter()
            .map(|r| cli! { "Type" => r.r#type, "Id" => r.id, "Region" => r.region })
            .collect::<Vec<_>>()),
    };
    aws_sdk_securityhub::types::Severity => |s| cli! { "Label" => text(&s.label), "Original" => s.original };
    Compliance => |c| cli! {
        "Status" => text(&c.status), "SecurityControlId" => c.security_control_id,
    };
    Workflow => |w| cli! { "Status" => text(&w.status) };
    AccountState => |a| cli! {
        "accountId" => a.account_id, "state" => a.state, "resourceState" => a.resource_state,
    };
    ResourceState => |r| cli! {
        "ec2" => r.ec2, "ecr" => r.ecr, "lambda" => r.lambda, "lambdaCode" => r.lambda_code,
    };
    State => |s| cli! {
        "status" => name(&s.status), "errorCode" => name(&s.error_code),
        "errorMessage" => s.error_message,
    };
    FailedAccount => |a| cli! {
        "accountId" => a.account_id, "status" => text(&a.status),
        "errorCode" => name(&a.error_code), "errorMessage" => a.error_message,
    };
    Finding => |f| cli! {
        "findingArn" => f.finding_arn, "awsAccountId" => f.aws_account_id,
        "type" => name(&f.r#type), "title" => f.title, "severity" => name(&f.severity),
        "status" => name(&f.status), "firstObservedAt" => f.first_observed_at,
        "lastObservedAt" => f.last_observed_at, "updatedAt" => f.updated_at,
        "packageVulnerabilityDetails" => f.package_vulnerability_details,
        "resources" => f.resources,
    };
    PackageVulnerabilityDetails => |d| cli! {
        "vulnerabilityId" => d.vulnerability_id, "source" => d.source,
        "vendorSeverity" => d.vendor_severity,
    };
    Resource => |r| cli! {
        "type" => name(&r.r#type), "id" => r.id, "region" => r.region, "details" => r.details,
    };
    ResourceDetails => |d| cli! { "awsEcrContainerImage" => d.aws_ecr_container_image };
    AwsEcrContainerImageDetails => |i| cli! {
        "registry" => i.registry, "repositoryName" => i.repository_name,
        "imageHash" => i.image_hash, "imageTags" => i.image_tags,
    };
    InstanceInformation => |i| cli! {
        "InstanceId" => i.instance_id, "PingStatus" => text(&i.ping_status),
        "LastPingDateTime" => i.last_ping_date_time, "AgentVersion" => i.agent_version,
        "IsLatestVersion" => i.is_latest_version, "PlatformType" => text(&i.platform_type),
        "PlatformName" => i.platform_name, "ResourceType" => text(&i.resource_type),
        "IamRole" => i.iam_role,
    };
    Trail => |t| cli! {
        "Name" => t.name, "TrailARN" => t.trail_arn, "HomeRegion" => t.home_region,
        "IsMultiRegionTrail" => t.is_multi_region_trail,
        "IsOrganizationTrail" => t.is_organization_trail,
        "IncludeGlobalServiceEvents" => t.include_global_service_events,
        "LogFileValidationEnabled" => t.log_file_validation_enabled,
        "CloudWatchLogsLogGroupArn" => t.cloud_watch_logs_log_group_arn,
        "KmsKeyId" => t.kms_key_id, "HasCustomEventSelectors" => t.has_custom_event_selectors,
    };
}

pub async fn collect(
    context: &Context<'_>,
    cluster_arn: Option<&str>,
    images: &BTreeSet<EcrImage>,
    images_known: bool,
) {
    tokio::join!(
        security_hub(context, cluster_arn),
        inspector(context, cluster_arn, images, images_known),
        ssm(context),
        cloudtrail(context),
    );
}

async fn security_hub(context: &Context<'_>, cluster_arn: Option<&str>) {
    let client = aws_sdk_securityhub::Client::new(context.config);
    let hub = context.fetch(
        "securityhub:DescribeHub",
        "aws/securityhub/describe-hub.json",
        client.describe_hub().send(),
        |output| {
            cli! {
                "HubArn" => output.hub_arn, "SubscribedAt" => output.subscribed_at,
                "AutoEnableControls" => output.auto_enable_controls,
                "ControlFindingGenerator" => text(&output.control_finding_generator),
            }
        },
    );
    let standards = context.fetch(
        "securityhub:GetEnabledStandards",
        "aws/securityhub/get-enabled-standards.json",
        client
            .get_enabled_standards()
            .into_paginator()
            .items()
            .send()
            .try_collect(),
        |subscriptions| cli! { "StandardsSubscriptions" => subscriptions },
    );
    let findings = async {
        let file = "aws/securityhub/get-findings.json";
        let Some(arn) = cluster_arn else {
            context.recorder.fail(
                "securityhub:GetFindings",
                file,
                "not attempted: the cluster's ARN is unknown (eks:DescribeCluster failed)",
            );
            return;
        };
        let equals = |value: &str| {
            aws_sdk_securityhub::types::StringFilter::builder()
                .comparison(StringFilterComparison::Equals)
                .value(value)
                .build()
        };
        // Archived findings are left out: the check ignores them.
        let filters = AwsSecurityFindingFilters::builder()
            .resource_id(equals(arn))
            .record_state(equals("ACTIVE"))
            .build();
        context
            .fetch(
                "securityhub:GetFindings",
                file,
                client
                    .get_findings()
                    .filters(filters)
                    .into_paginator()
                    .items()
                    .send()
                    .try_collect(),
                |findings| cli! { "Findings" => findings },
            )
            .await;
    };
    tokio::join!(
        hub,
        standards,
        findings,
        security_controls(context, &client)
    );
}

/// Every control's status: the ids from `list-security-control-definitions`, then
/// `batch-get-security-controls` 100 at a time, into one document.
async fn security_controls(context: &Context<'_>, client: &aws_sdk_securityhub::Client) {
    let call = "securityhub:BatchGetSecurityControls";
    let file = "aws/securityhub/batch-get-security-controls.json";
    let definitions = {
        let _permit = context.permits.acquire().await;
        client
            .list_security_control_definitions()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
    };
    let ids: Vec<String> = match definitions {
        Ok(definitions) => definitions
            .into_iter()
            .filter_map(|definition| definition.security_control_id)
            .collect(),
        Err(error) => {
            let error = super::ErrorText::text(&error);
            context.recorder.fail(
                call,
                file,
                &format!("securityhub:ListSecurityControlDefinitions failed: {error}"),
            );
            return;
        }
    };
    let mut controls = Vec::new();
    let mut unprocessed = Vec::new();
    for chunk in ids.chunks(100) {
        let result = {
            let _permit = context.permits.acquire().await;
            client
                .batch_get_security_controls()
                .set_security_control_ids(Some(chunk.to_vec()))
                .send()
                .await
        };
        match result {
            Ok(output) => {
                controls.extend(output.security_controls.unwrap_or_default());
                unprocessed.extend(output.unprocessed_ids.unwrap_or_default());
            }
            Err(error) => {
                context
                    .recorder
                    .fail(call, file, &super::ErrorText::text(&error));
                return;
            }
        }
    }
    context.recorder.write(
        call,
        file,
        &cli! { "SecurityControls" => controls, "UnprocessedIds" => unprocessed },
    );
}

fn equals(value: &str) -> Option<StringFilter> {
    StringFilter::builder()
        .comparison(StringComparison::Equals)
        .value(value)
        .build()
        .ok()
}

/// The account's Inspector status, and the active findings of the ECR images the cluster
/// runs (of every ECR image when the Kubernetes side was not listed), into one document.
async fn inspector(
    context: &Context<'_>,
    cluster_arn: Option<&str>,
    images: &BTreeSet<EcrImage>,
    images_known: bool,
) {
    let client = aws_sdk_inspector2::Client::new(context.config);
    // The cluster's account (the caller's when the cluster is unknown).
    let account = cluster_arn.and_then(|arn| arn.split(':').nth(4));
    let status = context.fetch(
        "inspector2:BatchGetAccountStatus",
        "aws/inspector2/batch-get-account-status.json",
        client
            .batch_get_account_status()
            .set_account_ids(account.map(|account| vec![account.to_string()]))
            .send(),
        |output| cli! { "accounts" => output.accounts, "failedAccounts" => output.failed_accounts },
    );
    let findings = async {
        let call = "inspector2:ListFindings";
        let file = "aws/inspector2/list-findings.json";
        let repositories: Vec<&str> = images
            .iter()
            .map(|image| image.repository.as_str())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        if images_known && repositories.is_empty() {
            context
                .recorder
                .write(call, file, &cli! { "findings" => Vec::<Value>::new() });
            return;
        }
        let base = FilterCriteria::builder()
            .set_resource_type(equals("AWS_ECR_CONTAINER_IMAGE").map(|f| vec![f]))
            .set_finding_status(equals("ACTIVE").map(|f| vec![f]))
            .build();
        // A filter takes at most 10 values: the repositories go 10 at a time.
        let criteria: Vec<FilterCriteria> = if images_known {
            repositories
                .chunks(10)
                .map(|chunk| {
                    let mut criteria = base.clone();
                    criteria.ecr_image_repository_name =
                        Some(chunk.iter().filter_map(|name| equals(name)).collect());
                    criteria
                })
                .collect()
        } else {
            vec![base]
        };
        let mut found: Vec<Finding> = Vec::new();
        for criteria in criteria {
            let result = {
                let _permit = context.permits.acquire().await;
                client
                    .list_findings()
                    .filter_criteria(criteria)
                    .into_paginator()
                    .items()
                    .send()
                    .try_collect()
                    .await
            };
            match result {
                Ok(findings) => found.extend(findings),
                Err(error) => {
                    context
                        .recorder
                        .fail(call, file, &super::ErrorText::text(&error));
                    return;
                }
            }
        }
        context
            .recorder
            .write(call, file, &cli! { "findings" => found });
    };
    tokio::join!(status, findings);
}

async fn ssm(context: &Context<'_>) {
    let client = aws_sdk_ssm::Client::new(context.config);
    let document = format!("aws/ssm/get-document/{SESSION_PREFERENCES}.json");
    tokio::join!(
        context.fetch(
            "ssm:DescribeInstanceInformation",
            "aws/ssm/describe-instance-information.json",
            client
                .describe_instance_information()
                .into_paginator()
                .items()
                .send()
                .try_collect(),
            |instances| cli! { "InstanceInformationList" => instances },
        ),
        context.fetch(
            "ssm:GetDocument",
            &document,
            client.get_document().name(SESSION_PREFERENCES).send(),
            |output| cli! {
                "Name" => output.name, "DocumentVersion" => output.document_version,
                "Status" => text(&output.status), "DocumentType" => text(&output.document_type),
                "DocumentFormat" => text(&output.document_format), "Content" => output.content,
            },
        ),
    );
}

/// `describe-trails` (shadow trails of other regions included), each trail's `IsLogging`
/// merged in from `get-trail-status`. A status that cannot be read is recorded as its own
/// failed call and leaves `IsLogging` out.
async fn cloudtrail(context: &Context<'_>) {
    let client = aws_sdk_cloudtrail::Client::new(context.config);
    let call = "cloudtrail:DescribeTrails";
    let file = "aws/cloudtrail/describe-trails.json";
    let trails = {
        let _permit = context.permits.acquire().await;
        client.describe_trails().send().await
    };
    let trails = match trails {
        Ok(output) => output.trail_list.unwrap_or_default(),
        Err(error) => {
            context
                .recorder
                .fail(call, file, &super::ErrorText::text(&error));
            return;
        }
    };
    let documents = std::sync::Mutex::new(vec![Value::Null; trails.len()]);
    context
        .each(trails.iter().enumerate(), |(index, trail)| {
            let (client, documents) = (&client, &documents);
            async move {
                let mut document = trail.to_json();
                if let Some(arn) = &trail.trail_arn {
                    let status = {
                        let _permit = context.permits.acquire().await;
                        client.get_trail_status().name(arn).send().await
                    };
                    match status {
                        Ok(status) => {
                            if let (Value::Object(members), Some(logging)) =
                                (&mut document, status.is_logging)
                            {
                                members.insert("IsLogging".into(), Value::Bool(logging));
                            }
                        }
                        Err(error) => {
                            let name = trail.name.as_deref().unwrap_or(arn);
                            context.recorder.fail(
                                "cloudtrail:GetTrailStatus",
                                &format!(
                                    "aws/cloudtrail/get-trail-status/{}.json",
                                    safe_file_name(name)
                                ),
                                &super::ErrorText::text(&error),
                            );
                        }
                    }
                }
                if let Some(slot) = super::eks::lock(documents).get_mut(index) {
                    *slot = document;
                }
            }
        })
        .await;
    let documents = documents
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    context
        .recorder
        .write(call, file, &cli! { "trailList" => documents });
}
