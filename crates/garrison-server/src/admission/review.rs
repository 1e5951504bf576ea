//! AdmissionReview (`admission.k8s.io/v1`, and `v1beta1` answered in `v1beta1`): the request as
//! read, and the response as written.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use serde_json::{Map, Value, json};

/// The AdmissionReview versions the webhook speaks.
pub const ADMISSION_V1: &str = "admission.k8s.io/v1";
pub const ADMISSION_V1BETA1: &str = "admission.k8s.io/v1beta1";

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Review {
    #[serde(default)]
    api_version: String,
    #[serde(default)]
    kind: String,
    request: Option<Request>,
}

/// A reason the body is not an AdmissionReview the webhook can answer (HTTP 400).
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    #[error("the body is not an AdmissionReview: {0}")]
    Json(#[from] serde_json::Error),
    #[error(
        "expected kind AdmissionReview with apiVersion admission.k8s.io/v1 or admission.k8s.io/v1beta1, got kind {kind:?} apiVersion {api_version:?}"
    )]
    Version { api_version: String, kind: String },
    #[error("the AdmissionReview has no request")]
    NoRequest,
}

/// Reads an AdmissionReview: its apiVersion (to answer in) and its request.
pub fn parse(body: &[u8]) -> Result<(&'static str, Request), ReviewError> {
    let review: Review = serde_json::from_slice(body)?;
    let version = match (review.api_version.as_str(), review.kind.as_str()) {
        (ADMISSION_V1, "AdmissionReview") => ADMISSION_V1,
        (ADMISSION_V1BETA1, "AdmissionReview") => ADMISSION_V1BETA1,
        _ => {
            return Err(ReviewError::Version {
                api_version: review.api_version,
                kind: review.kind,
            });
        }
    };
    let request = review.request.ok_or(ReviewError::NoRequest)?;
    Ok((version, request))
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
pub struct GroupVersionKind {
    #[serde(default)]
    pub group: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub kind: String,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
pub struct GroupVersionResource {
    #[serde(default)]
    pub group: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub resource: String,
}

#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "UPPERCASE")]
pub enum Operation {
    #[default]
    Create,
    Update,
    Delete,
    Connect,
}

impl Operation {
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Create => "create",
            Operation::Update => "update",
            Operation::Delete => "delete",
            Operation::Connect => "connect",
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct UserInfo {
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub uid: String,
    #[serde(default)]
    pub groups: Vec<String>,
    #[serde(default)]
    pub extra: BTreeMap<String, Vec<String>>,
}

/// An AdmissionRequest. The objects stay raw JSON until a rule decodes them into the type it
/// reads.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Request {
    #[serde(default)]
    pub uid: String,
    #[serde(default)]
    pub kind: GroupVersionKind,
    #[serde(default)]
    pub resource: GroupVersionResource,
    #[serde(default)]
    pub sub_resource: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub namespace: String,
    #[serde(default)]
    pub operation: Operation,
    #[serde(default)]
    pub user_info: UserInfo,
    #[serde(default)]
    pub object: Option<Box<RawValue>>,
    #[serde(default)]
    pub old_object: Option<Box<RawValue>>,
    #[serde(default)]
    pub dry_run: Option<bool>,
    /// The object as a JSON tree, once a rule that reads it generically (Cedar, image rules)
    /// has parsed it: typed decodes then read the tree instead of parsing the text again.
    #[serde(skip)]
    object_tree: std::sync::OnceLock<Option<serde_json::Value>>,
}

fn decode<T: DeserializeOwned>(raw: Option<&RawValue>) -> Result<Option<T>, String> {
    match raw {
        None => Ok(None),
        Some(raw) if raw.get() == "null" => Ok(None),
        Some(raw) => match serde_json::from_str(raw.get()) {
            Ok(value) => Ok(Some(value)),
            // Paths are tracked only to explain a failure: the fast decode above does not pay
            // for them, and the message is the same.
            Err(_) => decode_with_path(raw.get()).map(Some),
        },
    }
}

/// `text` decoded as `T` with the path of the field that failed in the error.
fn decode_with_path<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        if path == "." || path.is_empty() {
            error.into_inner().to_string()
        } else {
            format!("{path}: {}", error.into_inner())
        }
    })
}

