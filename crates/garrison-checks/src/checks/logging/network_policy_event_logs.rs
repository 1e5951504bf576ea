use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// Parses the vpc-cni add-on's `configurationValues` (JSON or YAML text) and reads
    /// `nodeAgent.enablePolicyEventLogs`: PASS when true, FAIL otherwise. NOT_APPLICABLE when the
    /// add-on does not enforce network policies.
    ///
    /// ## Why it matters
    /// Without decision logs, a denied or allowed flow leaves no trace, so policies cannot be tuned
    /// and violations cannot be investigated.
    ///
    /// ## How to fix
    /// Set `{"nodeAgent": {"enablePolicyEventLogs": "true"}}` in the vpc-cni add-on configuration.
    ///
    /// ## References
    /// - EKS documentation: Configure network policy logs
    /// - EKS Best Practices Guide, Security: Network security (monitoring network policy enforcement)
    pub static META = CheckMeta {
        id: "EKS-LOG-007",
        name: "network-policy-event-logs",
        title: "Network policy decision logs are off",
        severity: Severity::Low,
        level: Level::Infrastructure,
        control: SeedControl::AuditLoggingAndMonitoring,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Enable nodeAgent.enablePolicyEventLogs in the vpc-cni add-on.",
    };
}

pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    let cluster = cluster_resource(snapshot, None);
    let (addon, configuration) = match cni_configuration(snapshot) {
        Ok(found) => found,
        Err((key, missing)) => return vec![unknown(&cluster, &key, &missing)],
    };
    let resource = crate::engine::Resource::new("Addon", "vpc-cni", "aws/eks/addons/vpc-cni.json")
        .with_arn(addon.addon_arn.as_deref());
    if !configuration.is_true("/enableNetworkPolicy") {
        return vec![not_applicable(
            &resource,
            "vpc-cni does not enforce network policies",
        )];
    }
    vec![
        if configuration.is_true("/nodeAgent/enablePolicyEventLogs") {
            result(
                &resource,
                Status::Pass,
                "/addon/configurationValues",
                "network policy decisions are logged",
            )
        } else {
            result(
                &resource,
                Status::Fail,
                "/addon/configurationValues",
                "nodeAgent.enablePolicyEventLogs is not true: policy decisions are not logged",
            )
        },
    ]
}
