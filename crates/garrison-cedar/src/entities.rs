//! An [`AccessRequest`] as a Cedar request and the entities it needs, following
//! `schema/k8s.cedarschema`.

use std::collections::{HashMap, HashSet};
use std::str::FromStr;

use cedar_policy::{
    Context, Entities, Entity, EntityId, EntityTypeName, EntityUid, Request, RestrictedExpression,
};

use crate::request::{
    AccessRequest, Impersonated, PrincipalKind, ResourceRequest, Target, UserInfo, principal_kind,
};

/// A request that cannot be expressed in Cedar: an entity whose attributes Cedar rejects, or
/// a request Cedar refuses. Neither happens for the types this module builds; the error exists
/// so that a Cedar change surfaces as an evaluation error rather than a panic.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("cannot build the Cedar request: {0}")]
pub struct BuildError(pub(crate) String);

/// The entity type names of the schema, parsed once.
#[derive(Clone, Debug)]
pub struct Types {
    pub user: EntityTypeName,
    pub group: EntityTypeName,
    pub service_account: EntityTypeName,
    pub node: EntityTypeName,
    pub resource: EntityTypeName,
    pub non_resource_url: EntityTypeName,
    pub principal_uid: EntityTypeName,
    pub extra: EntityTypeName,
    pub action: EntityTypeName,
}

fn type_name(name: &str) -> Result<EntityTypeName, BuildError> {
    EntityTypeName::from_str(name).map_err(|error| BuildError(error.to_string()))
}

impl Types {
    pub fn new() -> Result<Types, BuildError> {
        Ok(Types {
            user: type_name("k8s::User")?,
            group: type_name("k8s::Group")?,
            service_account: type_name("k8s::ServiceAccount")?,
            node: type_name("k8s::Node")?,
            resource: type_name("k8s::Resource")?,
            non_resource_url: type_name("k8s::NonResourceURL")?,
            principal_uid: type_name("k8s::PrincipalUID")?,
            extra: type_name("k8s::Extra")?,
            action: type_name("k8s::Action")?,
        })
    }

    pub(crate) fn uid(&self, kind: &EntityTypeName, id: &str) -> EntityUid {
        EntityUid::from_type_name_and_id(kind.clone(), EntityId::new(id))
    }

    /// The entity of the user named `username`, typed by [`principal_kind`].
    pub fn principal_uid(&self, username: &str) -> EntityUid {
        let kind = match principal_kind(username) {
            PrincipalKind::User => &self.user,
            PrincipalKind::ServiceAccount { .. } => &self.service_account,
            PrincipalKind::Node { .. } => &self.node,
        };
        self.uid(kind, username)
    }

    pub fn group_uid(&self, group: &str) -> EntityUid {
        self.uid(&self.group, group)
    }

    pub fn action_uid(&self, verb: &str) -> EntityUid {
        self.uid(&self.action, verb)
    }

    /// `k8s::ServiceAccount::"system:serviceaccount:<namespace>:<name>"`.
    pub fn service_account_uid(&self, namespace: &str, name: &str) -> EntityUid {
        self.uid(
            &self.service_account,
            &format!("system:serviceaccount:{namespace}:{name}"),
        )
    }

    /// The entity an impersonated user name is: a node for a `system:node:` name, else a user.
    /// (A service account is impersonated through `serviceaccounts`, never `users`.)
    pub fn impersonated_user_uid(&self, name: &str) -> EntityUid {
        match principal_kind(name) {
            PrincipalKind::Node { .. } => self.uid(&self.node, name),
            _ => self.uid(&self.user, name),
        }
    }

    pub fn principal_uid_entity(&self, uid: &str) -> EntityUid {
        self.uid(&self.principal_uid, uid)
    }
}

pub(crate) fn string(value: &str) -> RestrictedExpression {
    RestrictedExpression::new_string(value.to_string())
}

pub(crate) fn strings<'a>(values: impl IntoIterator<Item = &'a String>) -> RestrictedExpression {
    RestrictedExpression::new_set(values.into_iter().map(|value| string(value)))
}