impl Request {
    /// The object as a JSON tree, parsed on first use; `None` when the request has no object
    /// or it is not JSON.
    pub fn object_tree(&self) -> Option<&serde_json::Value> {
        self.object_tree
            .get_or_init(|| {
                self.object
                    .as_deref()
                    .and_then(|raw| serde_json::from_str(raw.get()).ok())
            })
            .as_ref()
    }

    /// The object as `T`; `Ok(None)` when the request has none. Read from the parsed tree when
    /// [`Request::object_tree`] has been called, from the text otherwise; a failure is explained
    /// from the text either way, so the message does not depend on the route.
    pub fn decode_object<T: DeserializeOwned>(&self) -> Result<Option<T>, String> {
        if let Some(Some(tree)) = self.object_tree.get()
            && !tree.is_null()
            && let Ok(value) = T::deserialize(tree)
        {
            return Ok(Some(value));
        }
        decode(self.object.as_deref())
    }

    pub fn decode_old_object<T: DeserializeOwned>(&self) -> Result<Option<T>, String> {
        decode(self.old_object.as_deref())
    }
}

/// A `metav1.Status` cause.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusCause {
    pub reason: String,
    pub message: String,
    pub field: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusDetails {
    pub name: String,
    pub group: String,
    pub kind: String,
    pub causes: Vec<StatusCause>,
}

/// The `metav1.Status` of a denial: what the API server returns to the client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    pub code: u16,
    pub reason: &'static str,
    pub message: String,
    pub details: Option<StatusDetails>,
}

impl Status {
    pub fn new(code: u16, reason: &'static str, message: String) -> Status {
        Status {
            code,
            reason,
            message,
            details: None,
        }
    }

    fn to_json(&self) -> Value {
        let mut status = Map::new();
        status.insert("metadata".into(), json!({}));
        status.insert("status".into(), json!("Failure"));
        status.insert("message".into(), json!(self.message));
        status.insert("reason".into(), json!(self.reason));
        if let Some(details) = &self.details {
            // Go's omitempty: empty strings and lists are left out.
            let mut out = Map::new();
            if !details.name.is_empty() {
                out.insert("name".into(), json!(details.name));
            }
            if !details.group.is_empty() {
                out.insert("group".into(), json!(details.group));
            }
            if !details.kind.is_empty() {
                out.insert("kind".into(), json!(details.kind));
            }
            if !details.causes.is_empty() {
                out.insert(
                    "causes".into(),
                    Value::Array(
                        details
                            .causes
                            .iter()
                            .map(|cause| {
                                // Go's omitempty, as for the details.
                                let mut out = Map::new();
                                for (key, value) in [
                                    ("reason", &cause.reason),
                                    ("message", &cause.message),
                                    ("field", &cause.field),
                                ] {
                                    if !value.is_empty() {
                                        out.insert(key.into(), json!(value));
                                    }
                                }
                                Value::Object(out)
                            })
                            .collect(),
                    ),
                );
            }
            status.insert("details".into(), Value::Object(out));
        }
        status.insert("code".into(), json!(self.code));
        Value::Object(status)
    }
}

/// A decision with what goes back with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub allowed: bool,
    pub status: Option<Status>,
    pub warnings: Vec<String>,
    pub audit_annotations: BTreeMap<String, String>,
}

impl Verdict {
    pub fn allow() -> Verdict {
        Verdict {
            allowed: true,
            status: None,
            warnings: Vec::new(),
            audit_annotations: BTreeMap::new(),
        }
    }

    pub fn deny(status: Status) -> Verdict {
        Verdict {
            allowed: false,
            status: Some(status),
            warnings: Vec::new(),
            audit_annotations: BTreeMap::new(),
        }
    }

    /// The AdmissionReview answering `uid` in `api_version`.
    pub fn to_review(&self, api_version: &str, uid: &str) -> Value {
        let mut response = Map::new();
        response.insert("uid".into(), json!(uid));
        response.insert("allowed".into(), json!(self.allowed));
        if let Some(status) = &self.status {
            response.insert("status".into(), status.to_json());
        }
        if !self.audit_annotations.is_empty() {
            response.insert("auditAnnotations".into(), json!(self.audit_annotations));
        }
        if !self.warnings.is_empty() {
            response.insert("warnings".into(), json!(self.warnings));
        }
        json!({
            "apiVersion": api_version,
            "kind": "AdmissionReview",
            "response": Value::Object(response),
        })
    }
}
