use garrison_core::{Level, Object, SeedControl, Severity};
use serde_json::Value;

use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// Reports `default` service accounts that carry an IAM role: an IRSA annotation
    /// `eks.amazonaws.com/role-arn`, or an EKS Pod Identity association for the namespace's
    /// `default` account in the snapshot (`aws/eks/list-pod-identity-associations.json`). Other
    /// `default` service accounts pass; named service accounts are not judged.
    ///
    /// ## Why it matters
    /// Every pod that names no service account runs as `default`, so an IAM role on it goes to
    /// every such pod of the namespace, including ones deployed later by anyone allowed to create
    /// pods there. AWS permissions then follow namespace membership instead of a decision about
    /// one workload.
    ///
    /// ## How to fix
    /// Create a dedicated service account for the workload that needs the role, move the
    /// annotation or the Pod Identity association to it, and set `serviceAccountName` on that
    /// workload.
    ///
    /// ## References
    /// - EKS Best Practices Guide, Identity and Access Management: scope IAM roles to one workload
    /// - CIS Amazon EKS Benchmark 4.1.5: default service accounts are not actively used
    pub static META = CheckMeta {
        id: "EKS-IAM-016",
        name: "default-service-account-iam-role",
        title: "Default service account has an IAM role",
        severity: Severity::High,
        level: Level::Application,
        control: SeedControl::WorkloadIdentity,
        cis: Some("4.1.5"),
        security_hub: None,
        pss: None,
        remediation: "Move the IAM role to a dedicated service account of the workload.",
    };
}

pub fn evaluate(context: &Context<'_>, object: &Object) -> Option<Vec<Outcome>> {
    if object.name != "default" {
        return None;
    }
    let mut outcomes = Vec::new();
    if let Some(role) = object.annotation("eks.amazonaws.com/role-arn") {
        outcomes.push(Outcome::fail(
            "/metadata/annotations/eks.amazonaws.com~1role-arn",
            format!("the default service account is annotated with IAM role {role} (IRSA)"),
        ));
    }
    let associations = context
        .inventory
        .snapshot
        .as_ref()
        .and_then(|snapshot| snapshot.aws("eks/list-pod-identity-associations.json").ok())
        .and_then(|document| document.get("associations"))
        .and_then(Value::as_array);
    for association in associations.into_iter().flatten() {
        let field = |name: &str| association.get(name).and_then(Value::as_str);
        if field("serviceAccount") == Some("default")
            && field("namespace") == object.namespace.as_deref()
        {
            outcomes.push(Outcome::fail(
                "/metadata/name",
                format!(
                    "EKS Pod Identity association {} gives the default service account an IAM role",
                    field("associationId").unwrap_or("(no id)")
                ),
            ));
        }
    }
    Some(outcomes)
}
