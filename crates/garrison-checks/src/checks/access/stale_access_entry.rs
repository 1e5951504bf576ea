use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// One result per standard access entry for an IAM role: PASS when `iam/roles/<name>.role.json`
    /// describes it, FAIL when the manifest records its `get-role` as failed with `NoSuchEntity`,
    /// UNKNOWN when the role was not looked up.
    ///
    /// ## Why it matters
    /// A stale entry keeps access for a name: whoever later creates a principal of that name in the
    /// account may inherit the entry's access (unverified whether EKS re-activates it; rated Low), and
    /// stale entries make access reviews noisy.
    ///
    /// ## How to fix
    /// `aws eks delete-access-entry --principal-arn <arn>`.
    ///
    /// ## References
    /// - EKS documentation: Grant IAM users access to Kubernetes with EKS access entries
    pub static META = CheckMeta {
        id: "EKS-CAM-010",
        name: "stale-access-entry",
        title: "Access entry for an IAM principal that no longer exists",
        severity: Severity::Low,
        level: Level::Cluster,
        control: SeedControl::ClusterAccessManagement,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Delete access entries of deleted principals.",
    };
}

use garrison_core::snapshot::Missing;

pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    let mut results = Vec::new();
    let Some(entries) = access_entries(snapshot, &mut results) else {
        return vec![unknown(
            &cluster_resource(snapshot, None),
            "eks/access-entries/",
            &Missing::NotCollected,
        )];
    };
    for entry in entries.iter().filter(|e| !e.entry.is_node()) {
        let arn = entry.entry.principal_arn.clone().unwrap_or_default();
        if !arn.contains(":role/") {
            continue;
        }
        let (key, _) = role_keys(&arn);
        results.push(match snapshot.aws(&key) {
            Ok(_) => result(
                &entry.resource,
                Status::Pass,
                "/accessEntry/principalArn",
                format!("{arn} exists"),
            ),
            Err(Missing::Failed(error)) if error.contains("NoSuchEntity") => result(
                &entry.resource,
                Status::Fail,
                "/accessEntry/principalArn",
                format!("{arn} no longer exists: {error}"),
            ),
            Err(missing) => unknown(&entry.resource, &key, &missing),
        });
    }
    results
}
