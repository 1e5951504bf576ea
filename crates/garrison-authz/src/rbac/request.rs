//! A request as the authorizer sees it: the API server's `authorizer.Attributes`.

use std::fmt;

use serde::Serialize;

/// One request: a verb and what it is done to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Request {
    pub verb: String,
    pub target: Target,
}

/// What a request is for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum Target {
    Resource(Resource),
    /// A URL that is not a resource (`/healthz`, `/metrics`, `/api`). Such requests have no
    /// namespace, so only ClusterRoleBindings (and cluster-scoped access policies) allow them.
    NonResource {
        path: String,
    },
}

/// A resource request. Empty strings mean "none", as in the API server's attributes: an empty
/// `name` is a request that names no object (list, watch, create, deletecollection), and an
/// empty `subresource` a request for the resource itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Resource {
    /// The API group; empty for the core group.
    pub api_group: String,
    pub resource: String,
    pub subresource: String,
    pub name: String,
    pub scope: Scope,
}

/// Where a resource request is made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "type", content = "namespace")]
pub enum Scope {
    /// A cluster-scoped resource, or a namespaced resource across all namespaces (the API
    /// server's empty namespace): only ClusterRoleBindings apply.
    Cluster,
    /// One namespace: ClusterRoleBindings and the RoleBindings of that namespace apply.
    Namespace(String),
    /// "In some namespace", which the API server never asks: ClusterRoleBindings and the
    /// RoleBindings of every namespace apply, each within its own namespace (`who-can -A`).
    AnyNamespace,
}

impl Request {
    /// A cluster-wide resource request. `resource` may name a subresource: `pods/log`.
    pub fn resource(
        verb: impl Into<String>,
        api_group: impl Into<String>,
        resource: &str,
    ) -> Request {
        let (resource, subresource) = resource.split_once('/').unwrap_or((resource, ""));
        Request {
            verb: verb.into(),
            target: Target::Resource(Resource {
                api_group: api_group.into(),
                resource: resource.to_string(),
                subresource: subresource.to_string(),
                name: String::new(),
                scope: Scope::Cluster,
            }),
        }
    }

    /// A request for a non-resource URL.
    pub fn non_resource(verb: impl Into<String>, path: impl Into<String>) -> Request {
        Request {
            verb: verb.into(),
            target: Target::NonResource { path: path.into() },
        }
    }

    /// The same request in `namespace` (an empty namespace means cluster-wide). No effect on a
    /// non-resource request.
    pub fn in_namespace(self, namespace: impl Into<String>) -> Request {
        let namespace = namespace.into();
        self.with_scope(if namespace.is_empty() {
            Scope::Cluster
        } else {
            Scope::Namespace(namespace)
        })
    }

    /// The same request with another scope. No effect on a non-resource request.
    pub fn with_scope(mut self, scope: Scope) -> Request {
        if let Target::Resource(resource) = &mut self.target {
            resource.scope = scope;
        }
        self
    }

    /// The same request naming one object. No effect on a non-resource request.
    pub fn named(mut self, name: impl Into<String>) -> Request {
        if let Target::Resource(resource) = &mut self.target {
            resource.name = name.into();
        }
        self
    }

    /// The scope of a resource request; `None` for a non-resource request.
    pub fn scope(&self) -> Option<&Scope> {
        match &self.target {
            Target::Resource(resource) => Some(&resource.scope),
            Target::NonResource { .. } => None,
        }
    }
}

impl fmt::Display for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.target {
            Target::NonResource { path } => write!(f, "{} {path}", self.verb),
            Target::Resource(resource) => {
                write!(f, "{} {}", self.verb, resource.resource)?;
                if !resource.api_group.is_empty() {
                    write!(f, ".{}", resource.api_group)?;
                }
                if !resource.subresource.is_empty() {
                    write!(f, "/{}", resource.subresource)?;
                }
                if !resource.name.is_empty() {
                    write!(f, " {:?}", resource.name)?;
                }
                match &resource.scope {
                    Scope::Cluster => write!(f, " cluster-wide"),
                    Scope::Namespace(namespace) => write!(f, " in namespace {namespace}"),
                    Scope::AnyNamespace => write!(f, " in any namespace"),
                }
            }
        }
    }
}
