//! Cedar at admission: a request to create, update, delete or connect to an object as a Cedar
//! request (`k8s::admission::Action`, the object as a `k8s::admission::Object` with its pod spec
//! as a typed record, a child of its `k8s::admission::Namespace`), decided by the `forbid`
//! policies alone: an object is admitted unless a forbid matches.

use std::collections::{BTreeMap, HashSet};
use std::str::FromStr;

use cedar_policy::{
    Authorizer, Context, Decision, Effect, Entities, EntityId, EntityTypeName, EntityUid, Request,
    RestrictedExpression,
};
use serde_json::Value;

use crate::entities::{BuildError, Types, entity, principal_entities, string};
use crate::policies::{Policies, ResourceFacts};
use crate::request::UserInfo;

/// An admission request as Cedar sees it.
#[derive(Clone, Debug, Default)]
pub struct AdmissionRequest<'a> {
    pub user: UserInfo,
    /// `create`, `update`, `delete` or `connect`.
    pub operation: &'a str,
    pub api_group: &'a str,
    pub api_version: &'a str,
    pub kind: &'a str,
    pub resource: &'a str,
    pub subresource: &'a str,
    pub name: &'a str,
    pub namespace: &'a str,
    /// The object (the old object for a delete).
    pub object: Option<&'a Value>,
    /// The labels of the object's namespace, when known.
    pub namespace_labels: Option<&'a BTreeMap<String, String>>,
    pub dry_run: bool,
}

/// The decision on an admission request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdmissionAnswer {
    pub denied: bool,
    /// The matching forbids' ids.
    pub policies: Vec<String>,
    /// `denied by Cedar policy "id" (file:line): reason; ...`, or why nothing denied.
    pub reason: String,
}

/// The parts of an admission decision that do not change when policies are reloaded.
#[derive(Clone, Debug)]
pub struct AdmissionEngine {
    types: Types,
    object: EntityTypeName,
    namespace: EntityTypeName,
    action: EntityTypeName,
    authorizer: Authorizer,
}

fn type_name(name: &str) -> Result<EntityTypeName, BuildError> {
    EntityTypeName::from_str(name).map_err(|error| BuildError(error.to_string()))
}

fn boolean(value: &Value, key: &str) -> Option<RestrictedExpression> {
    value
        .get(key)
        .and_then(Value::as_bool)
        .map(RestrictedExpression::new_bool)
}

fn text(value: &Value, key: &str) -> Option<RestrictedExpression> {
    value.get(key).and_then(Value::as_str).map(string)
}

fn string_set(value: Option<&Value>) -> RestrictedExpression {
    RestrictedExpression::new_set(
        value
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(string),
    )
}

fn record(
    fields: Vec<(&str, Option<RestrictedExpression>)>,
) -> Result<RestrictedExpression, BuildError> {
    RestrictedExpression::new_record(
        fields
            .into_iter()
            .filter_map(|(key, value)| Some((key.to_string(), value?))),
    )
    .map_err(|error| BuildError(error.to_string()))
}

/// The pod spec of an object of `resource`, where the workload keeps it.
fn pod_spec<'a>(object: &'a Value, resource: &str) -> Option<&'a Value> {
    match resource {
        "pods" => object.get("spec"),
        "podtemplates" => object.pointer("/template/spec"),
        "cronjobs" => object.pointer("/spec/jobTemplate/spec/template/spec"),
        "deployments"
        | "statefulsets"
        | "daemonsets"
        | "replicasets"
        | "replicationcontrollers"
        | "jobs" => object.pointer("/spec/template/spec"),
        _ => None,
    }
}

fn container(container: &Value, kind: &str) -> Result<RestrictedExpression, BuildError> {
    let empty = Value::Null;
    let context = container.get("securityContext").unwrap_or(&empty);
    let capabilities = context.get("capabilities").unwrap_or(&empty);
    record(vec![
        (
            "name",
            Some(text(container, "name").unwrap_or_else(|| string(""))),
        ),
        (
            "image",
            Some(text(container, "image").unwrap_or_else(|| string(""))),
        ),
        ("kind", Some(string(kind))),
        ("privileged", boolean(context, "privileged")),
        (
            "allowPrivilegeEscalation",
            boolean(context, "allowPrivilegeEscalation"),
        ),
        (
            "readOnlyRootFilesystem",
            boolean(context, "readOnlyRootFilesystem"),
        ),
        ("runAsNonRoot", boolean(context, "runAsNonRoot")),
        (
            "runAsUser",
            context
                .get("runAsUser")
                .and_then(Value::as_i64)
                .map(RestrictedExpression::new_long),
        ),
        ("capabilitiesAdd", Some(string_set(capabilities.get("add")))),
        (
            "capabilitiesDrop",
            Some(string_set(capabilities.get("drop"))),
        ),
    ])
}

