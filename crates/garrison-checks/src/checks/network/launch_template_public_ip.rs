use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// One result per network interface of each collected launch template version
    /// (`ec2/describe-launch-template-versions/`): FAIL when `AssociatePublicIpAddress` is true.
    ///
    /// ## Why it matters
    /// A launch template that asks for public addresses gives every node an internet-facing IP even in
    /// an otherwise private subnet.
    ///
    /// ## How to fix
    /// Set `AssociatePublicIpAddress=false` (or omit it) in the node launch template.
    ///
    /// ## References
    /// - Amazon EC2 documentation: Launch template network interfaces
    /// - EKS Best Practices Guide, Security: Infrastructure security
    pub static META = CheckMeta {
        id: "EKS-NET-005",
        name: "launch-template-public-ip",
        title: "Node launch template requests public IP addresses",
        severity: Severity::Medium,
        level: Level::Infrastructure,
        control: SeedControl::PrivateEndpointAndPrivatelink,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Do not request public IPs in node launch templates.",
    };
}

use garrison_core::aws::ec2::DescribeLaunchTemplateVersions;

pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    let mut results = Vec::new();
    let Some(templates) = each_document::<DescribeLaunchTemplateVersions>(
        snapshot,
        "ec2/describe-launch-template-versions/",
        "LaunchTemplate",
        &mut results,
    ) else {
        return results;
    };
    for (document, resource) in templates {
        for (v, version) in document.launch_template_versions.iter().enumerate() {
            let interfaces = version
                .launch_template_data
                .as_ref()
                .map(|data| data.network_interfaces.as_slice())
                .unwrap_or_default();
            if interfaces.is_empty() {
                results.push(result(
                    &resource,
                    Status::Pass,
                    &format!("/LaunchTemplateVersions/{v}/LaunchTemplateData"),
                    "no network interface asks for a public IP (the subnet decides)",
                ));
            }
            for (i, interface) in interfaces.iter().enumerate() {
                let pointer = format!(
                    "/LaunchTemplateVersions/{v}/LaunchTemplateData/NetworkInterfaces/{i}/AssociatePublicIpAddress"
                );
                results.push(if interface.associate_public_ip_address == Some(true) {
                    result(
                        &resource,
                        Status::Fail,
                        &pointer,
                        "the launch template gives nodes a public IP address",
                    )
                } else {
                    result(
                        &resource,
                        Status::Pass,
                        &pointer,
                        "no public IP address requested",
                    )
                });
            }
        }
    }
    results
}
