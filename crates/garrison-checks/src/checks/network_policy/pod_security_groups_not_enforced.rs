use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// When `SecurityGroupPolicy` objects (`vpcresources.k8s.aws/v1beta1`) exist, one result per
    /// policy: PASS when the VPC CNI has `ENABLE_POD_ENI=true` (add-on `env` or the aws-node
    /// environment), FAIL otherwise.
    ///
    /// ## Why it matters
    /// Without pod ENIs the policies are ignored: the selected pods use the node's security groups,
    /// so database and other restricted security-group rules admit every pod on the node.
    ///
    /// ## How to fix
    /// Set `env.ENABLE_POD_ENI: "true"` in the vpc-cni add-on and attach
    /// `AmazonEKSVPCResourceController` to the cluster role.
    ///
    /// ## References
    /// - EKS documentation: Assign security groups to individual pods
    /// - EKS Best Practices Guide, Security: Network security
    pub static META = CheckMeta {
        id: "EKS-SGP-001",
        name: "pod-security-groups-not-enforced",
        title: "SecurityGroupPolicies exist but security groups for pods are off",
        severity: Severity::High,
        level: Level::Infrastructure,
        control: SeedControl::SecurityGroupsForPods,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Enable ENABLE_POD_ENI in the VPC CNI when using SecurityGroupPolicies.",
    };
}

/// `ENABLE_POD_ENI` and `POD_SECURITY_GROUP_ENFORCING_MODE` from the vpc-cni add-on
/// configuration, else from the aws-node DaemonSet's environment.
fn cni_env(context: &Context<'_>, snapshot: &Snapshot, name: &str) -> Option<String> {
    if let Ok((_, configuration)) = cni_configuration(snapshot)
        && let Some(value) = configuration.setting(&format!("/env/{name}"))
    {
        return Some(value);
    }
    let spec = aws_node_spec(context)?;
    spec.containers
        .iter()
        .flat_map(|c| c.env.iter().flatten())
        .find(|e| e.name == name)
        .and_then(|e| e.value.as_deref())
        .map(str::to_ascii_lowercase)
}

pub fn evaluate(context: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    let enabled = cni_env(context, snapshot, "ENABLE_POD_ENI").as_deref() == Some("true");
    context.inventory.objects.iter().filter(|o| o.kind == "SecurityGroupPolicy").map(|policy| {
        let resource = crate::engine::Resource::new("SecurityGroupPolicy", format!("{}/{}", policy.namespace.as_deref().unwrap_or(""), policy.name), policy.origin.file.name.to_string());
        if enabled {
            result(&resource, Status::Pass, "/spec", "pod ENIs are enabled: the policy applies")
        } else {
            result(&resource, Status::Fail, "/spec", "ENABLE_POD_ENI is not true: the policy is ignored and pods use the node's security groups")
        }
    }).collect()
}
