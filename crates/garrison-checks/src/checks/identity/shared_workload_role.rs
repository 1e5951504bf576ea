use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// Collects the roles pods can use (IRSA annotations, Pod Identity associations) and reports one
    /// result per role: FAIL when service accounts in more than one namespace, or more than one service
    /// account without a per-association session policy, use it; PASS otherwise.
    ///
    /// ## Why it matters
    /// A shared role has the union of every user's permissions, so a compromise of the least
    /// trusted application yields the most trusted one's access.
    ///
    /// ## How to fix
    /// Create one role per application, or use Pod Identity session tags (ABAC on
    /// `aws:PrincipalTag/kubernetes-namespace`) to scope a shared role.
    ///
    /// ## References
    /// - EKS Best Practices Guide, Security: Identity and Access Management (one IAM role per application)
    /// - EKS documentation: EKS Pod Identity
    pub static META = CheckMeta {
        id: "EKS-IAM-006",
        name: "shared-workload-role",
        title: "One IAM role is shared by several applications",
        severity: Severity::Low,
        level: Level::Cluster,
        control: SeedControl::WorkloadIdentity,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Give each application its own IAM role.",
    };
}

pub fn evaluate(context: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    let mut roles = workload_roles(context, snapshot);
    roles.retain(|role| role.service_account.is_some());
    roles.sort_by(|a, b| a.role_arn.cmp(&b.role_arn));
    let mut results = Vec::new();
    for group in roles.chunk_by(|a, b| a.role_arn == b.role_arn) {
        let resource = role_resource(&group[0].role_arn);
        let mut accounts: Vec<String> = group
            .iter()
            .filter_map(|r| r.service_account.as_ref())
            .map(|(n, a)| format!("{n}/{a}"))
            .collect();
        accounts.sort();
        accounts.dedup();
        results.push(if accounts.len() > 1 {
            result(
                &resource,
                Status::Fail,
                "/Role",
                format!("used by {}", accounts.join(", ")),
            )
        } else {
            result(
                &resource,
                Status::Pass,
                "/Role",
                format!("used only by {}", accounts.join(", ")),
            )
        });
    }
    results
}
