//! CloudTrail: Access entry associated with a cluster-admin access policy.

use super::{decode, text};
use crate::engine::Config;
use crate::event::CloudTrailRecord;

detector! {
    /// CloudTrail: Access entry associated with a cluster-admin access policy (AssociateAccessPolicy).
    ///
    /// ## What it does
    ///
    /// Reports a successful `AssociateAccessPolicy` call that associates
    /// `AmazonEKSClusterAdminPolicy`, or `AmazonEKSAdminPolicy` at cluster scope, with an access
    /// entry.
    ///
    /// ## Why it matters
    ///
    /// Associating an admin access policy gives an IAM principal full control of the cluster
    /// without touching anything inside it; it is the technique Stratus Red Team calls
    /// `eks.lateral-movement.create-access-entry`.
    ///
    /// ## How to fix
    ///
    /// Disassociate the policy unless the principal is an intended administrator, and scope the
    /// access to the namespaces it needs.
    ///
    /// ## References
    ///
    /// - Amazon EKS User Guide, "Log API calls as AWS CloudTrail events": https://docs.aws.amazon.com/eks/latest/userguide/logging-using-cloudtrail.html
    /// - Amazon EKS API Reference, AssociateAccessPolicy: https://docs.aws.amazon.com/eks/latest/APIReference/API_AssociateAccessPolicy.html
    pub static DETECTOR = {
        id: "EKS-TRAIL-001",
        name: "ct-access-entry-cluster-admin",
        title: "Access entry associated with a cluster-admin access policy",
        severity: High,
        family: CloudTrail,
        remediation: "Disassociate the policy unless the principal is an intended administrator.",
        run: CloudTrail(run),
    };
}

fn run(_config: &Config, record: &CloudTrailRecord<'_>) -> Option<String> {
    if !(record.event_name == "AssociateAccessPolicy" && record.succeeded()) {
        return None;
    }
    let parameters = record.parameters();
    let policy = text(&parameters, "/policyArn");
    let scope = text(&parameters, "/accessScope/type");
    let admin = policy.ends_with("/AmazonEKSClusterAdminPolicy")
        || (policy.ends_with("/AmazonEKSAdminPolicy") && scope != "namespace");
    admin.then(|| {
        let principal = decode(text(&parameters, "/principalArn"));
        format!("{principal} associated with {policy} ({scope} scope)")
    })
}
