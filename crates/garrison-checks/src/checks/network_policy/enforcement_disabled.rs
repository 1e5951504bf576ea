use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// Decides whether the cluster enforces NetworkPolicies at all: the VPC CNI's native engine
    /// (vpc-cni add-on `configurationValues.enableNetworkPolicy`, parsed from JSON or YAML, or the
    /// `aws-network-policy-agent` flag in `kube-system/aws-node`), the Auto Mode switch
    /// (`kube-system/amazon-vpc-cni` `enable-network-policy-controller: "true"`), or a Calico or
    /// Cilium DaemonSet. Tools that look only for Calico or Cilium miss the VPC CNI engine; tools that
    /// test for a cluster security group always pass.
    ///
    /// ## Why it matters
    /// Without an engine, NetworkPolicy objects are accepted by the API server and do nothing.
    ///
    /// ## How to fix
    /// Set `{"enableNetworkPolicy": "true"}` in the vpc-cni add-on configuration (on Auto Mode, set
    /// `enable-network-policy-controller: "true"` in `kube-system/amazon-vpc-cni`).
    ///
    /// ## References
    /// - EKS documentation: Limit pod traffic with Kubernetes network policies
    /// - CIS Amazon EKS Benchmark v1.8.0, 4.3.1 and 5.4.4
    /// - EKS Best Practices Guide, Security: Network security
    pub static META = CheckMeta {
        id: "EKS-NP-001",
        name: "network-policy-enforcement-disabled",
        title: "No NetworkPolicy enforcement engine is enabled",
        severity: Severity::High,
        level: Level::Infrastructure,
        control: SeedControl::NetworkPolicies,
        cis: Some("4.3.1"),
        security_hub: None,
        pss: None,
        remediation: "Enable network policy enforcement (vpc-cni enableNetworkPolicy).",
    };
}

pub fn evaluate(context: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    let resource = cluster_resource(snapshot, None);
    vec![match network_policy_enforcement(context, snapshot) {
        Ok((true, evidence)) => result(&resource, Status::Pass, "", evidence),
        Ok((false, evidence)) => result(&resource, Status::Fail, "", evidence),
        Err(reason) => ResourceOutcome::new(
            &resource,
            crate::engine::Outcome::with_status(Status::Unknown, None, reason),
        ),
    }]
}
