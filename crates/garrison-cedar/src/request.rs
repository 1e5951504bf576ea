//! One authorization request as the API server describes it (a SubjectAccessReview's spec), and
//! how it becomes a Cedar request and its entities.

use std::collections::BTreeMap;

use garrison_authz::rbac;
use k8s_openapi::api::authorization::v1::{ResourceAttributes, SubjectAccessReviewSpec};
use serde::Serialize;
use serde_json::Value;

/// The user making a request, as the authenticator hands it to the authorizer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct UserInfo {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, Vec<String>>,
}

/// One requirement of a label selector, as the API server parsed it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LabelRequirement {
    pub key: String,
    /// `In`, `NotIn`, `Exists` or `DoesNotExist`.
    pub operator: String,
    pub values: Vec<String>,
}

/// One requirement of a field selector: only `=` and `!=` exist for authorization.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldRequirement {
    pub field: String,
    /// `=` or `!=`.
    pub operator: String,
    pub value: String,
}

/// A resource request. Empty strings mean "none", as in the API server's attributes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceRequest {
    pub api_group: String,
    pub version: String,
    pub resource: String,
    pub subresource: String,
    pub name: String,
    pub namespace: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label_selector: Option<Vec<LabelRequirement>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field_selector: Option<Vec<FieldRequirement>>,
}

/// What a request is for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum Target {
    Resource(ResourceRequest),
    NonResource { path: String },
}

/// One authorization request: who, which verb, on what.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AccessRequest {
    pub user: UserInfo,
    pub verb: String,
    pub target: Target,
}

/// A SubjectAccessReview that cannot be read.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum RequestError {
    #[error("the SubjectAccessReview is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("the SubjectAccessReview has no spec")]
    NoSpec,
    #[error("the SubjectAccessReview has neither resourceAttributes nor nonResourceAttributes")]
    NoAttributes,
    #[error("the SubjectAccessReview has both resourceAttributes and nonResourceAttributes")]
    BothAttributes,
}

/// How a username is typed as a Cedar principal. The same function types principals at run time
/// and RBAC subjects in `convert-rbac`, so the two can never disagree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrincipalKind<'a> {
    User,
    /// `system:serviceaccount:<namespace>:<name>`.
    ServiceAccount {
        namespace: &'a str,
        name: &'a str,
    },
    /// `system:node:<name>`.
    Node {
        name: &'a str,
    },
}

/// The kind of principal a username is: a service account or a node by its reserved prefix,
/// with non-empty parts and no further colon (as the API server's own parsers require), or a user.
pub fn principal_kind(username: &str) -> PrincipalKind<'_> {
    let plain = |part: &str| !part.is_empty() && !part.contains(':');
    if let Some((namespace, name)) = username
        .strip_prefix("system:serviceaccount:")
        .and_then(|rest| rest.split_once(':'))
        && plain(namespace)
        && plain(name)
    {
        return PrincipalKind::ServiceAccount { namespace, name };
    }
    if let Some(name) = username.strip_prefix("system:node:")
        && plain(name)
    {
        return PrincipalKind::Node { name };
    }
    PrincipalKind::User
}

