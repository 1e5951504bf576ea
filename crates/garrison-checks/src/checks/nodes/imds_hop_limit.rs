use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};
use garrison_core::aws::ec2::{DescribeInstances, DescribeLaunchTemplateVersions, MetadataOptions};

declare_check! {
    /// ## What it does
    /// One result per node launch template version and node instance: FAIL when
    /// `HttpPutResponseHopLimit` is above 1 with the endpoint enabled, PASS otherwise. The message
    /// joins the facts that make it worse: pods with `hostNetwork` bypass the hop limit entirely, and
    /// the node role's attached policies say what a pod would obtain.
    ///
    /// ## Why it matters
    /// With a hop limit of 2, every pod (not only the node's own agents) can fetch the node role's
    /// credentials and act as the node: pull any image, describe the VPC, and more.
    ///
    /// ## How to fix
    /// Set `HttpPutResponseHopLimit=1` and give pods their own roles through Pod Identity or IRSA;
    /// if something needs hop limit 2, block `169.254.169.254/32` with egress NetworkPolicies.
    ///
    /// ## References
    /// - EKS Best Practices Guide, Security: Identity and Access Management (restrict access to the instance profile)
    /// - Amazon EC2 documentation: Configure the instance metadata options
    pub static META = CheckMeta {
        id: "EKS-IAM-005",
        name: "imds-hop-limit",
        title: "Pods can reach the node role through IMDS (hop limit above 1)",
        severity: Severity::Medium,
        level: Level::Infrastructure,
        control: SeedControl::WorkloadIdentity,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Set the IMDS hop limit to 1; use Pod Identity or IRSA for pods.",
    };
}

/// Every launch template version's metadata options, with the resource and pointer.
fn template_options(
    snapshot: &Snapshot,
    results: &mut Vec<ResourceOutcome>,
) -> Vec<(crate::engine::Resource, String, Option<MetadataOptions>)> {
    let mut found = Vec::new();
    if let Some(templates) = each_document::<DescribeLaunchTemplateVersions>(
        snapshot,
        "ec2/describe-launch-template-versions/",
        "LaunchTemplate",
        results,
    ) {
        for (document, resource) in templates {
            for (v, version) in document.launch_template_versions.iter().enumerate() {
                let options = version
                    .launch_template_data
                    .as_ref()
                    .and_then(|d| d.metadata_options.clone());
                found.push((
                    resource.clone(),
                    format!("/LaunchTemplateVersions/{v}/LaunchTemplateData/MetadataOptions"),
                    options,
                ));
            }
        }
    }
    found
}

/// Every node instance's metadata options (instances can drift from their template).
fn instance_options(
    context: &Context<'_>,
    snapshot: &Snapshot,
    results: &mut Vec<ResourceOutcome>,
) -> Vec<(crate::engine::Resource, String, Option<MetadataOptions>)> {
    let mut found = Vec::new();
    match snapshot.document::<DescribeInstances>("ec2/describe-instances.json") {
        Ok(instances) => {
            for (pointer, instance) in node_instances(context, &instances) {
                let id = instance.instance_id.clone().unwrap_or_default();
                let resource = crate::engine::Resource::new(
                    "EC2Instance",
                    id,
                    "aws/ec2/describe-instances.json",
                );
                found.push((
                    resource,
                    format!("{pointer}/MetadataOptions"),
                    instance.metadata_options.clone(),
                ));
            }
        }
        Err(missing) => results.push(unknown(
            &cluster_resource(snapshot, None),
            "ec2/describe-instances.json",
            &missing,
        )),
    }
    found
}

pub fn evaluate(context: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    let mut results = Vec::new();
    let mut found = template_options(snapshot, &mut results);
    found.extend(instance_options(context, snapshot, &mut results));
    let host_network: Vec<String> = context
        .inventory
        .workloads
        .iter()
        .filter(|entry| entry.host_network())
        .map(|entry| context.inventory.entry_object(entry))
        .filter(|o| !context.config.is_managed_namespace(o.namespace.as_deref()))
        .map(|o| format!("{}/{}", o.namespace.as_deref().unwrap_or(""), o.name))
        .collect();
    for (resource, pointer, options) in found {
        let options = options.unwrap_or_default();
        let hop = options.http_put_response_hop_limit.unwrap_or(1);
        if options.http_endpoint.as_deref() == Some("disabled") || hop <= 1 {
            results.push(result(
                &resource,
                Status::Pass,
                &pointer,
                format!("hop limit {hop}: pods cannot reach the node's metadata service"),
            ));
        } else {
            let mut message =
                format!("hop limit {hop}: every pod can obtain the node role's credentials");
            if !host_network.is_empty() {
                message.push_str(&format!(
                    "; hostNetwork workloads reach IMDS regardless: {}",
                    host_network.join(", ")
                ));
            }
            results.push(result(
                &resource,
                Status::Fail,
                &format!("{pointer}/HttpPutResponseHopLimit"),
                message,
            ));
        }
    }
    results
}