fn pod_spec_record(spec: &Value) -> Result<RestrictedExpression, BuildError> {
    let mut containers = Vec::new();
    let mut images = Vec::new();
    for (field, kind) in [
        ("initContainers", "init"),
        ("containers", "regular"),
        ("ephemeralContainers", "ephemeral"),
    ] {
        for item in spec
            .get(field)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            containers.push(container(item, kind)?);
            if let Some(image) = item.get("image").and_then(Value::as_str) {
                images.push(string(image));
            }
        }
    }
    let volume_types: HashSet<&str> = spec
        .get("volumes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .flat_map(|volume| {
            volume
                .keys()
                .map(String::as_str)
                .filter(|key| *key != "name")
        })
        .collect();
    let flag =
        |key: &str| Some(boolean(spec, key).unwrap_or(RestrictedExpression::new_bool(false)));
    record(vec![
        (
            "containers",
            Some(RestrictedExpression::new_set(containers)),
        ),
        ("images", Some(RestrictedExpression::new_set(images))),
        ("serviceAccountName", text(spec, "serviceAccountName")),
        (
            "automountServiceAccountToken",
            boolean(spec, "automountServiceAccountToken"),
        ),
        ("hostNetwork", flag("hostNetwork")),
        ("hostPID", flag("hostPID")),
        ("hostIPC", flag("hostIPC")),
        ("runtimeClassName", text(spec, "runtimeClassName")),
        ("nodeName", text(spec, "nodeName")),
        ("priorityClassName", text(spec, "priorityClassName")),
        (
            "volumeTypes",
            Some(RestrictedExpression::new_set(
                volume_types.into_iter().map(string),
            )),
        ),
    ])
}

fn label_tags(
    labels: Option<&serde_json::Map<String, Value>>,
) -> Vec<(String, RestrictedExpression)> {
    labels
        .into_iter()
        .flatten()
        .filter_map(|(key, value)| Some((key.clone(), string(value.as_str()?))))
        .collect()
}

impl AdmissionEngine {
    pub fn new() -> Result<AdmissionEngine, BuildError> {
        Ok(AdmissionEngine {
            types: Types::new()?,
            object: type_name("k8s::admission::Object")?,
            namespace: type_name("k8s::admission::Namespace")?,
            action: type_name("k8s::admission::Action")?,
            authorizer: Authorizer::new(),
        })
    }

    fn uid(kind: &EntityTypeName, id: &str) -> EntityUid {
        EntityUid::from_type_name_and_id(kind.clone(), EntityId::new(id))
    }

    /// The Cedar request of `request` and its entities.
    pub fn to_cedar(
        &self,
        request: &AdmissionRequest<'_>,
    ) -> Result<(Request, Entities), BuildError> {
        let mut entities = Vec::with_capacity(3);
        let principal = principal_entities(&self.types, &request.user, &|_| true, &mut entities)?;
        let mut parents = HashSet::new();
        if !request.namespace.is_empty() {
            let uid = Self::uid(&self.namespace, request.namespace);
            let tags = request
                .namespace_labels
                .into_iter()
                .flatten()
                .map(|(key, value)| (key.clone(), string(value)))
                .collect();
            entities.push(entity(
                uid.clone(),
                vec![("name", string(request.namespace))],
                HashSet::new(),
                tags,
            )?);
            parents.insert(uid);
        }
        let mut attributes = vec![
            ("apiGroup", string(request.api_group)),
            ("apiVersion", string(request.api_version)),
            ("kind", string(request.kind)),
            ("resource", string(request.resource)),
        ];
        for (key, value) in [
            ("subresource", request.subresource),
            ("name", request.name),
            ("namespace", request.namespace),
        ] {
            if !value.is_empty() {
                attributes.push((key, string(value)));
            }
        }
        let mut tags = Vec::new();
        if let Some(object) = request.object {
            tags = label_tags(
                object
                    .pointer("/metadata/labels")
                    .and_then(Value::as_object),
            );
            if (request.subresource.is_empty() || request.subresource == "ephemeralcontainers")
                && let Some(spec) = pod_spec(object, request.resource)
            {
                attributes.push(("podSpec", pod_spec_record(spec)?));
            }
        }
        let mut id = format!(
            "{}/{}/{}",
            request.api_group, request.resource, request.namespace
        );
        id.push('/');
        id.push_str(request.name);
        let resource = Self::uid(&self.object, &id);
        entities.push(entity(resource.clone(), attributes, parents, tags)?);
        let context = Context::from_pairs([(
            "dryRun".to_string(),
            RestrictedExpression::new_bool(request.dry_run),
        )])
        .map_err(|error| BuildError(error.to_string()))?;
        let cedar_request = Request::new(
            principal,
            Self::uid(&self.action, request.operation),
            resource,
            context,
            None,
        )
        .map_err(|error| BuildError(error.to_string()))?;
        let entities = Entities::from_entities(entities, None)
            .map_err(|error| BuildError(error.to_string()))?;
        Ok((cedar_request, entities))
    }

