use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// One result per `SecurityGroupPolicy`: looks up each of `spec.securityGroups.groupIds` in
    /// `ec2/describe-security-groups.json`, FAIL when one admits `0.0.0.0/0` or `::/0` inbound, PASS
    /// when none does, UNKNOWN when a group is not in the snapshot.
    ///
    /// ## Why it matters
    /// The pods selected by the policy are directly reachable from the internet on the opened ports
    /// through their own ENIs.
    ///
    /// ## How to fix
    /// Restrict the security group's inbound rules to the load balancer's or the clients' groups.
    ///
    /// ## References
    /// - EKS documentation: Assign security groups to individual pods
    /// - EKS Best Practices Guide, Security: Network security
    pub static META = CheckMeta {
        id: "EKS-SGP-003",
        name: "pod-security-group-open",
        title: "SecurityGroupPolicy assigns a security group open to the internet",
        severity: Severity::Medium,
        level: Level::Infrastructure,
        control: SeedControl::SecurityGroupsForPods,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Remove internet-open inbound rules from pod security groups.",
    };
}

use garrison_core::aws::ec2::DescribeSecurityGroups;

pub fn evaluate(context: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    let policies: Vec<_> = context
        .inventory
        .objects
        .iter()
        .filter(|o| o.kind == "SecurityGroupPolicy")
        .collect();
    if policies.is_empty() {
        return Vec::new();
    }
    let groups = snapshot.document::<DescribeSecurityGroups>("ec2/describe-security-groups.json");
    policies
        .into_iter()
        .map(|policy| {
            let resource = crate::engine::Resource::new(
                "SecurityGroupPolicy",
                format!(
                    "{}/{}",
                    policy.namespace.as_deref().unwrap_or(""),
                    policy.name
                ),
                policy.origin.file.name.to_string(),
            );
            let groups = match &groups {
                Ok(groups) => groups,
                Err(missing) => {
                    return unknown(&resource, "ec2/describe-security-groups.json", missing);
                }
            };
            let ids: Vec<&str> = policy
                .value
                .pointer("/spec/securityGroups/groupIds")
                .and_then(serde_json::Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(serde_json::Value::as_str)
                .collect();
            for (index, id) in ids.iter().enumerate() {
                let Some(group) = groups
                    .security_groups
                    .iter()
                    .find(|g| g.group_id.as_deref() == Some(id))
                else {
                    return result(
                        &resource,
                        Status::Unknown,
                        &format!("/spec/securityGroups/groupIds/{index}"),
                        format!("{id} is not in describe-security-groups"),
                    );
                };
                if let Some(rule) = group
                    .ip_permissions
                    .iter()
                    .find(|r| !r.world_sources().is_empty())
                {
                    return result(
                        &resource,
                        Status::Fail,
                        &format!("/spec/securityGroups/groupIds/{index}"),
                        format!(
                            "{id} admits {} ({} ports {}-{})",
                            rule.world_sources().join(" and "),
                            rule.ip_protocol.as_deref().unwrap_or("?"),
                            rule.from_port.unwrap_or(0),
                            rule.to_port.unwrap_or(65535)
                        ),
                    );
                }
            }
            result(
                &resource,
                Status::Pass,
                "/spec/securityGroups/groupIds",
                format!("{} security groups, none open to the internet", ids.len()),
            )
        })
        .collect()
}
