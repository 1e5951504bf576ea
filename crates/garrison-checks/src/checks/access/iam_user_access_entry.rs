use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// One result per access entry (node entries skipped): FAIL when the principal ARN is an IAM
    /// user (`:user/`), PASS for roles. Reads `eks/access-entries/<p>.describe.json`.
    ///
    /// ## Why it matters
    /// IAM users carry long-lived access keys that leak through laptops, CI variables and logs, and
    /// are not tied to a person's session. Roles are assumed with short-lived credentials and can be
    /// shared by a team without sharing secrets.
    ///
    /// ## How to fix
    /// Grant the access to an IAM role (an SSO permission set or an OIDC-federated CI role), then
    /// delete the user's access entry and its access keys.
    ///
    /// ## References
    /// - EKS Best Practices Guide, Security: Identity and Access Management (use IAM roles when multiple users need identical access)
    /// - EKS documentation: Associate access policies with access entries
    pub static META = CheckMeta {
        id: "EKS-CAM-005",
        name: "iam-user-access-entry",
        title: "Cluster access granted to an IAM user rather than a role",
        severity: Severity::Medium,
        level: Level::Cluster,
        control: SeedControl::ClusterAccessManagement,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Grant cluster access to IAM roles, not IAM users.",
    };
}

pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    let mut results = Vec::new();
    let Some(entries) = access_entries(snapshot, &mut results) else {
        return vec![unknown(
            &cluster_resource(snapshot, None),
            "eks/access-entries/",
            &garrison_core::snapshot::Missing::NotCollected,
        )];
    };
    for entry in entries.iter().filter(|entry| !entry.entry.is_node()) {
        let arn = entry.entry.principal_arn.as_deref().unwrap_or_default();
        results.push(if arn.contains(":user/") {
            result(
                &entry.resource,
                Status::Fail,
                "/accessEntry/principalArn",
                format!("{arn} is an IAM user: long-lived keys reach the cluster"),
            )
        } else {
            result(
                &entry.resource,
                Status::Pass,
                "/accessEntry/principalArn",
                format!("{arn} is not an IAM user"),
            )
        });
    }
    results
}
