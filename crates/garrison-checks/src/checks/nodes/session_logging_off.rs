use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// Reads the Session Manager preferences document (`ssm/get-document/SSM-SessionManagerRunShell.json`,
    /// whose `Content` is JSON text): PASS when `inputs.s3BucketName` or
    /// `inputs.cloudWatchLogGroupName` is set, FAIL otherwise; the message notes whether the logs are
    /// encrypted. FAIL too when the document does not exist (the `GetDocument` call failed with
    /// `InvalidDocument`): an account that never saved Session Manager preferences logs nothing.
    /// UNKNOWN when the document was not collected or the call failed otherwise.
    ///
    /// ## Why it matters
    /// Session Manager replaces SSH so that node access is authorised by IAM and recorded; without
    /// session logging, what was typed on a node during a session is lost.
    ///
    /// ## How to fix
    /// Set an S3 bucket or CloudWatch Logs group (with encryption) in the Session Manager
    /// preferences.
    ///
    /// ## References
    /// - AWS Systems Manager documentation: Logging session activity
    /// - EKS Best Practices Guide, Security: Infrastructure security
    pub static META = CheckMeta {
        id: "EKS-NODE-005",
        name: "session-logging-off",
        title: "SSM Session Manager sessions to nodes are not logged",
        severity: Severity::Low,
        level: Level::Infrastructure,
        control: SeedControl::SsmInsteadOfSsh,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Log Session Manager sessions to S3 or CloudWatch Logs.",
    };
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Document {
    content: Option<String>,
}

pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    const KEY: &str = "ssm/get-document/SSM-SessionManagerRunShell.json";
    let resource = crate::engine::Resource::new(
        "SSMDocument",
        "SSM-SessionManagerRunShell",
        format!("aws/{KEY}"),
    );
    // No preferences document: Session Manager runs with its defaults, which log nothing.
    if let Err(garrison_core::snapshot::Missing::Failed(error)) = snapshot.aws(KEY)
        && error.contains("InvalidDocument")
    {
        return vec![result(
            &resource,
            Status::Fail,
            "",
            "sessions are not logged: the account has no Session Manager preferences (GetDocument: InvalidDocument), so the defaults apply",
        )];
    }
    with_document::<Document>(snapshot, KEY, &resource, |document| {
        let content: Option<serde_json::Value> = document
            .content
            .as_deref()
            .and_then(|text| serde_json::from_str(text).ok());
        let Some(content) = content else {
            return vec![result(
                &resource,
                Status::Unknown,
                "/Content",
                "the preferences document has no readable Content",
            )];
        };
        let input = |key: &str| {
            content
                .pointer(&format!("/inputs/{key}"))
                .and_then(serde_json::Value::as_str)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let flag = |key: &str| {
            content
                .pointer(&format!("/inputs/{key}"))
                .and_then(serde_json::Value::as_bool)
                .unwrap_or(false)
        };
        let destinations: Vec<String> = [
            input("s3BucketName").map(|b| format!("S3 bucket {b}")),
            input("cloudWatchLogGroupName").map(|g| format!("log group {g}")),
        ]
        .into_iter()
        .flatten()
        .collect();
        vec![if destinations.is_empty() {
            result(
                &resource,
                Status::Fail,
                "/Content",
                "sessions are not logged",
            )
        } else {
            let encrypted = flag("s3EncryptionEnabled") || flag("cloudWatchEncryptionEnabled");
            result(
                &resource,
                Status::Pass,
                "/Content",
                format!(
                    "sessions are logged to {}{}",
                    destinations.join(" and "),
                    if encrypted {
                        ", encrypted"
                    } else {
                        " (unencrypted)"
                    }
                ),
            )
        }]
    })
}
