//! `aws iam …` documents (PascalCase) and IAM policy documents.
//!
//! Policy documents come decoded from the CLI and URL-encoded from the raw API; `Action`,
//! `Resource` and `Principal` values may be a string or a list. [`PolicyDocument::parse`]
//! accepts all of these.

use serde::Deserialize;
use serde_json::Value;

use super::list;

/// `roles/<name>.role.json` (`get-role`).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetRole {
    pub role: Role,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Role {
    pub role_name: Option<String>,
    pub arn: Option<String>,
    /// A JSON object (CLI) or URL-encoded JSON text (raw API).
    pub assume_role_policy_document: Option<Value>,
}

/// `roles/<name>.attached.json` (`list-attached-role-policies`).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttachedRolePolicies {
    #[serde(default, deserialize_with = "list")]
    pub attached_policies: Vec<AttachedPolicy>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttachedPolicy {
    pub policy_name: Option<String>,
    pub policy_arn: Option<String>,
}

/// `roles/<name>.inline.json`: `{"PolicyName": {document}}` or a list of `get-role-policy`
/// outputs.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InlinePolicies {
    #[serde(default, deserialize_with = "list")]
    pub policies: Vec<InlinePolicy>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InlinePolicy {
    pub policy_name: Option<String>,
    pub policy_document: Option<Value>,
}

/// `list-open-id-connect-providers.json`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OpenIdConnectProviders {
    #[serde(
        rename = "OpenIDConnectProviderList",
        default,
        deserialize_with = "list"
    )]
    pub providers: Vec<OpenIdConnectProvider>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OpenIdConnectProvider {
    pub arn: Option<String>,
}

/// A policy document with its statements normalised.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PolicyDocument {
    pub statements: Vec<Statement>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Statement {
    pub effect: String,
    pub actions: Vec<String>,
    pub not_actions: Vec<String>,
    pub resources: Vec<String>,
    /// `(principal type, value)`: `("AWS", "arn:…")`, `("Service", "pods.eks.amazonaws.com")`,
    /// `("Federated", "arn:…:oidc-provider/…")`, `("*", "*")`.
    pub principals: Vec<(String, String)>,
    /// `(operator, key, values)`, e.g. `("StringEquals", "oidc…:sub", ["system:serviceaccount:a:b"])`.
    pub conditions: Vec<(String, String, Vec<String>)>,
}

fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::String(text)) => vec![text.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}

/// Decodes `%XX` escapes and `+` of a URL-encoded policy document.
fn url_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'%' if index + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[index + 1..index + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(byte) => {
                        out.push(byte);
                        index += 3;
                        continue;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            byte => out.push(byte),
        }
        index += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl PolicyDocument {
    /// Reads a policy document given as an object, as JSON text, or as URL-encoded JSON text.
    pub fn parse(value: &Value) -> Result<PolicyDocument, String> {
        let owned;
        let document = match value {
            Value::Object(_) => value,
            Value::String(text) => {
                let text = text.trim();
                let decoded = if text.starts_with('{') {
                    text.to_string()
                } else {
                    url_decode(text)
                };
                owned = serde_json::from_str::<Value>(&decoded)
                    .map_err(|error| format!("policy document is not JSON: {error}"))?;
                &owned
            }
            _ => return Err("policy document is neither an object nor text".to_string()),
        };
        let statements = match document.get("Statement") {
            Some(Value::Array(items)) => items.iter().collect(),
            Some(statement @ Value::Object(_)) => vec![statement],
            _ => Vec::new(),
        };
        Ok(PolicyDocument {
            statements: statements.into_iter().map(Statement::read).collect(),
        })
    }
}

impl Statement {
    fn read(value: &Value) -> Statement {
        let principals = match value.get("Principal") {
            Some(Value::String(text)) => vec![("*".to_string(), text.clone())],
            Some(Value::Object(map)) => map
                .iter()
                .flat_map(|(kind, values)| {
                    strings(Some(values))
                        .into_iter()
                        .map(move |value| (kind.clone(), value))
                })
                .collect(),
            _ => Vec::new(),
        };
        let mut conditions = Vec::new();
        if let Some(Value::Object(operators)) = value.get("Condition") {
            for (operator, keys) in operators {
                if let Value::Object(keys) = keys {
                    for (key, values) in keys {
                        conditions.push((operator.clone(), key.clone(), strings(Some(values))));
                    }
                }
            }
        }
        Statement {
            effect: value
                .get("Effect")
                .and_then(Value::as_str)
                .unwrap_or("Allow")
                .to_string(),
            actions: strings(value.get("Action")),
            not_actions: strings(value.get("NotAction")),
            resources: strings(value.get("Resource")),
            principals,
            conditions,
        }
    }

    pub fn allows(&self) -> bool {
        self.effect == "Allow"
    }

    /// Whether the statement allows every action on every resource.
    pub fn is_admin(&self) -> bool {
        self.allows()
            && self.actions.iter().any(|action| action == "*")
            && self.resources.iter().any(|resource| resource == "*")
    }

    /// Values of a condition key under any operator whose name ends with one of `operators`
    /// (so `ForAnyValue:StringLike` counts as `StringLike`). Keys compare case-insensitively,
    /// as IAM does.
    pub fn condition(&self, operators: &[&str], key: &str) -> Vec<&str> {
        self.conditions
            .iter()
            .filter(|(operator, condition_key, _)| {
                let base = operator.rsplit(':').next().unwrap_or(operator);
                let base = base.strip_suffix("IfExists").unwrap_or(base);
                operators.contains(&base) && condition_key.eq_ignore_ascii_case(key)
            })
            .flat_map(|(_, _, values)| values.iter().map(String::as_str))
            .collect()
    }
}
