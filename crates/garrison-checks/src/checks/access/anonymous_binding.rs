use garrison_core::{Level, Object, SeedControl, Severity};
use serde_json::Value;

use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// Reports RoleBindings and ClusterRoleBindings whose subjects include the user
    /// `system:anonymous` or the group `system:unauthenticated`. The default ClusterRoleBinding
    /// `system:public-info-viewer`, which lets anyone read the API server's version and health,
    /// is allowed.
    ///
    /// ## Why it matters
    /// On EKS the API endpoint is often reachable from the internet. A binding to the anonymous
    /// user hands the bound role to anyone who can reach it, with no credentials and no useful
    /// audit trail.
    ///
    /// ## How to fix
    /// Delete the binding, or replace the subject with the group of the principals that need the
    /// access.
    ///
    /// ## References
    /// - EKS Best Practices Guide, Identity and Access Management: review anonymous access
    /// - Kubernetes documentation: Anonymous requests
    pub static META = CheckMeta {
        id: "EKS-CAM-011",
        name: "anonymous-access-granted",
        title: "RBAC binding grants access to anonymous users",
        severity: Severity::High,
        level: Level::Cluster,
        control: SeedControl::ClusterAccessManagement,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Remove system:anonymous / system:unauthenticated from the binding's subjects.",
    };
}

pub fn evaluate(_: &Context<'_>, binding: &Object) -> Option<Vec<Outcome>> {
    if binding.kind == "ClusterRoleBinding" && binding.name == "system:public-info-viewer" {
        return Some(Vec::new());
    }
    let role = binding
        .value
        .pointer("/roleRef/name")
        .and_then(Value::as_str)
        .unwrap_or("?");
    let subjects = binding.value.get("subjects").and_then(Value::as_array);
    let outcomes = subjects
        .into_iter()
        .flatten()
        .enumerate()
        .filter_map(|(index, subject)| {
            let name = subject.get("name").and_then(Value::as_str)?;
            matches!(name, "system:anonymous" | "system:unauthenticated").then(|| {
                Outcome::fail(
                    format!("/subjects/{index}"),
                    format!("{name} is bound to {role}"),
                )
            })
        })
        .collect();
    Some(outcomes)
}