    /// Decides `request` under `policies`: denied when a forbid matches, or when a forbid cannot
    /// be evaluated (fail closed: Cedar skips a policy that errors).
    pub fn decide(&self, policies: &Policies, request: &AdmissionRequest<'_>) -> AdmissionAnswer {
        let (cedar_request, entities) = match self.to_cedar(request) {
            Ok(built) => built,
            Err(error) => {
                return AdmissionAnswer {
                    denied: true,
                    policies: Vec::new(),
                    reason: format!(
                        "denied because the request could not be given to Cedar: {error}"
                    ),
                };
            }
        };
        let principal = self.types.principal_uid(&request.user.name);
        let groups: Vec<_> = request
            .user
            .groups
            .iter()
            .map(|group| self.types.group_uid(group))
            .collect();
        let mut forbids = Vec::new();
        let mut failed = Vec::new();
        let action = Self::uid(&self.action, request.operation);
        let facts = match cedar_request.resource() {
            Some(resource) => ResourceFacts::new(&entities, resource.clone()),
            None => ResourceFacts::unknown(),
        };
        for slice in policies.slices(&principal, groups, &action, &facts) {
            let response = self
                .authorizer
                .is_authorized(&cedar_request, slice, &entities);
            if response.decision() == Decision::Deny {
                forbids.extend(
                    response
                        .diagnostics()
                        .reason()
                        .filter_map(|id| policies.info(id))
                        .filter(|info| info.effect == Effect::Forbid),
                );
            }
            failed.extend(response.diagnostics().errors().filter_map(|error| {
                let cedar_policy::AuthorizationError::PolicyEvaluationError(error) = error;
                let info = policies.info(error.policy_id())?;
                (info.effect == Effect::Forbid).then(|| format!("{}: {error}", info.id))
            }));
        }
        forbids.sort_by(|a, b| (&a.file, a.line, &a.id).cmp(&(&b.file, b.line, &b.id)));
        forbids.dedup_by(|a, b| a.id == b.id);
        if !forbids.is_empty() {
            let parts: Vec<String> = forbids
                .iter()
                .map(|info| {
                    // The file's name: the directory is the server's business.
                    let file = std::path::Path::new(&info.file)
                        .file_name()
                        .and_then(|name| name.to_str())
                        .unwrap_or(&info.file);
                    let location = format!("{file}:{}", info.line);
                    let mut part = if location.ends_with(&info.id) {
                        format!("Cedar policy {location}")
                    } else {
                        format!("Cedar policy {:?} ({location})", info.id)
                    };
                    if let Some((_, reason)) =
                        info.annotations.iter().find(|(key, _)| key == "reason")
                    {
                        part.push_str(": ");
                        part.push_str(reason);
                    }
                    part
                })
                .collect();
            return AdmissionAnswer {
                denied: true,
                policies: forbids.iter().map(|info| info.id.clone()).collect(),
                reason: format!("denied by {}", parts.join("; ")),
            };
        }
        if !failed.is_empty() {
            return AdmissionAnswer {
                denied: true,
                policies: Vec::new(),
                reason: format!(
                    "denied because a forbid policy could not be evaluated: {}",
                    failed.join("; ")
                ),
            };
        }
        AdmissionAnswer {
            denied: false,
            policies: Vec::new(),
            reason: "no Cedar forbid policy matches".to_string(),
        }
    }
}
