use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// One result per managed node group (`remoteAccess.ec2SshKey`) and per launch template version
    /// (`KeyName`): FAIL when an EC2 key pair is set, PASS otherwise.
    ///
    /// ## Why it matters
    /// An SSH key is a long-lived credential to every node; whoever holds it (or a copy of it) gets
    /// root on the node and every pod's secrets, outside Kubernetes RBAC and audit logs.
    ///
    /// ## How to fix
    /// Remove the key pair and use SSM Session Manager (node role with
    /// `AmazonSSMManagedInstanceCore`), which is authorised by IAM and logged.
    ///
    /// ## References
    /// - EKS Best Practices Guide, Security: Infrastructure security (minimize access to worker nodes)
    /// - AWS Systems Manager documentation: Session Manager
    pub static META = CheckMeta {
        id: "EKS-NODE-001",
        name: "ssh-key-on-nodes",
        title: "Nodes are provisioned with an SSH key",
        severity: Severity::Medium,
        level: Level::Infrastructure,
        control: SeedControl::SsmInsteadOfSsh,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Remove SSH key pairs from nodes; use SSM Session Manager.",
    };
}

use garrison_core::aws::ec2::DescribeLaunchTemplateVersions;
use garrison_core::aws::eks::DescribeNodegroup;

pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    let mut results = Vec::new();
    for (document, resource) in
        each_or_unknown::<DescribeNodegroup>(snapshot, "eks/nodegroups/", "Nodegroup", &mut results)
    {
        let group = document.nodegroup;
        let resource = resource.with_arn(group.nodegroup_arn.as_deref());
        results.push(match group.remote_access.and_then(|r| r.ec2_ssh_key) {
            Some(key) => result(
                &resource,
                Status::Fail,
                "/nodegroup/remoteAccess/ec2SshKey",
                format!("nodes accept the SSH key pair {key}"),
            ),
            None => result(&resource, Status::Pass, "/nodegroup", "no SSH key pair"),
        });
    }
    if let Some(templates) = each_document::<DescribeLaunchTemplateVersions>(
        snapshot,
        "ec2/describe-launch-template-versions/",
        "LaunchTemplate",
        &mut results,
    ) {
        for (document, resource) in templates {
            for (v, version) in document.launch_template_versions.iter().enumerate() {
                let pointer = format!("/LaunchTemplateVersions/{v}/LaunchTemplateData");
                results.push(
                    match version
                        .launch_template_data
                        .as_ref()
                        .and_then(|d| d.key_name.clone())
                    {
                        Some(key) => result(
                            &resource,
                            Status::Fail,
                            &format!("{pointer}/KeyName"),
                            format!("the launch template installs the SSH key pair {key}"),
                        ),
                        None => result(&resource, Status::Pass, &pointer, "no SSH key pair"),
                    },
                );
            }
        }
    }
    results
}
