use garrison_core::{Level, Object, SeedControl, Severity};
use serde_json::Value;

use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// Reports Secrets that hold static AWS credentials, judged by their keys (a snapshot keeps
    /// the keys of `data` and `stringData`, never the values): `AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN` and their spellings in other cases, with
    /// dashes or without the `AWS_` prefix (`aws-secret-access-key`, `secretAccessKey`), and a
    /// `credentials` file in a Secret whose name mentions AWS. Other Secrets pass.
    ///
    /// ## Why it matters
    /// A Secret with access keys means long-lived IAM user credentials live in the cluster: in
    /// etcd, in every backup, readable by everyone who can read Secrets in the namespace, and
    /// usable from anywhere on the internet until someone rotates them. EKS gives pods
    /// short-lived credentials through Pod Identity or IRSA instead.
    ///
    /// ## How to fix
    /// Give the workload an IAM role through EKS Pod Identity or IRSA, delete the Secret and
    /// deactivate the access keys in IAM.
    ///
    /// ## References
    /// - EKS Best Practices Guide, Identity and Access Management: use IRSA or Pod Identity
    /// - AWS IAM best practices: use temporary credentials
    pub static META = CheckMeta {
        id: "EKS-IAM-015",
        name: "secret-holds-aws-credentials",
        title: "Secret holds static AWS credentials",
        severity: Severity::High,
        level: Level::Application,
        control: SeedControl::WorkloadIdentity,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Delete the Secret, deactivate the keys, use EKS Pod Identity or IRSA.",
    };
}

/// Key names, lowercased with `-`, `_` and `.` removed.
const CREDENTIAL_KEYS: &[&str] = &[
    "awsaccesskeyid",
    "awssecretaccesskey",
    "awssessiontoken",
    "accesskeyid",
    "secretaccesskey",
];

fn is_credential_key(key: &str, secret_name: &str) -> bool {
    let normalized: String = key
        .chars()
        .filter(|c| !matches!(c, '-' | '_' | '.'))
        .flat_map(char::to_lowercase)
        .collect();
    CREDENTIAL_KEYS.contains(&normalized.as_str())
        || (normalized == "credentials" && secret_name.to_ascii_lowercase().contains("aws"))
}

pub fn evaluate(_: &Context<'_>, object: &Object) -> Option<Vec<Outcome>> {
    let mut outcomes = Vec::new();
    for field in ["data", "stringData"] {
        let Some(keys) = object.value.get(field).and_then(Value::as_object) else {
            continue;
        };
        for key in keys.keys() {
            if is_credential_key(key, &object.name) {
                outcomes.push(Outcome::fail(
                    format!("/{field}/{}", key.replace('~', "~0").replace('/', "~1")),
                    format!("the Secret holds AWS credentials under key {key}"),
                ));
            }
        }
    }
    Some(outcomes)
}
