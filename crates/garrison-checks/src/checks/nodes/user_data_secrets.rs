use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// Decodes each launch template version's base64 `UserData` and looks for AWS access keys
    /// (`AKIA…`/`ASIA…` ids, `aws_secret_access_key`), private keys (`BEGIN … PRIVATE KEY`) and
    /// `password=`/`token=` assignments: FAIL naming the kind of secret (never its value), PASS
    /// otherwise.
    ///
    /// ## Why it matters
    /// User data is readable by anyone with `ec2:DescribeLaunchTemplateVersions` or
    /// `DescribeInstanceAttribute`, and by every pod that can reach IMDS.
    ///
    /// ## How to fix
    /// Move the secret to Secrets Manager or SSM Parameter Store and fetch it at boot with the node
    /// role; rotate the exposed secret.
    ///
    /// ## References
    /// - Amazon EC2 documentation: Instance user data
    /// - EKS Best Practices Guide, Security: Infrastructure security
    pub static META = CheckMeta {
        id: "EKS-NODE-006",
        name: "user-data-secrets",
        title: "Node launch template user data contains secrets",
        severity: Severity::Medium,
        level: Level::Infrastructure,
        control: SeedControl::SsmInsteadOfSsh,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Keep secrets out of user data; fetch them at boot from Secrets Manager.",
    };
}

use base64::Engine;
use garrison_core::aws::ec2::DescribeLaunchTemplateVersions;

fn secret_kind(text: &str) -> Option<&'static str> {
    let lower = text.to_ascii_lowercase();
    let access_key = text.as_bytes().windows(20).any(|w| {
        (w.starts_with(b"AKIA") || w.starts_with(b"ASIA"))
            && w[4..]
                .iter()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    });
    if access_key || lower.contains("aws_secret_access_key") {
        Some("AWS access key")
    } else if lower.contains("private key-----") {
        Some("private key")
    } else if ["password=", "password:", "passwd=", "token="]
        .iter()
        .any(|marker| lower.contains(marker))
    {
        Some("password or token")
    } else {
        None
    }
}

pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    let mut results = Vec::new();
    let Some(templates) = each_document::<DescribeLaunchTemplateVersions>(
        snapshot,
        "ec2/describe-launch-template-versions/",
        "LaunchTemplate",
        &mut results,
    ) else {
        return results;
    };
    for (document, resource) in templates {
        for (v, version) in document.launch_template_versions.iter().enumerate() {
            let Some(encoded) = version
                .launch_template_data
                .as_ref()
                .and_then(|d| d.user_data.as_deref())
            else {
                continue;
            };
            let pointer = format!("/LaunchTemplateVersions/{v}/LaunchTemplateData/UserData");
            let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(encoded.trim()) else {
                results.push(result(
                    &resource,
                    Status::Unknown,
                    &pointer,
                    "user data is not valid base64",
                ));
                continue;
            };
            let text = String::from_utf8_lossy(&bytes);
            results.push(match secret_kind(&text) {
                Some(kind) => result(
                    &resource,
                    Status::Fail,
                    &pointer,
                    format!("user data contains a {kind}"),
                ),
                None => result(
                    &resource,
                    Status::Pass,
                    &pointer,
                    "no secret found in user data",
                ),
            });
        }
    }
    results
}
