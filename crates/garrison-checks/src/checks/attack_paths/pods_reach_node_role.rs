use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// Joins the facts of research §6.2's node-credential path: some pod can reach the instance
    /// metadata service (a node or launch template with hop limit above 1, EKS-IAM-005, or workloads
    /// with `hostNetwork`, EKS-PSS-006), the node role carries more than node policies (EKS-IAM-003),
    /// and no enforced egress NetworkPolicy blocks `169.254.169.254/32` (EKS-NP-007, EKS-NP-001) in
    /// the namespaces concerned. FAIL naming every fact; PASS when a link is missing; UNKNOWN when
    /// neither instances nor launch templates were collected.
    ///
    /// ## Why it matters
    /// The node role is shared by every pod that can reach IMDS; if it carries extra permissions,
    /// a compromise of any such pod becomes those AWS permissions.
    ///
    /// ## How to fix
    /// Set the hop limit to 1, avoid `hostNetwork`, trim the node role to node policies, and block
    /// IMDS with egress NetworkPolicies; give workloads Pod Identity roles.
    ///
    /// ## References
    /// - garrison research note eks-posture §6.2 (severity escalation through joined conditions)
    /// - EKS Best Practices Guide, Security: Identity and Access Management (restrict access to the instance profile)
    pub static META = CheckMeta {
        id: "EKS-PATH-002",
        name: "pods-reach-node-role",
        title: "Pods can obtain a broad node role through the metadata service",
        severity: Severity::High,
        level: Level::Infrastructure,
        control: SeedControl::WorkloadIdentity,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Hop limit 1, no hostNetwork, node policies only on the node role, and block IMDS egress.",
    };
}

use garrison_core::aws::ec2::{DescribeInstances, DescribeLaunchTemplateVersions};
use garrison_core::aws::eks::DescribeNodegroup;

const NODE_POLICIES: [&str; 5] = [
    "AmazonEKSWorkerNodePolicy",
    "AmazonEKSWorkerNodeMinimalPolicy",
    "AmazonEC2ContainerRegistryReadOnly",
    "AmazonEC2ContainerRegistryPullOnly",
    "AmazonSSMManagedInstanceCore",
];

/// Namespaces with a NetworkPolicy whose egress excepts the metadata address.
fn imds_blocked_namespaces(context: &Context<'_>) -> Vec<String> {
    context
        .inventory
        .objects
        .iter()
        .filter(|o| o.kind == "NetworkPolicy")
        .filter(|o| {
            o.value
                .pointer("/spec/egress")
                .is_some_and(|egress| egress.to_string().contains("169.254.169.254/32"))
        })
        .filter_map(|o| o.namespace.clone())
        .collect()
}

