use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// One result per `NodeClass` (`eks.amazonaws.com/v1`): FAIL when
    /// `spec.advancedNetworking.associatePublicIPAddress` is true, or a subnet it selects by id is
    /// public (`MapPublicIpOnLaunch` in `describe-subnets`); PASS otherwise.
    ///
    /// ## Why it matters
    /// Nodes with public addresses can be reached directly from the internet.
    ///
    /// ## How to fix
    /// Set `associatePublicIPAddress: false` and select private subnets only.
    ///
    /// ## References
    /// - EKS documentation: Automate cluster infrastructure with EKS Auto Mode
    /// - EKS documentation: Create a Node Class for Amazon EKS
    pub static META = CheckMeta {
        id: "EKS-AUTO-003",
        name: "nodeclass-public-ip",
        title: "Auto Mode NodeClass gives nodes public IP addresses",
        severity: Severity::Medium,
        level: Level::Infrastructure,
        control: SeedControl::AutoMode,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Keep Auto Mode nodes on private subnets without public IPs.",
    };
}

fn node_classes<'a>(context: &'a Context<'_>) -> impl Iterator<Item = &'a garrison_core::Object> {
    context
        .inventory
        .objects
        .iter()
        .filter(|o| o.kind == "NodeClass" && o.api_version.starts_with("eks.amazonaws.com/"))
}

pub fn evaluate(context: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    let subnets = snapshot
        .document::<garrison_core::aws::ec2::DescribeSubnets>("ec2/describe-subnets.json")
        .ok();
    node_classes(context)
        .map(|class| {
            let resource = crate::engine::Resource::new(
                "NodeClass",
                class.name.clone(),
                class.origin.file.name.to_string(),
            );
            if class
                .value
                .pointer("/spec/advancedNetworking/associatePublicIPAddress")
                .and_then(serde_json::Value::as_bool)
                == Some(true)
            {
                return result(
                    &resource,
                    Status::Fail,
                    "/spec/advancedNetworking/associatePublicIPAddress",
                    "nodes get public IP addresses",
                );
            }
            let terms = class
                .value
                .pointer("/spec/subnetSelectorTerms")
                .and_then(serde_json::Value::as_array)
                .cloned()
                .unwrap_or_default();
            for (index, term) in terms.iter().enumerate() {
                let Some(id) = term.get("id").and_then(serde_json::Value::as_str) else {
                    continue;
                };
                let public = subnets
                    .as_ref()
                    .and_then(|s| {
                        s.subnets
                            .iter()
                            .find(|s| s.subnet_id.as_deref() == Some(id))
                    })
                    .and_then(|s| s.map_public_ip_on_launch)
                    == Some(true);
                if public {
                    return result(
                        &resource,
                        Status::Fail,
                        &format!("/spec/subnetSelectorTerms/{index}"),
                        format!("subnet {id} is public"),
                    );
                }
            }
            result(
                &resource,
                Status::Pass,
                "/spec",
                "nodes get no public IP addresses",
            )
        })
        .collect()
}
