use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// Looks for the objects of an external secrets integration: `SecretProviderClass` (Secrets
    /// Store CSI driver with the AWS provider), `ExternalSecret`, `SecretStore` or
    /// `ClusterSecretStore` (External Secrets Operator). One result for the cluster: PASS when any
    /// exists, FAIL (informational) otherwise.
    ///
    /// ## Why it matters
    /// Secrets kept only as Kubernetes Secrets live in etcd and in manifests and CI variables that
    /// create them; AWS Secrets Manager or Parameter Store add rotation, IAM-scoped access and audit.
    ///
    /// ## How to fix
    /// Install the Secrets Store CSI driver with the AWS provider, or External Secrets Operator,
    /// and move secrets to AWS Secrets Manager.
    ///
    /// ## References
    /// - CIS Amazon EKS Benchmark v1.8.0, 4.4.2
    /// - EKS Best Practices Guide, Security: Data encryption and secrets management
    pub static META = CheckMeta {
        id: "EKS-ENC-009",
        name: "no-external-secret-store",
        title: "No external secrets store is in use",
        severity: Severity::Info,
        level: Level::Cluster,
        control: SeedControl::Encryption,
        cis: Some("4.4.2"),
        security_hub: None,
        pss: None,
        remediation: "Use an external secrets store (Secrets Store CSI driver or External Secrets).",
    };
}

const KINDS: [&str; 4] = [
    "SecretProviderClass",
    "ExternalSecret",
    "SecretStore",
    "ClusterSecretStore",
];

pub fn evaluate(context: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    let resource = cluster_resource(snapshot, None);
    if context.inventory.objects.is_empty() {
        return vec![ResourceOutcome::new(
            &resource,
            crate::engine::Outcome::with_status(
                Status::Unknown,
                None,
                "no Kubernetes objects were collected",
            ),
        )];
    }
    let found: Vec<String> = context
        .inventory
        .objects
        .iter()
        .filter(|o| KINDS.contains(&o.kind.as_str()))
        .map(|o| {
            format!(
                "{} {}/{}",
                o.kind,
                o.namespace.as_deref().unwrap_or(""),
                o.name
            )
        })
        .collect();
    vec![if found.is_empty() {
        result(
            &resource,
            Status::Fail,
            "",
            "no SecretProviderClass, ExternalSecret or SecretStore: secrets live only in Kubernetes",
        )
    } else {
        result(
            &resource,
            Status::Pass,
            "",
            format!("external secrets in use: {}", found.join(", ")),
        )
    }]
}
