//! nodes checks, and the metadata options of node launch templates and instances that the IMDS
//! checks share.
pub mod al2_end_of_support;
pub mod fips_not_used;
pub mod imds_hop_limit;
pub mod imdsv2_not_required;
pub mod inspector_ec2_disabled;
pub mod node_not_ssm_managed;
pub mod node_ssh_open_to_world;
pub mod not_container_optimized_os;
pub mod remote_access_open_to_world;
pub mod session_logging_off;
pub mod ssh_key_on_nodes;
pub mod untrusted_workloads_not_isolated;
pub mod user_data_secrets;

use garrison_core::Snapshot;
use garrison_core::aws::ec2::{DescribeInstances, DescribeLaunchTemplateVersions, MetadataOptions};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

/// Every launch template version's metadata options, with the resource and pointer.
pub(super) fn template_options(
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
pub(super) fn instance_options(
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
