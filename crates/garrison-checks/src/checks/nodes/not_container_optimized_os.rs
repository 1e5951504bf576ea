use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// One result per managed node group: PASS for `BOTTLEROCKET_*` AMI types, FAIL for general-purpose
    /// ones (AL2, AL2023, Windows, CUSTOM). Auto Mode nodes run Bottlerocket and pass
    /// (NOT_APPLICABLE here, as they have no node group).
    ///
    /// ## Why it matters
    /// A container-optimized OS has a read-only root filesystem, SELinux enforcing, no package manager
    /// and atomic updates: far less for an escaped container to work with.
    ///
    /// ## How to fix
    /// Create node groups with a Bottlerocket AMI type and move workloads to them.
    ///
    /// ## References
    /// - EKS documentation: Amazon EKS optimized AMIs
    /// - Bottlerocket documentation
    /// - CIS Amazon EKS Benchmark v1.8.0 (Kubescape C-0226)
    pub static META = CheckMeta {
        id: "EKS-OS-001",
        name: "not-container-optimized-os",
        title: "Nodes do not run a container-optimized OS",
        severity: Severity::Low,
        level: Level::Infrastructure,
        control: SeedControl::ContainerOptimizedOs,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Use Bottlerocket AMIs for nodes.",
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
        let ami = group
            .ami_type
            .clone()
            .unwrap_or_else(|| "unknown".to_string());
        results.push(if ami.starts_with("BOTTLEROCKET") {
            result(
                &resource,
                Status::Pass,
                "/nodegroup/amiType",
                format!("{ami} is container-optimized"),
            )
        } else {
            result(
                &resource,
                Status::Fail,
                "/nodegroup/amiType",
                format!("{ami} is a general-purpose OS"),
            )
        });
    }
    results
}
