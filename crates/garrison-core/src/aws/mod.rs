//! Typed views of the AWS documents of a cluster snapshot (research note §6.1 layout).
//!
//! Every member AWS may omit is an `Option` (older clusters lack `deletionProtection`,
//! `computeConfig`, `upgradePolicy`, …) and unknown members are ignored, so a newer CLI does not
//! break a scan. Casing follows each service: EKS, ECR, Inspector2 and CloudWatch Logs are
//! camelCase on the CLI and on the wire; EC2, IAM, KMS, Security Hub, SSM and CloudTrail are
//! PascalCase; GuardDuty is PascalCase on the CLI but camelCase on its REST wire format, so its
//! types accept both spellings.
//!
//! [`crate::Snapshot::document`] decodes one of these from the snapshot and tells a missing file,
//! a call the manifest records as failed, and an unreadable document apart.

pub mod ec2;
pub mod ecr;
pub mod eks;
pub mod guardduty;
pub mod iam;
pub mod kube_bench;
pub mod kubelet;
pub mod services;

use serde::{Deserialize, Deserializer};

/// A list AWS may omit or send as `null`: both read as empty.
pub(crate) fn list<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(deserializer)?.unwrap_or_default())
}

/// Splits an ARN's last path segment: `arn:aws:iam::1:role/path/name` → `name`.
pub fn arn_name(arn: &str) -> &str {
    arn.rsplit(['/', ':']).next().unwrap_or(arn)
}

/// The account id of an ARN (`arn:partition:service:region:account:resource`).
pub fn arn_account(arn: &str) -> Option<&str> {
    arn.split(':').nth(4).filter(|account| !account.is_empty())
}
