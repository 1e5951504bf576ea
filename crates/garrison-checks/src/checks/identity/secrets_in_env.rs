use garrison_core::{Level, Object, SeedControl, Severity, Workload};

use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// Reports containers that read Secrets into environment variables, through
    /// `env[].valueFrom.secretKeyRef` or `envFrom[].secretRef`.
    ///
    /// ## Why it matters
    /// Environment variables leak: into crash dumps and error pages, into child processes, into
    /// `kubectl describe`-adjacent tooling and logs, and to anyone who can read
    /// `/proc/<pid>/environ`. Mounted Secret files can be read-only, are updated on rotation, and
    /// are not inherited.
    ///
    /// ## How to fix
    /// Mount the Secret as a volume and read the file, or fetch it at runtime from AWS Secrets
    /// Manager through the Secrets Store CSI driver.
    ///
    /// ## References
    /// - CIS Amazon EKS Benchmark 4.4.1: prefer using secrets as files over secrets as environment variables
    pub static META = CheckMeta {
        id: "EKS-ENC-008",
        name: "secret-in-environment",
        title: "Secret exposed as an environment variable",
        severity: Severity::Medium,
        level: Level::Application,
        control: SeedControl::Encryption,
        cis: Some("4.4.1"),
        security_hub: None,
        pss: None,
        remediation: "Mount the Secret as a file (or use the Secrets Store CSI driver) instead of env.",
    };
}

pub fn evaluate(_: &Context<'_>, workload: &Workload, _: &Object) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    for container in workload.containers() {
        for (index, variable) in container.env.iter().enumerate() {
            let secret = variable
                .value_from
                .as_ref()
                .and_then(|source| source.secret_key_ref.as_ref());
            if let Some(secret) = secret {
                outcomes.push(Outcome::fail(
                    container.field(&format!("env/{index}/valueFrom/secretKeyRef")),
                    format!(
                        "{} reads key {} of Secret {} into ${}",
                        container.describe(),
                        secret.key,
                        secret.name,
                        variable.name
                    ),
                ));
            }
        }
        for (index, source) in container.env_from.iter().enumerate() {
            if let Some(secret) = &source.secret_ref {
                outcomes.push(Outcome::fail(
                    container.field(&format!("envFrom/{index}/secretRef")),
                    format!(
                        "{} loads every key of Secret {} into its environment",
                        container.describe(),
                        secret.name
                    ),
                ));
            }
        }
    }
    outcomes
}