pub(crate) fn entity(
    uid: EntityUid,
    attributes: Vec<(&str, RestrictedExpression)>,
    parents: HashSet<EntityUid>,
    tags: Vec<(String, RestrictedExpression)>,
) -> Result<Entity, BuildError> {
    Entity::new_with_tags(
        uid,
        attributes
            .into_iter()
            .map(|(key, value)| (key.to_string(), value)),
        parents,
        tags,
    )
    .map_err(|error| BuildError(error.to_string()))
}

/// The name attribute of a user-like entity: a service account's or node's own name, the
/// username otherwise.
fn identity_attributes(username: &str) -> Vec<(&'static str, RestrictedExpression)> {
    match principal_kind(username) {
        PrincipalKind::User => vec![("name", string(username))],
        PrincipalKind::ServiceAccount { namespace, name } => {
            vec![("name", string(name)), ("namespace", string(namespace))]
        }
        PrincipalKind::Node { name } => vec![("name", string(name))],
    }
}

/// The principal entity and its groups (those `relevant` says a policy can ask about).
pub(crate) fn principal_entities(
    types: &Types,
    user: &UserInfo,
    relevant: &dyn Fn(&str) -> bool,
    entities: &mut Vec<Entity>,
) -> Result<EntityUid, BuildError> {
    let uid = types.principal_uid(&user.name);
    // The groups are parents only: `principal in k8s::Group::"g"` needs the principal's
    // ancestors, not the group entities, and no policy can reach a group's attributes through
    // the principal. Leaving them out halves the cost of building a request.
    let parents: HashSet<EntityUid> = user
        .groups
        .iter()
        .filter(|group| relevant(group))
        .map(|group| types.group_uid(group))
        .collect();
    let mut attributes = identity_attributes(&user.name);
    if let Some(id) = &user.uid {
        attributes.push(("uid", string(id)));
    }
    // Extra keys are case-insensitive (they travel as HTTP headers): lower-cased, merged.
    let mut extra: HashMap<String, Vec<&String>> = HashMap::new();
    for (key, values) in &user.extra {
        extra.entry(key.to_lowercase()).or_default().extend(values);
    }
    let tags = extra
        .into_iter()
        .map(|(key, values)| (key, strings(values)))
        .collect();
    entities.push(entity(uid.clone(), attributes, parents, tags)?);
    Ok(uid)
}

fn resource_entity(
    types: &Types,
    resource: &ResourceRequest,
    verb: &str,
) -> Result<Entity, BuildError> {
    if let Some(target) = resource.impersonated(verb) {
        return match target {
            Impersonated::User(name) => entity(
                types.impersonated_user_uid(name),
                match principal_kind(name) {
                    PrincipalKind::Node { name: short } => vec![("name", string(short))],
                    _ => vec![("name", string(name))],
                },
                HashSet::new(),
                Vec::new(),
            ),
            Impersonated::Group(name) => entity(
                types.group_uid(name),
                vec![("name", string(name))],
                HashSet::new(),
                Vec::new(),
            ),
            Impersonated::ServiceAccount { namespace, name } => entity(
                types.service_account_uid(namespace, name),
                vec![("name", string(name)), ("namespace", string(namespace))],
                HashSet::new(),
                Vec::new(),
            ),
            Impersonated::Uid(uid) => entity(
                types.principal_uid_entity(uid),
                vec![("uid", string(uid))],
                HashSet::new(),
                Vec::new(),
            ),
            Impersonated::Extra { key, value } => entity(
                types.uid(&types.extra, &format!("{key}={value}")),
                vec![("key", string(key)), ("value", string(value))],
                HashSet::new(),
                Vec::new(),
            ),
        };
    }
    let mut attributes = vec![
        ("apiGroup", string(&resource.api_group)),
        ("resource", string(&resource.resource)),
    ];
    for (key, value) in [
        ("subresource", &resource.subresource),
        ("name", &resource.name),
        ("namespace", &resource.namespace),
    ] {
        if !value.is_empty() {
            attributes.push((key, string(value)));
        }
    }
    if let Some(requirements) = &resource.label_selector {
        let set = requirements.iter().map(|requirement| {
            RestrictedExpression::new_record([
                ("key".to_string(), string(&requirement.key)),
                ("operator".to_string(), string(&requirement.operator)),
                ("values".to_string(), strings(&requirement.values)),
            ])
        });
        let set = set
            .collect::<Result<Vec<_>, _>>()
            .map_err(|error| BuildError(error.to_string()))?;
        attributes.push(("labelSelector", RestrictedExpression::new_set(set)));
    }
    if let Some(requirements) = &resource.field_selector {
        let set = requirements.iter().map(|requirement| {
            RestrictedExpression::new_record([
                ("field".to_string(), string(&requirement.field)),
                ("operator".to_string(), string(&requirement.operator)),
                ("value".to_string(), string(&requirement.value)),
            ])
        });
        let set = set
            .collect::<Result<Vec<_>, _>>()
            .map_err(|error| BuildError(error.to_string()))?;
        attributes.push(("fieldSelector", RestrictedExpression::new_set(set)));
    }
    // The id is the request's URL path, unique for what it names.
    let mut id = if resource.api_group.is_empty() {
        format!("/api/{}", resource.version)
    } else {
        format!("/apis/{}/{}", resource.api_group, resource.version)
    };
    if !resource.namespace.is_empty() {
        id.push_str("/namespaces/");
        id.push_str(&resource.namespace);
    }
    for part in [&resource.resource, &resource.name, &resource.subresource] {
        if !part.is_empty() {
            id.push('/');
            id.push_str(part);
        }
    }
    entity(
        types.uid(&types.resource, &id),
        attributes,
        HashSet::new(),
        Vec::new(),
    )
}

