use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// Two results. The aws-node identity: PASS when the vpc-cni add-on has a
    /// `serviceAccountRoleArn` or Pod Identity association, or `kube-system/aws-node` has an IRSA
    /// annotation; FAIL otherwise. The residue: when aws-node has its own role, FAIL if the node role
    /// still has `AmazonEKS_CNI_Policy` attached (every pod that reaches IMDS gets it), PASS otherwise.
    ///
    /// ## Why it matters
    /// `AmazonEKS_CNI_Policy` can create and attach network interfaces and assign IPs; left on the
    /// node role it is available to any pod that reaches the instance metadata service.
    ///
    /// ## How to fix
    /// Give the vpc-cni add-on its own role (`--service-account-role-arn` or a Pod Identity
    /// association), then detach `AmazonEKS_CNI_Policy` from the node role.
    ///
    /// ## References
    /// - EKS Best Practices Guide, Security: Identity and Access Management (update the aws-node daemonset to use IRSA)
    /// - EKS documentation: IAM roles for service accounts
    pub static META = CheckMeta {
        id: "EKS-IAM-002",
        name: "aws-node-uses-node-role",
        title: "VPC CNI (aws-node) uses the node role",
        severity: Severity::Medium,
        level: Level::Cluster,
        control: SeedControl::WorkloadIdentity,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Give aws-node its own role and detach AmazonEKS_CNI_Policy from the node role.",
    };
}

use garrison_core::aws::eks::DescribeNodegroup;

pub fn evaluate(context: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    let cluster = cluster_resource(snapshot, None);
    let addon = snapshot
        .document::<garrison_core::aws::eks::DescribeAddon>("eks/addons/vpc-cni.json")
        .ok()
        .map(|d| d.addon);
    let annotation = context
        .inventory
        .objects
        .iter()
        .find(|o| {
            o.kind == "ServiceAccount" && o.name == "aws-node" && o.in_namespace("kube-system")
        })
        .and_then(|o| {
            o.annotation("eks.amazonaws.com/role-arn")
                .map(str::to_string)
        });
    let own_role = addon
        .as_ref()
        .and_then(|a| a.service_account_role_arn.clone())
        .or_else(|| {
            addon
                .as_ref()
                .filter(|a| !a.pod_identity_associations.is_empty())
                .map(|_| "a Pod Identity association".to_string())
        })
        .or(annotation);
    let resource = crate::engine::Resource::new("Addon", "vpc-cni", "aws/eks/addons/vpc-cni.json")
        .with_arn(addon.as_ref().and_then(|a| a.addon_arn.as_deref()));
    if addon.is_none()
        && !context
            .inventory
            .objects
            .iter()
            .any(|o| o.kind == "DaemonSet" && o.name == "aws-node")
    {
        return vec![unknown(
            &cluster,
            "eks/addons/vpc-cni.json",
            &garrison_core::snapshot::Missing::NotCollected,
        )];
    }
    let Some(role) = own_role else {
        return vec![result(
            &resource,
            Status::Fail,
            "/addon",
            "aws-node has no role of its own: it uses the node role's AmazonEKS_CNI_Policy",
        )];
    };
    let mut results = vec![result(
        &resource,
        Status::Pass,
        "/addon/serviceAccountRoleArn",
        format!("aws-node uses {role}"),
    )];
    let mut node_roles: Vec<String> = snapshot
        .documents::<DescribeNodegroup>("eks/nodegroups/")
        .into_iter()
        .filter_map(|(_, d)| d.ok()?.nodegroup.node_role)
        .collect();
    node_roles.sort();
    node_roles.dedup();
    for node_role in node_roles {
        let (_, attached_key) = role_keys(&node_role);
        let role_resource = role_resource(&node_role);
        match snapshot.document::<garrison_core::aws::iam::AttachedRolePolicies>(&attached_key) {
            Ok(attached) => results.push(match attached.attached_policies.iter().position(|p| p.policy_name.as_deref() == Some("AmazonEKS_CNI_Policy")) {
                Some(index) => result(&role_resource, Status::Fail, &format!("/AttachedPolicies/{index}"), "the node role still has AmazonEKS_CNI_Policy although aws-node has its own role"),
                None => result(&role_resource, Status::Pass, "/AttachedPolicies", "the node role does not carry the CNI policy"),
            }),
            Err(missing) => results.push(unknown(&role_resource, &attached_key, &missing)),
        }
    }
    results
}
