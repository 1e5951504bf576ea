//! CloudTrail: Cluster API endpoint opened to the internet.

use crate::engine::Config;
use crate::event::CloudTrailRecord;

detector! {
    /// CloudTrail: Cluster API endpoint opened to the internet (UpdateClusterConfig, CreateCluster).
    ///
    /// ## What it does
    ///
    /// Reports a successful `CreateCluster` or `UpdateClusterConfig` call that turns public
    /// endpoint access on, or allows `0.0.0.0/0` (or `::/0`) in `publicAccessCidrs`.
    ///
    /// ## Why it matters
    ///
    /// A public endpoint lets anyone on the internet try credentials and anonymous requests against
    /// the API server; a private or CIDR-restricted endpoint removes most of that surface.
    ///
    /// ## How to fix
    ///
    /// Turn public access off or restrict `publicAccessCidrs` to the networks that administer the
    /// cluster.
    ///
    /// ## References
    ///
    /// - Amazon EKS User Guide, "Log API calls as AWS CloudTrail events": https://docs.aws.amazon.com/eks/latest/userguide/logging-using-cloudtrail.html
    /// - Amazon EKS API Reference, UpdateClusterConfig: https://docs.aws.amazon.com/eks/latest/APIReference/API_UpdateClusterConfig.html
    /// - Amazon EKS API Reference, CreateCluster: https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateCluster.html
    pub static DETECTOR = {
        id: "EKS-TRAIL-002",
        name: "ct-public-endpoint-enabled",
        title: "Cluster API endpoint opened to the internet",
        severity: High,
        family: CloudTrail,
        remediation: "Turn public access off or restrict `publicAccessCidrs` to the networks that administer the cluster.",
        run: CloudTrail(run),
    };
}

fn run(_config: &Config, record: &CloudTrailRecord<'_>) -> Option<String> {
    if !(matches!(&*record.event_name, "UpdateClusterConfig" | "CreateCluster")
        && record.succeeded())
    {
        return None;
    }
    let parameters = record.parameters();
    let config = parameters.pointer("/resourcesVpcConfig")?;
    let public = config.get("endpointPublicAccess").and_then(|v| v.as_bool());
    let cidrs = config.get("publicAccessCidrs").and_then(|v| v.as_array());
    let open = cidrs.is_some_and(|cidrs| {
        cidrs
            .iter()
            .any(|c| matches!(c.as_str(), Some("0.0.0.0/0" | "::/0")))
    });
    match public {
        Some(false) => None,
        Some(true) if cidrs.is_none() || open => {
            Some("public endpoint access turned on, open to 0.0.0.0/0".to_string())
        }
        Some(true) => Some("public endpoint access turned on (CIDR-restricted)".to_string()),
        None => open.then(|| "public access CIDRs opened to 0.0.0.0/0".to_string()),
    }
}
