//! CloudTrail: Secrets encryption configuration changed.

use super::text;
use crate::engine::Config;
use crate::event::CloudTrailRecord;

detector! {
    /// CloudTrail: Secrets encryption configuration changed (AssociateEncryptionConfig).
    ///
    /// ## What it does
    ///
    /// Reports a successful `AssociateEncryptionConfig` call, which sets the KMS key
    /// envelope-encrypting the cluster's Secrets.
    ///
    /// ## Why it matters
    ///
    /// The key chosen decides who can decrypt every Secret in etcd; the change cannot be undone and
    /// deserves review.
    ///
    /// ## How to fix
    ///
    /// Check that the key is the intended customer managed key and that its key policy is tight.
    ///
    /// ## References
    ///
    /// - Amazon EKS User Guide, "Log API calls as AWS CloudTrail events": https://docs.aws.amazon.com/eks/latest/userguide/logging-using-cloudtrail.html
    /// - Amazon EKS API Reference, AssociateEncryptionConfig: https://docs.aws.amazon.com/eks/latest/APIReference/API_AssociateEncryptionConfig.html
    pub static DETECTOR = {
        id: "EKS-TRAIL-004",
        name: "ct-encryption-config-changed",
        title: "Secrets encryption configuration changed",
        severity: Medium,
        family: CloudTrail,
        remediation: "Check that the key is the intended customer managed key and that its key policy is tight.",
        run: CloudTrail(run),
    };
}

fn run(_config: &Config, record: &CloudTrailRecord<'_>) -> Option<String> {
    if !(record.event_name == "AssociateEncryptionConfig" && record.succeeded()) {
        return None;
    }
    let parameters = record.parameters();
    let key = text(&parameters, "/encryptionConfig/0/provider/keyArn");
    Some(format!("secrets encryption associated with KMS key {key}"))
}
