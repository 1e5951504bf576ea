use garrison_core::{Level, Object, SeedControl, Severity, Status};
use saphyr::{LoadableYamlNode, Yaml};
use serde_json::Value;

use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// Reads the `kube-system/aws-auth` ConfigMap and reports IAM roles (`mapRoles`) and users
    /// (`mapUsers`) mapped to the group `system:masters`. The mappings are YAML inside the
    /// ConfigMap's string values; a value that is not valid YAML is reported as UNKNOWN.
    ///
    /// ## Why it matters
    /// `system:masters` bypasses RBAC entirely: no binding can be removed to take the access
    /// back, and authorization webhooks are not consulted. Anyone who can assume the mapped IAM
    /// role is cluster administrator for as long as the mapping exists.
    ///
    /// ## How to fix
    /// Move to EKS access entries (authentication mode `API`), and grant administrators
    /// `AmazonEKSClusterAdminPolicy` through an access entry, or an RBAC group bound to a role,
    /// both of which can be revoked. Remove `system:masters` from aws-auth.
    ///
    /// ## References
    /// - EKS documentation: Grant IAM users access to Kubernetes with EKS access entries
    /// - EKS Best Practices Guide, Identity and Access Management
    pub static META = CheckMeta {
        id: "EKS-CAM-008",
        name: "aws-auth-system-masters",
        title: "aws-auth maps an IAM principal to system:masters",
        severity: Severity::High,
        level: Level::Cluster,
        control: SeedControl::ClusterAccessManagement,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Remove system:masters mappings; use EKS access entries with access policies.",
    };
}

pub fn evaluate(_: &Context<'_>, config_map: &Object) -> Option<Vec<Outcome>> {
    if config_map.name != "aws-auth" || !config_map.in_namespace("kube-system") {
        return None;
    }
    let mut outcomes = Vec::new();
    for (key, arn_field) in [("mapRoles", "rolearn"), ("mapUsers", "userarn")] {
        let Some(text) = config_map
            .value
            .pointer(&format!("/data/{key}"))
            .and_then(Value::as_str)
        else {
            continue;
        };
        let pointer = format!("/data/{key}");
        let documents = match Yaml::load_from_str(text) {
            Ok(documents) => documents,
            Err(error) => {
                outcomes.push(Outcome::with_status(
                    Status::Unknown,
                    Some(pointer),
                    format!(
                        "data.{key} is not valid YAML ({error}); its mappings cannot be checked"
                    ),
                ));
                continue;
            }
        };
        let entries = documents
            .first()
            .and_then(Yaml::as_vec)
            .cloned()
            .unwrap_or_default();
        // One result per mapping, so a report shows which principals were looked at.
        for entry in entries {
            let groups = entry["groups"].as_vec().cloned().unwrap_or_default();
            let principal = entry[arn_field].as_str().unwrap_or("?");
            let masters = groups
                .iter()
                .any(|group| group.as_str() == Some("system:masters"));
            if masters {
                outcomes.push(Outcome::fail(
                    pointer.clone(),
                    format!("{principal} is mapped to system:masters in aws-auth {key}"),
                ));
            } else {
                outcomes.push(Outcome::pass(
                    pointer.clone(),
                    format!("{principal} is not mapped to system:masters"),
                ));
            }
        }
    }
    Some(outcomes)
}
