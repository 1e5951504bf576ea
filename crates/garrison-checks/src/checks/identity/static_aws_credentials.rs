use garrison_core::{Level, Object, SeedControl, Severity, Workload};

use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// Reports workloads that hand static AWS credentials to their containers: the variables
    /// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` or `AWS_SESSION_TOKEN` set from a literal
    /// value, a Secret or a ConfigMap, or a hostPath volume of an `.aws` credentials directory.
    ///
    /// ## Why it matters
    /// Long-lived access keys do not expire, are copied into every replica, image layer and
    /// backup that touches them, and cannot be tied to one pod in CloudTrail. EKS gives each pod
    /// short-lived, automatically rotated credentials through IRSA or EKS Pod Identity.
    ///
    /// ## How to fix
    /// Delete the keys (and deactivate them in IAM), create an IAM role for the workload and
    /// associate it with its service account through EKS Pod Identity or IRSA.
    ///
    /// ## References
    /// - EKS Best Practices Guide, Identity and Access Management: use IRSA or Pod Identity
    /// - AWS IAM best practices: use temporary credentials
    pub static META = CheckMeta {
        id: "EKS-IAM-012",
        name: "static-aws-credentials",
        title: "Static AWS credentials given to a workload",
        severity: Severity::High,
        level: Level::Application,
        control: SeedControl::WorkloadIdentity,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Remove the access keys; use EKS Pod Identity or IRSA for AWS access.",
    };
}

const VARIABLES: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
];

pub fn evaluate(_: &Context<'_>, workload: &Workload, _: &Object) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    for container in workload.containers() {
        for (index, variable) in container.env.iter().enumerate() {
            if !VARIABLES.contains(&variable.name.as_str()) {
                continue;
            }
            let source = if variable
                .value
                .as_deref()
                .is_some_and(|value| !value.is_empty())
            {
                "a literal value in the manifest"
            } else if let Some(from) = &variable.value_from {
                if from.secret_key_ref.is_some() {
                    "a Secret"
                } else if from.config_map_key_ref.is_some() {
                    "a ConfigMap"
                } else {
                    continue;
                }
            } else {
                continue;
            };
            outcomes.push(Outcome::fail(
                container.field(&format!("env/{index}")),
                format!(
                    "{} gets ${} from {source}",
                    container.describe(),
                    variable.name
                ),
            ));
        }
    }
    for (index, volume) in workload.spec.volumes.iter().flatten().enumerate() {
        let Some(host_path) = &volume.host_path else {
            continue;
        };
        let path = host_path.path.trim_end_matches('/');
        if path.ends_with("/.aws") || path.contains("/.aws/") {
            outcomes.push(Outcome::fail(
                workload.pointer(&format!("volumes/{index}/hostPath/path")),
                format!(
                    "volume \"{}\" mounts the node's AWS credentials directory {path}",
                    volume.name
                ),
            ));
        }
    }
    outcomes
}
