use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

use super::{instance_options, template_options};

declare_check! {
    /// ## What it does
    /// One result per node launch template version and node instance: FAIL when
    /// `HttpPutResponseHopLimit` is above 1 with the endpoint enabled, PASS otherwise. The message
    /// joins the facts that make it worse: pods with `hostNetwork` bypass the hop limit entirely, and
    /// the node role's attached policies say what a pod would obtain.
    ///
    /// ## Why it matters
    /// With a hop limit of 2, every pod (not only the node's own agents) can fetch the node role's
    /// credentials and act as the node: pull any image, describe the VPC, and more.
    ///
    /// ## How to fix
    /// Set `HttpPutResponseHopLimit=1` and give pods their own roles through Pod Identity or IRSA;
    /// if something needs hop limit 2, block `169.254.169.254/32` with egress NetworkPolicies.
    ///
    /// ## References
    /// - EKS Best Practices Guide, Security: Identity and Access Management (restrict access to the instance profile)
    /// - Amazon EC2 documentation: Configure the instance metadata options
    pub static META = CheckMeta {
        id: "EKS-IAM-005",
        name: "imds-hop-limit",
        title: "Pods can reach the node role through IMDS (hop limit above 1)",
        severity: Severity::Medium,
        level: Level::Infrastructure,
        control: SeedControl::WorkloadIdentity,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Set the IMDS hop limit to 1; use Pod Identity or IRSA for pods.",
    };
}

pub fn evaluate(context: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    let mut results = Vec::new();
    let mut found = template_options(snapshot, &mut results);
    found.extend(instance_options(context, snapshot, &mut results));
    let host_network: Vec<String> = context
        .inventory
        .workloads
        .iter()
        .filter(|entry| entry.host_network())
        .map(|entry| context.inventory.entry_object(entry))
        .filter(|o| !context.config.is_managed_namespace(o.namespace.as_deref()))
        .map(|o| format!("{}/{}", o.namespace.as_deref().unwrap_or(""), o.name))
        .collect();
    for (resource, pointer, options) in found {
        let options = options.unwrap_or_default();
        let hop = options.http_put_response_hop_limit.unwrap_or(1);
        if options.http_endpoint.as_deref() == Some("disabled") || hop <= 1 {
            results.push(result(
                &resource,
                Status::Pass,
                &pointer,
                format!("hop limit {hop}: pods cannot reach the node's metadata service"),
            ));
        } else {
            let mut message =
                format!("hop limit {hop}: every pod can obtain the node role's credentials");
            if !host_network.is_empty() {
                message.push_str(&format!(
                    "; hostNetwork workloads reach IMDS regardless: {}",
                    host_network.join(", ")
                ));
            }
            results.push(result(
                &resource,
                Status::Fail,
                &format!("{pointer}/HttpPutResponseHopLimit"),
                message,
            ));
        }
    }
    results
}
