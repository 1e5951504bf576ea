use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// One result per managed node group with `remoteAccess.ec2SshKey`: FAIL when
    /// `remoteAccess.sourceSecurityGroups` is empty, because EKS then creates a security group that
    /// opens port 22 (3389 on Windows) to `0.0.0.0/0`; PASS when source groups restrict it.
    /// Node groups without remote access are not reported.
    ///
    /// ## Why it matters
    /// This is a documented EKS behaviour that is easy to miss: setting only the key in the console
    /// or Terraform exposes SSH on every node to the internet.
    ///
    /// ## How to fix
    /// Set `sourceSecurityGroups` to a bastion's group, or drop remote access and use SSM. Remote
    /// access cannot be changed on an existing node group: create a new one.
    ///
    /// ## References
    /// - EKS API reference: RemoteAccessConfig
    /// - EKS Best Practices Guide, Security: Infrastructure security
    pub static META = CheckMeta {
        id: "EKS-NODE-002",
        name: "remote-access-open-to-world",
        title: "Managed node group opens SSH to the whole internet",
        severity: Severity::High,
        level: Level::Infrastructure,
        control: SeedControl::SsmInsteadOfSsh,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Restrict remote access with sourceSecurityGroups, or remove it.",
    };
}

use garrison_core::aws::eks::DescribeNodegroup;

pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    let mut results = Vec::new();
    for (document, resource) in
        each_or_unknown::<DescribeNodegroup>(snapshot, "eks/nodegroups/", "Nodegroup", &mut results)
    {
        let group = document.nodegroup;
        let resource = resource.with_arn(group.nodegroup_arn.as_deref());
        let Some(remote) = group.remote_access.filter(|r| r.ec2_ssh_key.is_some()) else {
            continue;
        };
        let windows = group
            .ami_type
            .as_deref()
            .is_some_and(|t| t.starts_with("WINDOWS"));
        let port = if windows { 3389 } else { 22 };
        results.push(if remote.source_security_groups.is_empty() {
            result(
                &resource,
                Status::Fail,
                "/nodegroup/remoteAccess/sourceSecurityGroups",
                format!(
                    "remote access has no source security groups: port {port} is open to 0.0.0.0/0"
                ),
            )
        } else {
            result(
                &resource,
                Status::Pass,
                "/nodegroup/remoteAccess/sourceSecurityGroups",
                format!(
                    "port {port} is limited to {}",
                    remote.source_security_groups.join(", ")
                ),
            )
        });
    }
    results
}