pub fn evaluate(context: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    let resource = cluster_resource(snapshot, None);
    let mut reach = Vec::new();
    let mut collected = false;
    if let Ok(instances) = snapshot.document::<DescribeInstances>("ec2/describe-instances.json") {
        collected = true;
        for (_, instance) in node_instances(context, &instances) {
            let hop = instance
                .metadata_options
                .as_ref()
                .and_then(|m| m.http_put_response_hop_limit)
                .unwrap_or(1);
            if hop > 1 {
                reach.push(format!(
                    "instance {} has hop limit {hop} (EKS-IAM-005)",
                    instance.instance_id.as_deref().unwrap_or("?")
                ));
            }
        }
    }
    for (key, document) in snapshot
        .documents::<DescribeLaunchTemplateVersions>("ec2/describe-launch-template-versions/")
    {
        let Ok(document) = document else { continue };
        collected = true;
        for version in &document.launch_template_versions {
            let hop = version
                .launch_template_data
                .as_ref()
                .and_then(|d| d.metadata_options.as_ref())
                .and_then(|m| m.http_put_response_hop_limit)
                .unwrap_or(1);
            if hop > 1 {
                reach.push(format!(
                    "launch template {} has hop limit {hop} (EKS-IAM-005)",
                    key.rsplit('/')
                        .next()
                        .unwrap_or(&key)
                        .trim_end_matches(".json")
                ));
            }
        }
    }
    let blocked = imds_blocked_namespaces(context);
    let enforced = matches!(network_policy_enforcement(context, snapshot), Ok((true, _)));
    let host_network: Vec<String> = context
        .inventory
        .workloads
        .iter()
        .filter(|entry| entry.host_network())
        .map(|entry| context.inventory.entry_object(entry))
        .filter(|o| !context.config.is_managed_namespace(o.namespace.as_deref()))
        .map(|o| format!("{}/{}", o.namespace.as_deref().unwrap_or(""), o.name))
        .collect();
    if !host_network.is_empty() {
        // hostNetwork pods are not subject to NetworkPolicies or the hop limit.
        reach.push(format!(
            "hostNetwork workloads {} (EKS-PSS-006)",
            host_network.join(", ")
        ));
    }
    if !collected && host_network.is_empty() {
        return vec![ResourceOutcome::new(
            &resource,
            crate::engine::Outcome::with_status(
                Status::Unknown,
                None,
                "neither instances nor launch templates were collected: whether pods reach IMDS is unknown",
            ),
        )];
    }
    if reach.is_empty() {
        return vec![result(
            &resource,
            Status::Pass,
            "",
            "no pod can reach the node's metadata service",
        )];
    }
    let mut roles: Vec<String> = snapshot
        .documents::<DescribeNodegroup>("eks/nodegroups/")
        .into_iter()
        .filter_map(|(_, d)| d.ok()?.nodegroup.node_role)
        .collect();
    roles.sort();
    roles.dedup();
    let cni_has_role = snapshot
        .document::<garrison_core::aws::eks::DescribeAddon>("eks/addons/vpc-cni.json")
        .is_ok_and(|a| {
            a.addon.service_account_role_arn.is_some()
                || !a.addon.pod_identity_associations.is_empty()
        });
    let mut extra = Vec::new();
    let mut unread = Vec::new();
    for role in &roles {
        let (_, key) = role_keys(role);
        match snapshot.document::<garrison_core::aws::iam::AttachedRolePolicies>(&key) {
            Ok(attached) => {
                for policy in attached.attached_policies {
                    let name = policy.policy_name.unwrap_or_default();
                    let node_policy = NODE_POLICIES.contains(&name.as_str())
                        || (name == "AmazonEKS_CNI_Policy" && !cni_has_role);
                    if !node_policy {
                        extra.push(format!("{name} on {}", garrison_core::aws::arn_name(role)));
                    }
                }
            }
            Err(missing) => unread.push(missing.reason(&key)),
        }
    }
    if extra.is_empty() && (roles.is_empty() || !unread.is_empty()) {
        let why = if unread.is_empty() {
            "no node group names its node role".to_string()
        } else {
            unread.join("; ")
        };
        return vec![ResourceOutcome::new(
            &resource,
            crate::engine::Outcome::with_status(
                Status::Unknown,
                None,
                format!(
                    "pods can reach IMDS ({}), but the node role's policies are unknown: {why}",
                    reach.join("; ")
                ),
            ),
        )];
    }
    if extra.is_empty() {
        return vec![result(
            &resource,
            Status::Pass,
            "",
            format!(
                "pods can reach IMDS ({}), but the node role carries only node policies",
                reach.join("; ")
            ),
        )];
    }
    let mitigation = if !enforced {
        "NetworkPolicies are not enforced (EKS-NP-001)".to_string()
    } else if blocked.is_empty() {
        "no egress NetworkPolicy blocks 169.254.169.254/32 (EKS-NP-007)".to_string()
    } else {
        format!(
            "IMDS is blocked by NetworkPolicy only in {} (EKS-NP-007)",
            blocked.join(", ")
        )
    };
    vec![result(
        &resource,
        Status::Fail,
        "",
        format!(
            "attack path: {} + node role has {} (EKS-IAM-003) + {mitigation}",
            reach.join("; "),
            extra.join(", ")
        ),
    )]
}
