use garrison_core::{Level, Object, SeedControl, Severity, Workload};

use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// Reports workloads that run as their namespace's `default` service account: no
    /// `serviceAccountName`, or `serviceAccountName: default`.
    ///
    /// ## Why it matters
    /// Every pod in the namespace that names no account shares `default`, so any permission
    /// granted to it (RBAC, or an IAM role through IRSA or Pod Identity) is granted to all of
    /// them, and nobody can tell which workload needed it.
    ///
    /// ## How to fix
    /// Create a service account per workload and set `serviceAccountName`. Set
    /// `automountServiceAccountToken: false` on the `default` account so that forgetting is safe.
    ///
    /// ## References
    /// - CIS Amazon EKS Benchmark 4.1.5: ensure that default service accounts are not actively used
    /// - EKS Best Practices Guide, Identity and Access Management
    pub static META = CheckMeta {
        id: "EKS-CIS-4.1.5",
        name: "default-service-account-used",
        title: "Workload uses the default service account",
        severity: Severity::Medium,
        level: Level::Application,
        control: SeedControl::CisBenchmark,
        cis: Some("4.1.5"),
        security_hub: None,
        pss: None,
        remediation: "Create a dedicated service account and set serviceAccountName.",
    };
}

pub fn evaluate(_: &Context<'_>, workload: &Workload, _: &Object) -> Vec<Outcome> {
    if workload.service_account() != "default" {
        return Vec::new();
    }
    let pointer = if workload.spec.service_account_name.is_some() {
        workload.pointer("serviceAccountName")
    } else {
        workload.spec_pointer.to_string()
    };
    vec![Outcome::fail(
        pointer,
        "the pods run as the namespace's default service account",
    )]
}
