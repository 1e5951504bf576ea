//! CloudTrail: Cluster authentication mode changed.

use crate::engine::Config;
use crate::event::CloudTrailRecord;

detector! {
    /// CloudTrail: Cluster authentication mode changed (UpdateClusterConfig).
    ///
    /// ## What it does
    ///
    /// Reports a successful `UpdateClusterConfig` call that changes the cluster's authentication
    /// mode (`CONFIG_MAP`, `API_AND_CONFIG_MAP`, `API`).
    ///
    /// ## Why it matters
    ///
    /// The authentication mode decides whether the `aws-auth` ConfigMap, access entries or both
    /// grant access; a change can open a path that was closed (for example re-enabling a forgotten
    /// aws-auth mapping).
    ///
    /// ## How to fix
    ///
    /// Confirm the change was planned and review both the access entries and the aws-auth
    /// ConfigMap.
    ///
    /// ## References
    ///
    /// - Amazon EKS User Guide, "Log API calls as AWS CloudTrail events": https://docs.aws.amazon.com/eks/latest/userguide/logging-using-cloudtrail.html
    /// - Amazon EKS API Reference, UpdateClusterConfig: https://docs.aws.amazon.com/eks/latest/APIReference/API_UpdateClusterConfig.html
    pub static DETECTOR = {
        id: "EKS-TRAIL-005",
        name: "ct-authentication-mode-changed",
        title: "Cluster authentication mode changed",
        severity: Medium,
        family: CloudTrail,
        remediation: "Confirm the change was planned and review both the access entries and the aws-auth ConfigMap.",
        run: CloudTrail(run),
    };
}

fn run(_config: &Config, record: &CloudTrailRecord<'_>) -> Option<String> {
    if !(record.event_name == "UpdateClusterConfig" && record.succeeded()) {
        return None;
    }
    let parameters = record.parameters();
    let mode = parameters
        .pointer("/accessConfig/authenticationMode")?
        .as_str()?;
    Some(format!("authentication mode set to {mode}"))
}
