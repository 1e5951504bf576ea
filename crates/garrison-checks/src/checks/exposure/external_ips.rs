use garrison_core::{Level, Object, SeedControl, Severity};
use serde_json::Value;

use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// Reports Services that set `spec.externalIPs`.
    ///
    /// ## Why it matters
    /// kube-proxy sends traffic for an external IP to the Service's pods on every node, whatever
    /// the address belongs to. Whoever can create or edit a Service can so intercept the
    /// cluster's traffic to any IP address, an AWS endpoint or another tenant's service
    /// (CVE-2020-8554, which Kubernetes will not fix in code). Legitimate uses are rare on EKS,
    /// where load balancers provide external addresses.
    ///
    /// ## How to fix
    /// Remove `externalIPs` and expose the Service through a load balancer. Block the field for
    /// everyone with an admission policy (the `DenyServiceExternalIPs` plugin is not available on
    /// EKS; use a ValidatingAdmissionPolicy, Kyverno or Gatekeeper).
    ///
    /// ## References
    /// - CVE-2020-8554: man-in-the-middle using LoadBalancer or ExternalIPs
    /// - Kubernetes documentation: Service, external IPs
    pub static META = CheckMeta {
        id: "EKS-NET-009",
        name: "service-external-ips",
        title: "Service claims external IP addresses",
        severity: Severity::Medium,
        level: Level::Application,
        control: SeedControl::PrivateEndpointAndPrivatelink,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Remove spec.externalIPs from the Service and block it by admission policy.",
    };
}

pub fn evaluate(_: &Context<'_>, object: &Object) -> Option<Vec<Outcome>> {
    let addresses: Vec<&str> = object
        .value
        .pointer("/spec/externalIPs")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    if addresses.is_empty() {
        return Some(Vec::new());
    }
    Some(vec![Outcome::fail(
        "/spec/externalIPs",
        format!(
            "the Service captures traffic for {} on every node",
            addresses.join(", ")
        ),
    )])
}
