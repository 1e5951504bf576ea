use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// One result per policy attached to each node role (managed node groups' `nodeRole`, Auto Mode
    /// `computeConfig.nodeRoleArn`): PASS for `AmazonEKSWorkerNodePolicy`,
    /// `AmazonEKSWorkerNodeMinimalPolicy`, `AmazonEC2ContainerRegistryReadOnly`/`PullOnly`,
    /// `AmazonSSMManagedInstanceCore`, and `AmazonEKS_CNI_Policy` while aws-node has no role of its
    /// own; FAIL for anything else.
    ///
    /// ## Why it matters
    /// The node role is available to every pod that reaches IMDS and to anyone who gets onto a node;
    /// anything beyond pulling images and joining the cluster is a privilege escalation path.
    ///
    /// ## How to fix
    /// Move extra permissions to Pod Identity or IRSA roles of the workloads that need them.
    ///
    /// ## References
    /// - EKS Best Practices Guide, Security: Identity and Access Management
    /// - CIS Amazon EKS Benchmark v1.8.0, 5.1.3
    /// - EKS documentation: Amazon EKS node IAM role
    pub static META = CheckMeta {
        id: "EKS-IAM-003",
        name: "node-role-broad",
        title: "Node IAM role has policies beyond what nodes need",
        severity: Severity::High,
        level: Level::Infrastructure,
        control: SeedControl::WorkloadIdentity,
        cis: Some("5.1.3"),
        security_hub: None,
        pss: None,
        remediation: "Keep node roles to the node policies; move the rest to workload roles.",
    };
}

use garrison_core::aws::eks::DescribeNodegroup;

const NODE_POLICIES: [&str; 6] = [
    "AmazonEKSWorkerNodePolicy",
    "AmazonEKSWorkerNodeMinimalPolicy",
    "AmazonEC2ContainerRegistryReadOnly",
    "AmazonEC2ContainerRegistryPullOnly",
    "AmazonSSMManagedInstanceCore",
    "AmazonEKS_CNI_Policy",
];

pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    let mut results = Vec::new();
    let mut roles: Vec<String> = each_or_unknown::<DescribeNodegroup>(
        snapshot,
        "eks/nodegroups/",
        "Nodegroup",
        &mut results,
    )
    .into_iter()
    .filter_map(|(d, _)| d.nodegroup.node_role)
    .collect();
    if let Ok(cluster) =
        snapshot.document::<garrison_core::aws::eks::DescribeCluster>(DESCRIBE_CLUSTER)
    {
        roles.extend(cluster.cluster.compute_config.and_then(|c| c.node_role_arn));
    }
    roles.sort();
    roles.dedup();
    let cni_has_role = snapshot
        .document::<garrison_core::aws::eks::DescribeAddon>("eks/addons/vpc-cni.json")
        .is_ok_and(|a| {
            a.addon.service_account_role_arn.is_some()
                || !a.addon.pod_identity_associations.is_empty()
        });
    for role in roles {
        let (_, key) = role_keys(&role);
        let resource = role_resource(&role);
        match snapshot.document::<garrison_core::aws::iam::AttachedRolePolicies>(&key) {
            Ok(attached) => {
                for (index, policy) in attached.attached_policies.iter().enumerate() {
                    let name = policy.policy_name.as_deref().unwrap_or("?");
                    let aws_managed = policy
                        .policy_arn
                        .as_deref()
                        .is_some_and(|arn| arn.starts_with("arn:aws:iam::aws:policy/"));
                    let pointer = format!("/AttachedPolicies/{index}");
                    results.push(if !(aws_managed && NODE_POLICIES.contains(&name)) {
                        result(
                            &resource,
                            Status::Fail,
                            &pointer,
                            format!("{name} is not a node policy: every pod reaching IMDS gets it"),
                        )
                    } else if name == "AmazonEKS_CNI_Policy" && cni_has_role {
                        result(
                            &resource,
                            Status::Fail,
                            &pointer,
                            "AmazonEKS_CNI_Policy is unnecessary: aws-node has its own role",
                        )
                    } else {
                        result(
                            &resource,
                            Status::Pass,
                            &pointer,
                            format!("{name} is a node policy"),
                        )
                    });
                }
            }
            Err(missing) => results.push(unknown(&resource, &key, &missing)),
        }
    }
    results
}
