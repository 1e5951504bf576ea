use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// One result per managed node group: FAIL for the AL2 AMI types (`AL2_x86_64`,
    /// `AL2_x86_64_GPU`, `AL2_ARM_64`), whose EKS AMIs reached end of support on 2025-11-26; WARN for
    /// `CUSTOM` (review the image); PASS otherwise. Kubernetes Nodes whose `osImage` is
    /// "Amazon Linux 2" (self-managed or custom) fail too.
    ///
    /// ## Why it matters
    /// No security patches are published for end-of-support AMIs, and none exist for Kubernetes 1.33
    /// or later.
    ///
    /// ## How to fix
    /// Move node groups to AL2023 or Bottlerocket AMI types.
    ///
    /// ## References
    /// - EKS documentation: Amazon EKS optimized AMIs
    /// - awslabs/amazon-eks-ami#2545: AL2 end of support
    pub static META = CheckMeta {
        id: "EKS-OS-002",
        name: "al2-end-of-support",
        title: "Nodes run an Amazon Linux 2 AMI past its end of support",
        severity: Severity::Medium,
        level: Level::Infrastructure,
        control: SeedControl::ContainerOptimizedOs,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Replace AL2 node groups with AL2023 or Bottlerocket.",
    };
}

use garrison_core::aws::eks::DescribeNodegroup;

const AL2: [&str; 3] = ["AL2_x86_64", "AL2_x86_64_GPU", "AL2_ARM_64"];

pub fn evaluate(context: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    let mut results = Vec::new();
    for (document, resource) in
        each_or_unknown::<DescribeNodegroup>(snapshot, "eks/nodegroups/", "Nodegroup", &mut results)
    {
        let group = document.nodegroup;
        let resource = resource.with_arn(group.nodegroup_arn.as_deref());
        let ami = group.ami_type.clone().unwrap_or_default();
        results.push(if AL2.contains(&ami.as_str()) {
            result(
                &resource,
                Status::Fail,
                "/nodegroup/amiType",
                format!("{ami} reached end of support on 2025-11-26"),
            )
        } else if ami == "CUSTOM" {
            result(
                &resource,
                Status::Warn,
                "/nodegroup/amiType",
                "a custom AMI: check that its base OS is supported",
            )
        } else {
            result(
                &resource,
                Status::Pass,
                "/nodegroup/amiType",
                format!("{ami} is supported"),
            )
        });
    }
    for node in context.inventory.objects.iter().filter(|o| {
        o.kind == "Node"
            && o.value
                .pointer("/metadata/labels/eks.amazonaws.com~1nodegroup")
                .is_none()
    }) {
        let os = node
            .value
            .pointer("/status/nodeInfo/osImage")
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default();
        if os.starts_with("Amazon Linux 2") && !os.starts_with("Amazon Linux 2023") {
            let resource = crate::engine::Resource::new(
                "Node",
                node.name.clone(),
                node.origin.file.name.to_string(),
            );
            results.push(result(
                &resource,
                Status::Fail,
                "/status/nodeInfo/osImage",
                format!("{os} reached end of support"),
            ));
        }
    }
    results
}
