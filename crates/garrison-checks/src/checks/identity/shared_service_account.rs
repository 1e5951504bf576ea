use garrison_core::{Level, Object, SeedControl, Severity, Workload};

use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// Reports workload controllers that share their service account with another workload
    /// controller of the same namespace, whatever the kinds (a Deployment and a CronJob sharing an
    /// account count). The `default` account is left to EKS-CIS-4.1.5.
    ///
    /// ## Why it matters
    /// RBAC bindings and IAM roles (IRSA, Pod Identity) attach to service accounts. A shared
    /// account gives every workload the union of what each needs, so compromising the least
    /// important one yields the permissions of the most powerful.
    ///
    /// ## How to fix
    /// Give each workload its own service account with only the bindings and the IAM role it
    /// needs.
    ///
    /// ## References
    /// - EKS Best Practices Guide, Identity and Access Management: one IAM role per application
    /// - CIS Amazon EKS Benchmark 5.2.1 (dedicated service accounts)
    pub static META = CheckMeta {
        id: "EKS-IAM-013",
        name: "shared-service-account",
        title: "Service account shared by several workloads",
        severity: Severity::Low,
        level: Level::Application,
        control: SeedControl::WorkloadIdentity,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Create one service account per workload.",
    };
}

pub fn evaluate(context: &Context<'_>, workload: &Workload, object: &Object) -> Vec<Outcome> {
    let account = workload.service_account();
    if account == "default" {
        return Vec::new();
    }
    let inventory = context.inventory;
    let namespace = object.namespace.as_deref().unwrap_or_default();
    let mut others: Vec<String> = inventory
        .workloads_using(namespace, account)
        .filter(|other| other.object != workload.object)
        .map(|other| inventory.entry_object(other))
        .map(|other| format!("{}/{}", other.kind, other.name))
        .collect();
    if others.is_empty() {
        return Vec::new();
    }
    others.sort();
    let shown = others.len().min(3);
    let more = if others.len() > shown {
        format!(" and {} more", others.len() - shown)
    } else {
        String::new()
    };
    vec![Outcome::fail(
        workload.pointer("serviceAccountName"),
        format!(
            "service account {account} is also used by {}{more}",
            others[..shown].join(", ")
        ),
    )]
}
