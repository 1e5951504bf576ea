use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};
use garrison_core::aws::iam::{GetRole, PolicyDocument};

declare_check! {
    /// ## What it does
    /// Joins the AWS and Kubernetes planes: one result per Pod Identity association
    /// (`list-pod-identity-associations`) and per exact IRSA trust `sub`
    /// (`system:serviceaccount:<ns>:<sa>`) of collected role documents: FAIL when the namespace or
    /// ServiceAccount is not in the cluster, PASS when it is.
    ///
    /// ## Why it matters
    /// A dangling binding is a role waiting for its first claimant: whoever can create that service
    /// account (or namespace) inherits the role's AWS permissions.
    ///
    /// ## How to fix
    /// Delete the association or the trust statement, or create the intended service account.
    ///
    /// ## References
    /// - EKS documentation: EKS Pod Identity
    /// - EKS documentation: IAM roles for service accounts
    pub static META = CheckMeta {
        id: "EKS-IAM-009",
        name: "dangling-workload-identity",
        title: "IAM role bound to a service account that does not exist",
        severity: Severity::Medium,
        level: Level::Cluster,
        control: SeedControl::WorkloadIdentity,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Remove identity bindings to service accounts that do not exist.",
    };
}

use garrison_core::aws::eks::ListPodIdentityAssociations;

pub fn evaluate(context: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    let exists = |namespace: &str, name: &str| {
        context
            .inventory
            .objects
            .iter()
            .any(|o| o.kind == "ServiceAccount" && o.name == name && o.in_namespace(namespace))
    };
    let mut results = Vec::new();
    let cluster = cluster_resource(snapshot, None);
    match snapshot
        .document::<ListPodIdentityAssociations>("eks/list-pod-identity-associations.json")
    {
        Ok(list) => {
            for (index, association) in list.associations.iter().enumerate() {
                let namespace = association.namespace.as_deref().unwrap_or_default();
                let account = association.service_account.as_deref().unwrap_or_default();
                let name = association
                    .association_id
                    .clone()
                    .unwrap_or_else(|| format!("{namespace}/{account}"));
                let resource = crate::engine::Resource::new(
                    "PodIdentityAssociation",
                    name,
                    "aws/eks/list-pod-identity-associations.json",
                )
                .with_arn(association.association_arn.as_deref());
                let pointer = format!("/associations/{index}");
                results.push(if exists(namespace, account) {
                    result(&resource, Status::Pass, &pointer, format!("ServiceAccount {namespace}/{account} exists"))
                } else {
                    result(&resource, Status::Fail, &pointer, format!("ServiceAccount {namespace}/{account} does not exist: whoever creates it gets the role"))
                });
            }
        }
        Err(missing) => results.push(unknown(
            &cluster,
            "eks/list-pod-identity-associations.json",
            &missing,
        )),
    }
    for (key, role) in snapshot.documents::<GetRole>("iam/roles/") {
        let Ok(role) = role else { continue };
        let Some(Ok(document)) = role
            .role
            .assume_role_policy_document
            .as_ref()
            .map(PolicyDocument::parse)
        else {
            continue;
        };
        let arn = role.role.arn.clone().unwrap_or_default();
        let resource = crate::engine::Resource::new(
            "IAMRole",
            garrison_core::aws::arn_name(&arn),
            format!("aws/{key}"),
        )
        .with_arn(Some(&arn));
        for (index, statement) in document.statements.iter().enumerate() {
            let subs: Vec<&str> = statement
                .conditions
                .iter()
                .filter(|(operator, key, _)| {
                    operator.ends_with("StringEquals") && key.ends_with(":sub")
                })
                .flat_map(|(_, _, values)| values.iter().map(String::as_str))
                .collect();
            for sub in subs {
                let Some((namespace, account)) = sub
                    .strip_prefix("system:serviceaccount:")
                    .and_then(|rest| rest.split_once(':'))
                else {
                    continue;
                };
                let pointer = format!("/Role/AssumeRolePolicyDocument/Statement/{index}/Condition");
                results.push(if exists(namespace, account) {
                    result(&resource, Status::Pass, &pointer, format!("IRSA trust names ServiceAccount {namespace}/{account}, which exists"))
                } else {
                    result(&resource, Status::Fail, &pointer, format!("IRSA trust names ServiceAccount {namespace}/{account}, which does not exist"))
                });
            }
        }
    }
    results
}
