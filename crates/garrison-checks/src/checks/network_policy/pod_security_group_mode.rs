use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// When pod ENIs are enabled and NetworkPolicies are enforced, reads
    /// `POD_SECURITY_GROUP_ENFORCING_MODE`: PASS for `standard` (both security groups and
    /// NetworkPolicies apply to branch-ENI pods), FAIL for `strict` (only security groups apply).
    /// NOT_APPLICABLE when either feature is off.
    ///
    /// ## Why it matters
    /// In strict mode, traffic of pods with their own security groups is not subject to
    /// NetworkPolicies, so a namespace's default-deny policy silently does not cover them.
    ///
    /// ## How to fix
    /// Set `env.POD_SECURITY_GROUP_ENFORCING_MODE: "standard"` in the vpc-cni add-on.
    ///
    /// ## References
    /// - EKS documentation: Assign security groups to individual pods
    /// - EKS Best Practices Guide, Security: Network security (security groups for pods and network policy)
    pub static META = CheckMeta {
        id: "EKS-SGP-002",
        name: "pod-security-group-mode",
        title: "Pod security groups bypass NetworkPolicies (strict enforcing mode)",
        severity: Severity::Low,
        level: Level::Infrastructure,
        control: SeedControl::SecurityGroupsForPods,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Use POD_SECURITY_GROUP_ENFORCING_MODE=standard with NetworkPolicies.",
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
    let resource = crate::engine::Resource::new("Addon", "vpc-cni", "aws/eks/addons/vpc-cni.json");
    let pod_eni = cni_env(context, snapshot, "ENABLE_POD_ENI").as_deref() == Some("true");
    let enforced = matches!(network_policy_enforcement(context, snapshot), Ok((true, _)));
    if !pod_eni || !enforced {
        return vec![not_applicable(
            &resource,
            "security groups for pods and NetworkPolicy enforcement are not both on",
        )];
    }
    let mode = cni_env(context, snapshot, "POD_SECURITY_GROUP_ENFORCING_MODE")
        .unwrap_or_else(|| "strict".to_string());
    vec![if mode == "standard" {
        result(
            &resource,
            Status::Pass,
            "/addon/configurationValues",
            "standard mode: NetworkPolicies also apply to pods with their own security groups",
        )
    } else {
        result(
            &resource,
            Status::Fail,
            "/addon/configurationValues",
            format!(
                "{mode} mode: NetworkPolicies do not apply to pods with their own security groups"
            ),
        )
    }]
}