/// The Cedar request of `request` and the entities it refers to. The request is not checked
/// against the schema: a verb that the schema does not declare (a custom verb) still reaches
/// the policies, where only policies that leave the action unconstrained can match it.
pub fn to_cedar(types: &Types, request: &AccessRequest) -> Result<(Request, Entities), BuildError> {
    to_cedar_with_groups(types, request, &|_| true)
}

/// [`to_cedar`] with only the groups `relevant` accepts as the principal's parents. A group
/// that no policy names (and that is not the resource) cannot change a decision: `in` is the
/// only test of a principal's ancestors, and its right-hand side is an entity literal of a
/// policy or the resource (no entity has an entity-valued attribute). Every group costs a
/// share of the entity set's transitive closure, and users commonly have groups no policy
/// names (`system:authenticated`).
pub fn to_cedar_with_groups(
    types: &Types,
    request: &AccessRequest,
    relevant: &dyn Fn(&str) -> bool,
) -> Result<(Request, Entities), BuildError> {
    let mut entities = Vec::with_capacity(2);
    let principal = principal_entities(types, &request.user, relevant, &mut entities)?;
    let resource = match &request.target {
        Target::NonResource { path } => {
            let resource = entity(
                types.uid(&types.non_resource_url, path),
                vec![("path", string(path))],
                HashSet::new(),
                Vec::new(),
            )?;
            let uid = resource.uid();
            entities.push(resource);
            uid
        }
        Target::Resource(resource) => {
            let resource = resource_entity(types, resource, &request.verb)?;
            let uid = resource.uid();
            // An impersonated group or user may be the principal's own entity already; the
            // principal's (with its parents) is kept.
            if !entities.iter().any(|known| known.uid() == uid) {
                entities.push(resource);
            }
            uid
        }
    };
    let cedar_request = Request::new(
        principal,
        types.action_uid(&request.verb),
        resource,
        Context::empty(),
        None,
    )
    .map_err(|error| BuildError(error.to_string()))?;
    // `add_entities` to an empty set computes the same transitive closure (and refuses the same
    // cycles) as `from_entities`, but by a walk over the few entities a request has instead of the
    // strongly-connected-components pass, which cost a fifth of a decision (callgrind).
    let entities = Entities::empty()
        .add_entities(entities, None)
        .map_err(|error| BuildError(error.to_string()))?;
    Ok((cedar_request, entities))
}
