use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// One result per Service of type LoadBalancer and per Ingress of the ALB class: internet-facing
    /// when the scheme annotation says so (`service.beta.kubernetes.io/aws-load-balancer-scheme`,
    /// `alb.ingress.kubernetes.io/scheme`), or for the legacy in-tree controller unless marked
    /// internal (the AWS Load Balancer Controller defaults to internal). FAIL when internet-facing
    /// without `loadBalancerSourceRanges` / `inbound-cidrs` narrower than the internet; PASS otherwise.
    ///
    /// ## Why it matters
    /// Every internet-facing load balancer is an entry point; one that admits every address exposes
    /// the service to scanning and attack even when only partners or offices need it.
    ///
    /// ## How to fix
    /// Set `spec.loadBalancerSourceRanges` (or `alb.ingress.kubernetes.io/inbound-cidrs`), or make
    /// the load balancer internal if nothing outside the VPC needs it.
    ///
    /// ## References
    /// - AWS Load Balancer Controller documentation: Service and Ingress annotations
    /// - EKS Best Practices Guide, Security: Network security
    pub static META = CheckMeta {
        id: "EKS-NET-008",
        name: "internet-facing-load-balancer",
        title: "Internet-facing load balancer admits every source address",
        severity: Severity::Medium,
        level: Level::Cluster,
        control: SeedControl::PrivateEndpointAndPrivatelink,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Restrict internet-facing load balancers with source ranges, or make them internal.",
    };
}

fn open_ranges(ranges: &[String]) -> bool {
    ranges.is_empty() || ranges.iter().any(|r| r == "0.0.0.0/0" || r == "::/0")
}

pub fn evaluate(context: &Context<'_>, _: &Snapshot) -> Vec<ResourceOutcome> {
    let mut results = Vec::new();
    for object in context
        .inventory
        .objects
        .iter()
        .filter(|o| matches!(o.kind.as_str(), "Service" | "Ingress"))
    {
        let name = format!(
            "{}/{}",
            object.namespace.as_deref().unwrap_or(""),
            object.name
        );
        let resource = crate::engine::Resource::new(
            if object.kind == "Service" {
                "Service"
            } else {
                "Ingress"
            },
            name,
            object.origin.file.name.to_string(),
        );
        let (internet_facing, ranges, pointer) = if object.kind == "Service" {
            if object
                .value
                .pointer("/spec/type")
                .and_then(serde_json::Value::as_str)
                != Some("LoadBalancer")
            {
                continue;
            }
            let scheme = object.annotation("service.beta.kubernetes.io/aws-load-balancer-scheme");
            let controller = object
                .value
                .pointer("/spec/loadBalancerClass")
                .and_then(serde_json::Value::as_str)
                .is_some_and(|c| c.starts_with("service.k8s.aws/"))
                || object
                    .annotation("service.beta.kubernetes.io/aws-load-balancer-type")
                    .is_some_and(|t| t == "external" || t == "nlb-ip");
            let internal_flag = object
                .annotation("service.beta.kubernetes.io/aws-load-balancer-internal")
                .is_some_and(|v| v == "true" || v == "0.0.0.0/0");
            let internet_facing = match scheme {
                Some(scheme) => scheme == "internet-facing",
                None => !controller && !internal_flag,
            };
            let ranges: Vec<String> = object
                .value
                .pointer("/spec/loadBalancerSourceRanges")
                .and_then(serde_json::Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect();
            (internet_facing, ranges, "/spec/loadBalancerSourceRanges")
        } else {
            let Some(scheme) = object.annotation("alb.ingress.kubernetes.io/scheme") else {
                continue;
            };
            let ranges: Vec<String> = object
                .annotation("alb.ingress.kubernetes.io/inbound-cidrs")
                .map(|c| c.split(',').map(|r| r.trim().to_string()).collect())
                .unwrap_or_default();
            (scheme == "internet-facing", ranges, "/metadata/annotations")
        };
        results.push(if !internet_facing {
            result(
                &resource,
                Status::Pass,
                pointer,
                "the load balancer is internal",
            )
        } else if open_ranges(&ranges) {
            result(
                &resource,
                Status::Fail,
                pointer,
                "internet-facing and open to every source address",
            )
        } else {
            result(
                &resource,
                Status::Pass,
                pointer,
                format!("internet-facing, limited to {}", ranges.join(", ")),
            )
        });
    }
    results
}
