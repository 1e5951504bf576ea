use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};
use garrison_core::aws::ec2::{DescribeLaunchTemplateVersions, MetadataOptions};

use super::{instance_options, template_options};

declare_check! {
    /// ## What it does
    /// One result per node launch template version and per EC2 instance behind a Kubernetes Node
    /// (matched through `spec.providerID`, every instance of every reservation): FAIL when
    /// `MetadataOptions.HttpTokens` is not `required` and the endpoint is enabled, PASS otherwise.
    /// Instances are read too because their settings can drift from the template.
    /// Each managed node group gets a result through the template it launches from: its own, or
    /// the hidden EKS-created one behind its Auto Scaling group, with `$Default`/`$Latest`
    /// resolved through `describe-launch-templates`.
    ///
    /// ## Why it matters
    /// IMDSv1 answers plain GET requests, so a server-side request forgery in any pod that can reach
    /// the node's metadata service hands out the node role's credentials.
    ///
    /// ## How to fix
    /// Set `HttpTokens=required` in the launch template (and `aws ec2 modify-instance-metadata-options`
    /// on running nodes).
    ///
    /// ## References
    /// - EKS Best Practices Guide, Security: Identity and Access Management (restrict access to the instance profile)
    /// - Amazon EC2 documentation: Use IMDSv2
    pub static META = CheckMeta {
        id: "EKS-IAM-004",
        name: "imdsv2-not-required",
        title: "Node allows IMDSv1 (session tokens not required)",
        severity: Severity::High,
        level: Level::Infrastructure,
        control: SeedControl::WorkloadIdentity,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Require IMDSv2 (HttpTokens=required) on nodes.",
    };
}

fn judge(
    resource: &crate::engine::Resource,
    pointer: &str,
    options: Option<&MetadataOptions>,
) -> ResourceOutcome {
    let Some(options) = options else {
        return result(
            resource,
            Status::Fail,
            pointer,
            "no metadata options: the AMI default (often IMDSv1 allowed) applies",
        );
    };
    if options.http_endpoint.as_deref() == Some("disabled") {
        return result(
            resource,
            Status::Pass,
            pointer,
            "the metadata endpoint is disabled",
        );
    }
    match options.http_tokens.as_deref() {
        Some("required") => result(
            resource,
            Status::Pass,
            &format!("{pointer}/HttpTokens"),
            "IMDSv2 is required",
        ),
        other => result(
            resource,
            Status::Fail,
            &format!("{pointer}/HttpTokens"),
            format!(
                "HttpTokens is {}: IMDSv1 is allowed",
                other.unwrap_or("unset")
            ),
        ),
    }
}

/// One result per managed node group, through the launch template it actually launches from
/// (its own, or the EKS-created one behind its Auto Scaling group).
fn node_groups(snapshot: &Snapshot, results: &mut Vec<ResourceOutcome>) {
    use garrison_core::aws::eks::DescribeNodegroup;
    let Some(groups) =
        each_document::<DescribeNodegroup>(snapshot, "eks/nodegroups/", "Nodegroup", results)
    else {
        return;
    };
    for (document, resource) in groups {
        let group = document.nodegroup;
        let resource = resource.with_arn(group.nodegroup_arn.as_deref());
        let key = match nodegroup_template_key(snapshot, &group) {
            Ok(key) => key,
            Err(reason) => {
                results.push(ResourceOutcome::new(
                    &resource,
                    crate::engine::Outcome::with_status(
                        Status::Unknown,
                        None,
                        format!("the node group's launch template cannot be resolved: {reason}"),
                    ),
                ));
                continue;
            }
        };
        match snapshot.document::<DescribeLaunchTemplateVersions>(&key) {
            Ok(versions) => {
                let options = versions
                    .launch_template_versions
                    .first()
                    .and_then(|v| v.launch_template_data.as_ref())
                    .and_then(|d| d.metadata_options.clone());
                let mut outcome = judge(&resource, "/nodegroup/launchTemplate", options.as_ref());
                // The facts are in the template; the pointer names the node group's reference.
                outcome.outcome.pointer = Some("/nodegroup/launchTemplate".to_string());
                outcome.outcome.message = format!(
                    "{} (launch template {})",
                    outcome.outcome.message,
                    key.rsplit('/')
                        .next()
                        .unwrap_or(&key)
                        .trim_end_matches(".json")
                );
                results.push(outcome);
            }
            Err(missing) => results.push(unknown(&resource, &key, &missing)),
        }
    }
}

pub fn evaluate(context: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    let mut results = Vec::new();
    let mut found = template_options(snapshot, &mut results);
    found.extend(instance_options(context, snapshot, &mut results));
    results.extend(
        found
            .iter()
            .map(|(resource, pointer, options)| judge(resource, pointer, options.as_ref())),
    );
    node_groups(snapshot, &mut results);
    results
}
