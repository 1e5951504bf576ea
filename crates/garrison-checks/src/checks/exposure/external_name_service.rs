use garrison_core::{Level, Object, SeedControl, Severity};
use serde_json::Value;

use super::service_type;
use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// Reports Services of type `ExternalName` whose target is inside the cluster (a
    /// `*.svc` or `*.svc.cluster.local` name) or an address (an IP written as a name). Other
    /// Services, and ExternalName Services that alias an outside DNS name, pass.
    ///
    /// ## Why it matters
    /// An ExternalName Service makes a name in one namespace resolve to a Service of another, and
    /// ingress controllers and service meshes that follow it then route traffic across the
    /// namespace boundary on the Service author's say-so: the confused-deputy pattern that
    /// CVE-2021-25740 describes for Endpoints. A tenant can publish another tenant's backend, or
    /// reach an internal address through an address target.
    ///
    /// ## How to fix
    /// Reference the other namespace's Service by its own DNS name from the client, or use a
    /// NetworkPolicy-governed route; remove ExternalName Services that point inside the cluster.
    ///
    /// ## References
    /// - CVE-2021-25740: Endpoint and EndpointSlice permissions allow cross-namespace forwarding
    /// - Kubernetes documentation: Service type ExternalName
    pub static META = CheckMeta {
        id: "EKS-NET-012",
        name: "external-name-service-inside-cluster",
        title: "ExternalName Service aliases a cluster service or address",
        severity: Severity::Low,
        level: Level::Application,
        control: SeedControl::NetworkPolicies,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Remove the ExternalName Service; call the target by its own name.",
    };
}

pub fn evaluate(_: &Context<'_>, object: &Object) -> Option<Vec<Outcome>> {
    if service_type(object) != "ExternalName" {
        return Some(Vec::new());
    }
    let target = object
        .value
        .pointer("/spec/externalName")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .trim_end_matches('.');
    let in_cluster = target.ends_with(".svc") || target.ends_with(".svc.cluster.local");
    let address = target.parse::<std::net::IpAddr>().is_ok();
    if !(in_cluster || address) {
        return Some(Vec::new());
    }
    let what = if address {
        "an IP address"
    } else {
        "a Service inside the cluster"
    };
    Some(vec![Outcome::fail(
        "/spec/externalName",
        format!("the Service aliases {target}, {what}"),
    )])
}
