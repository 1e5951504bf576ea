use garrison_core::{Level, Object, SeedControl, Severity};
use serde_json::Value;

use super::{is_alb_ingress, segment, service_type};
use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// Reports internet-facing AWS load balancers open to every address. A Service of type
    /// `LoadBalancer` is internet-facing when its `service.beta.kubernetes.io/aws-load-balancer-scheme`
    /// annotation says so, or when it has no scheme and is served by the legacy in-tree
    /// controller (no `loadBalancerClass` and no `aws-load-balancer-type: external|nlb-ip`), whose
    /// default is internet-facing; the AWS Load Balancer Controller's default is internal. An ALB
    /// Ingress is internet-facing with `alb.ingress.kubernetes.io/scheme: internet-facing`. It
    /// fails when no source ranges restrict it (`spec.loadBalancerSourceRanges`, the
    /// `load-balancer-source-ranges` or `inbound-cidrs` annotations) or they include `0.0.0.0/0`
    /// or `::/0`. Internal load balancers pass; other Services and Ingresses are not judged.
    ///
    /// ## Why it matters
    /// An internet-facing load balancer puts the application on the internet, where it is found
    /// by scanners within minutes. Admin UIs, notebooks, metrics and internal APIs exposed this
    /// way are a common cause of EKS incidents, and the default scheme differs between the two
    /// controllers, so a manifest that was internal under one becomes public under the other.
    ///
    /// ## How to fix
    /// Set the scheme to `internal` unless the service is meant for the internet; otherwise
    /// restrict `spec.loadBalancerSourceRanges` (or `alb.ingress.kubernetes.io/inbound-cidrs`) to
    /// the clients' ranges and put AWS WAF in front of an ALB.
    ///
    /// ## References
    /// - AWS Load Balancer Controller documentation: Service and Ingress annotations (scheme, source ranges)
    /// - EKS Best Practices Guide, Network Security
    pub static META = CheckMeta {
        id: "EKS-NET-008",
        name: "internet-facing-load-balancer",
        title: "Internet-facing load balancer open to all addresses",
        severity: Severity::Medium,
        level: Level::Application,
        control: SeedControl::PrivateEndpointAndPrivatelink,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Make the load balancer internal or restrict its source ranges.",
    };
}

const SCHEME: &str = "service.beta.kubernetes.io/aws-load-balancer-scheme";
const LEGACY_INTERNAL: &str = "service.beta.kubernetes.io/aws-load-balancer-internal";
const SOURCE_RANGES: &str = "service.beta.kubernetes.io/load-balancer-source-ranges";
const ALB_SCHEME: &str = "alb.ingress.kubernetes.io/scheme";
const ALB_CIDRS: &str = "alb.ingress.kubernetes.io/inbound-cidrs";

fn open_to_all(ranges: &[&str]) -> bool {
    ranges.is_empty()
        || ranges
            .iter()
            .any(|range| matches!(range.trim(), "0.0.0.0/0" | "::/0"))
}

fn split(list: &str) -> Vec<&str> {
    list.split(',')
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .collect()
}

pub fn evaluate(_: &Context<'_>, object: &Object) -> Option<Vec<Outcome>> {
    if object.kind == "Ingress" {
        if !is_alb_ingress(object) {
            return None;
        }
        if object.annotation(ALB_SCHEME) != Some("internet-facing") {
            return Some(Vec::new());
        }
        let ranges = object.annotation(ALB_CIDRS).map(split).unwrap_or_default();
        if !open_to_all(&ranges) {
            return Some(Vec::new());
        }
        return Some(vec![Outcome::fail(
            format!("/metadata/annotations/{}", segment(ALB_SCHEME)),
            "the ALB is internet-facing and accepts every source address (no inbound-cidrs)",
        )]);
    }
    if service_type(object) != "LoadBalancer" {
        return None;
    }
    let class = object
        .value
        .pointer("/spec/loadBalancerClass")
        .and_then(Value::as_str);
    let controller_managed = class.is_some()
        || matches!(
            object.annotation("service.beta.kubernetes.io/aws-load-balancer-type"),
            Some("external" | "nlb-ip")
        );
    let (internet_facing, why) = match object.annotation(SCHEME) {
        Some(scheme) => (scheme == "internet-facing", "its scheme annotation"),
        None if object
            .annotation(LEGACY_INTERNAL)
            .is_some_and(|v| v != "false") =>
        {
            (false, "the internal annotation")
        }
        None if controller_managed => (false, "the AWS Load Balancer Controller's default"),
        None => (true, "the in-tree controller's default scheme"),
    };
    if !internet_facing {
        return Some(Vec::new());
    }
    let mut ranges: Vec<&str> = object
        .value
        .pointer("/spec/loadBalancerSourceRanges")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    if ranges.is_empty() {
        ranges = object
            .annotation(SOURCE_RANGES)
            .map(split)
            .unwrap_or_default();
    }
    if !open_to_all(&ranges) {
        return Some(Vec::new());
    }
    let pointer = if object.annotation(SCHEME).is_some() {
        format!("/metadata/annotations/{}", segment(SCHEME))
    } else {
        "/spec/type".to_string()
    };
    Some(vec![Outcome::fail(
        pointer,
        format!("the load balancer is internet-facing ({why}) and accepts every source address"),
    )])
}
