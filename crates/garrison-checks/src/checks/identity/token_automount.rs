use garrison_core::{Level, Object, SeedControl, Severity, Workload};
use serde_json::Value;

use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// Reports workloads that get a service-account token mounted although their service account
    /// has no RoleBinding or ClusterRoleBinding. The token is mounted unless the pod spec or the
    /// ServiceAccount sets `automountServiceAccountToken: false` (the pod's setting wins).
    ///
    /// ## Why it matters
    /// A token the application never uses is only useful to an attacker who got into the
    /// container: it authenticates to the API server, where `system:authenticated` permissions
    /// and any later binding apply. Flagging every pod that mounts a token, as some scanners do,
    /// buries the ones that matter; this check flags the tokens that are certainly unneeded.
    ///
    /// ## How to fix
    /// Set `automountServiceAccountToken: false` on the ServiceAccount or the pod spec.
    ///
    /// ## References
    /// - CIS Amazon EKS Benchmark 4.1.6: ensure that service account tokens are only mounted where necessary
    pub static META = CheckMeta {
        id: "EKS-CIS-4.1.6",
        name: "unneeded-service-account-token",
        title: "Service-account token mounted but the account has no permissions",
        severity: Severity::Low,
        level: Level::Application,
        control: SeedControl::CisBenchmark,
        cis: Some("4.1.6"),
        security_hub: None,
        pss: None,
        remediation: "Set automountServiceAccountToken: false on the ServiceAccount or pod spec.",
    };
}

pub fn evaluate(context: &Context<'_>, workload: &Workload, object: &Object) -> Vec<Outcome> {
    let namespace = object.namespace.as_deref().unwrap_or("default");
    let account = workload.service_account();
    let account_setting = context
        .inventory
        .service_account(namespace, account)
        .and_then(|service_account| service_account.value.get("automountServiceAccountToken"))
        .and_then(Value::as_bool);
    let mounted = workload
        .spec
        .automount_service_account_token
        .or(account_setting)
        .unwrap_or(true);
    if !mounted
        || context
            .inventory
            .service_account_is_bound(namespace, account)
    {
        return Vec::new();
    }
    vec![Outcome::fail(
        workload.pointer("automountServiceAccountToken"),
        format!(
            "a token of service account {account} is mounted, but no RoleBinding or ClusterRoleBinding grants it anything"
        ),
    )]
}
