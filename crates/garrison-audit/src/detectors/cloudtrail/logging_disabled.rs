//! CloudTrail: Control-plane logging turned off.

use crate::engine::Config;
use crate::event::CloudTrailRecord;

detector! {
    /// CloudTrail: Control-plane logging turned off (UpdateClusterConfig).
    ///
    /// ## What it does
    ///
    /// Reports a successful `UpdateClusterConfig` call that disables control-plane log types
    /// (`api`, `audit`, `authenticator`, `controllerManager`, `scheduler`).
    ///
    /// ## Why it matters
    ///
    /// Turning off the audit and authenticator logs is how an attacker blinds detection before
    /// acting; without them GuardDuty's EKS audit-log monitoring and this tool have nothing to
    /// read.
    ///
    /// ## How to fix
    ///
    /// Turn the log types back on and find out who turned them off.
    ///
    /// ## References
    ///
    /// - Amazon EKS User Guide, "Log API calls as AWS CloudTrail events": https://docs.aws.amazon.com/eks/latest/userguide/logging-using-cloudtrail.html
    /// - Amazon EKS API Reference, UpdateClusterConfig: https://docs.aws.amazon.com/eks/latest/APIReference/API_UpdateClusterConfig.html
    pub static DETECTOR = {
        id: "EKS-TRAIL-003",
        name: "ct-logging-disabled",
        title: "Control-plane logging turned off",
        severity: High,
        family: CloudTrail,
        remediation: "Turn the log types back on and find out who turned them off.",
        run: CloudTrail(run),
    };
}

fn run(_config: &Config, record: &CloudTrailRecord<'_>) -> Option<String> {
    if !(record.event_name == "UpdateClusterConfig" && record.succeeded()) {
        return None;
    }
    let parameters = record.parameters();
    let setups = parameters.pointer("/logging/clusterLogging")?.as_array()?;
    let disabled: Vec<&str> = setups
        .iter()
        .filter(|setup| setup.get("enabled").and_then(|v| v.as_bool()) == Some(false))
        .filter_map(|setup| setup.get("types").and_then(|t| t.as_array()))
        .flatten()
        .filter_map(|t| t.as_str())
        .collect();
    (!disabled.is_empty()).then(|| format!("control-plane log types turned off: {disabled:?}"))
}
