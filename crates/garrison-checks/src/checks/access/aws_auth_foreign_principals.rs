use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// Reads `kube-system/aws-auth` (YAML inside the ConfigMap's strings): FAIL for every
    /// `mapAccounts` entry (all principals of an account), and for `mapRoles`/`mapUsers` entries whose
    /// ARN belongs to another account than the cluster's (from its ARN); PASS for same-account
    /// mappings. UNKNOWN when the mappings are not valid YAML.
    ///
    /// ## Why it matters
    /// `mapAccounts` lets every IAM principal of an account authenticate; a foreign principal is
    /// governed by another account's IAM, whose admins can then reach this cluster.
    ///
    /// ## How to fix
    /// Replace account mappings with role mappings, and cross-account access with a role in this
    /// account that the other account may assume; better, move to access entries.
    ///
    /// ## References
    /// - EKS documentation: Grant IAM users access to Kubernetes with EKS access entries
    /// - EKS Best Practices Guide, Security: Identity and Access Management
    pub static META = CheckMeta {
        id: "EKS-CAM-009",
        name: "aws-auth-foreign-principals",
        title: "aws-auth maps whole accounts or principals of other accounts",
        severity: Severity::Medium,
        level: Level::Cluster,
        control: SeedControl::ClusterAccessManagement,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Remove mapAccounts and foreign principals from aws-auth.",
    };
}

use saphyr::{LoadableYamlNode, Yaml};

pub fn evaluate(context: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    let Some(aws_auth) =
        context.inventory.objects.iter().find(|o| {
            o.kind == "ConfigMap" && o.name == "aws-auth" && o.in_namespace("kube-system")
        })
    else {
        return Vec::new();
    };
    let account = snapshot
        .cluster_arn()
        .and_then(garrison_core::aws::arn_account)
        .map(str::to_string);
    let file = aws_auth.origin.file.name.to_string();
    let mut results = Vec::new();
    for (key, field) in [
        ("mapAccounts", ""),
        ("mapRoles", "rolearn"),
        ("mapUsers", "userarn"),
    ] {
        let Some(text) = aws_auth
            .value
            .pointer(&format!("/data/{key}"))
            .and_then(serde_json::Value::as_str)
        else {
            continue;
        };
        let pointer = format!("/data/{key}");
        let resource =
            crate::engine::Resource::new("ConfigMap", "kube-system/aws-auth", file.clone());
        let entries = match Yaml::load_from_str(text) {
            Ok(documents) => documents
                .first()
                .and_then(Yaml::as_vec)
                .cloned()
                .unwrap_or_default(),
            Err(error) => {
                results.push(result(
                    &resource,
                    Status::Unknown,
                    &pointer,
                    format!("data.{key} is not valid YAML ({error})"),
                ));
                continue;
            }
        };
        for entry in entries {
            if key == "mapAccounts" {
                let mapped = entry
                    .as_str()
                    .map(str::to_string)
                    .or_else(|| entry.as_integer().map(|n| n.to_string()))
                    .unwrap_or_else(|| "?".to_string());
                results.push(result(
                    &resource,
                    Status::Fail,
                    &pointer,
                    format!("every principal of account {mapped} is mapped"),
                ));
                continue;
            }
            let arn = entry[field].as_str().unwrap_or("?").to_string();
            let foreign = match (&account, garrison_core::aws::arn_account(&arn)) {
                (Some(own), Some(other)) => own != other,
                _ => false,
            };
            results.push(if foreign {
                result(
                    &resource,
                    Status::Fail,
                    &pointer,
                    format!("{arn} belongs to another account"),
                )
            } else {
                result(
                    &resource,
                    Status::Pass,
                    &pointer,
                    format!("{arn} is in the cluster's account"),
                )
            });
        }
    }
    results
}