/// What an impersonation request targets, when it has the shape the API server's impersonation
/// filter asks about; any other request with the verb `impersonate` is a plain resource request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Impersonated<'a> {
    /// `users`: a user, or a node for a `system:node:` name.
    User(&'a str),
    Group(&'a str),
    ServiceAccount {
        namespace: &'a str,
        name: &'a str,
    },
    Uid(&'a str),
    Extra {
        key: &'a str,
        value: &'a str,
    },
}

impl ResourceRequest {
    /// The impersonation target of this request if `verb` is `impersonate` and the request has
    /// one of the API server's impersonation shapes: `users`, `groups`, `uids` (core group,
    /// cluster-wide, named, no subresource), `serviceaccounts` (core group, namespaced, named,
    /// no subresource) or `userextras/<key>` (group `authentication.k8s.io`, cluster-wide, the
    /// name being the value).
    pub fn impersonated(&self, verb: &str) -> Option<Impersonated<'_>> {
        if verb != "impersonate" {
            return None;
        }
        if self.api_group == "authentication.k8s.io" {
            return (self.resource == "userextras"
                && !self.subresource.is_empty()
                && self.namespace.is_empty())
            .then_some(Impersonated::Extra {
                key: &self.subresource,
                value: &self.name,
            });
        }
        if !self.api_group.is_empty() || !self.subresource.is_empty() || self.name.is_empty() {
            return None;
        }
        match (self.resource.as_str(), self.namespace.is_empty()) {
            ("users", true) => Some(Impersonated::User(&self.name)),
            ("groups", true) => Some(Impersonated::Group(&self.name)),
            ("uids", true) => Some(Impersonated::Uid(&self.name)),
            ("serviceaccounts", false) => Some(Impersonated::ServiceAccount {
                namespace: &self.namespace,
                name: &self.name,
            }),
            _ => None,
        }
    }
}

fn non_empty(value: Option<&String>) -> String {
    value.cloned().unwrap_or_default()
}

impl AccessRequest {
    /// Reads a SubjectAccessReview (`authorization.k8s.io/v1`) given as JSON.
    pub fn from_sar_json(text: &str) -> Result<AccessRequest, RequestError> {
        let value: Value = serde_json::from_str(text)?;
        AccessRequest::from_sar_value(&value)
    }

    /// Reads a SubjectAccessReview given as a JSON value.
    pub fn from_sar_value(value: &Value) -> Result<AccessRequest, RequestError> {
        let spec = value.get("spec").ok_or(RequestError::NoSpec)?;
        let spec: SubjectAccessReviewSpec = serde_json::from_value(spec.clone())?;
        AccessRequest::from_spec(&spec)
    }

    /// The request of a SubjectAccessReview's spec.
    pub fn from_spec(spec: &SubjectAccessReviewSpec) -> Result<AccessRequest, RequestError> {
        let user = UserInfo {
            name: non_empty(spec.user.as_ref()),
            uid: spec.uid.clone().filter(|uid| !uid.is_empty()),
            groups: spec.groups.clone().unwrap_or_default(),
            extra: spec.extra.clone().unwrap_or_default(),
        };
        match (&spec.resource_attributes, &spec.non_resource_attributes) {
            (Some(_), Some(_)) => Err(RequestError::BothAttributes),
            (None, None) => Err(RequestError::NoAttributes),
            (None, Some(attributes)) => Ok(AccessRequest {
                user,
                verb: non_empty(attributes.verb.as_ref()),
                target: Target::NonResource {
                    path: non_empty(attributes.path.as_ref()),
                },
            }),
            (Some(attributes), None) => Ok(AccessRequest {
                user,
                verb: non_empty(attributes.verb.as_ref()),
                target: Target::Resource(resource_request(attributes)),
            }),
        }
    }

    /// The same request as the RBAC evaluator's request.
    pub fn to_rbac(&self) -> rbac::Request {
        match &self.target {
            Target::NonResource { path } => rbac::Request::non_resource(&self.verb, path),
            Target::Resource(resource) => rbac::Request {
                verb: self.verb.clone(),
                target: rbac::Target::Resource(rbac::Resource {
                    api_group: resource.api_group.clone(),
                    resource: resource.resource.clone(),
                    subresource: resource.subresource.clone(),
                    name: resource.name.clone(),
                    scope: if resource.namespace.is_empty() {
                        rbac::Scope::Cluster
                    } else {
                        rbac::Scope::Namespace(resource.namespace.clone())
                    },
                }),
            },
        }
    }

    /// `get pods/log "web" in namespace shop (group "")` style, for reports.
    pub fn describe_target(&self) -> String {
        match &self.target {
            Target::NonResource { path } => path.clone(),
            Target::Resource(resource) => {
                let mut text = resource.resource.clone();
                if !resource.api_group.is_empty() {
                    text = format!("{text}.{}", resource.api_group);
                }
                if !resource.subresource.is_empty() {
                    text = format!("{text}/{}", resource.subresource);
                }
                text
            }
        }
    }
}

/// The resource attributes as the authorizer sees them. Selectors follow the API server
/// (`pkg/registry/authorization/util`): only the parsed `requirements` count, `rawSelector` is
/// ignored; a field selector supports only `In` and `NotIn` with exactly one value (as `=` and
/// `!=`), and a field selector with any other requirement is dropped whole, as the API server
/// drops it, so the request is judged as unrestricted.
fn resource_request(attributes: &ResourceAttributes) -> ResourceRequest {
    let label_selector = attributes
        .label_selector
        .as_ref()
        .and_then(|selector| selector.requirements.as_ref())
        .filter(|requirements| !requirements.is_empty())
        .map(|requirements| {
            requirements
                .iter()
                .map(|requirement| LabelRequirement {
                    key: requirement.key.clone(),
                    operator: requirement.operator.clone(),
                    values: requirement.values.clone().unwrap_or_default(),
                })
                .collect()
        });
    let field_selector = attributes
        .field_selector
        .as_ref()
        .and_then(|selector| selector.requirements.as_ref())
        .filter(|requirements| !requirements.is_empty())
        .and_then(|requirements| {
            requirements
                .iter()
                .map(|requirement| {
                    let values = requirement.values.as_deref().unwrap_or_default();
                    let operator = match requirement.operator.as_str() {
                        "In" => "=",
                        "NotIn" => "!=",
                        _ => return None,
                    };
                    let [value] = values else {
                        return None;
                    };
                    Some(FieldRequirement {
                        field: requirement.key.clone(),
                        operator: operator.to_string(),
                        value: value.clone(),
                    })
                })
                .collect::<Option<Vec<_>>>()
        });
    ResourceRequest {
        api_group: non_empty(attributes.group.as_ref()),
        version: non_empty(attributes.version.as_ref()),
        resource: non_empty(attributes.resource.as_ref()),
        subresource: non_empty(attributes.subresource.as_ref()),
        name: non_empty(attributes.name.as_ref()),
        namespace: non_empty(attributes.namespace.as_ref()),
        label_selector,
        field_selector,
    }
}
