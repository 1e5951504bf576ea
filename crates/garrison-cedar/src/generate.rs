//! `garrison authz schema`: the Cedar schema of one cluster, generated from its discovery
//! documents (which resources exist, with which verbs) and its OpenAPI v3 documents (what their
//! objects look like).
//!
//! The generated schema is the shipped one (`schema/k8s.cedarschema`, namespace `k8s`) plus one
//! entity type per kind that admission can see, so that one action set serves authorization and
//! admission:
//!
//! - A kind's entity type is named after its API group in reversed-domain form, then its version
//!   and kind: `core::v1::ConfigMap` (the core group is `core`), `apps::v1::Deployment`,
//!   `io::k8s::networking::v1::NetworkPolicy`, `com::example::stable::v1::CronTab` for a CRD of
//!   `stable.example.com`. Dotted groups and CRDs need no special case, and the names are valid
//!   Cedar paths (`-` and other characters become `_`).
//! - The entity's attributes are its object, typed from the OpenAPI schema: strings, integers
//!   (`Long`), booleans, arrays (`Set`), objects (records; a field is required when the schema
//!   says so). Maps (`additionalProperties`) are sets of `{key, value}` records. Numbers,
//!   int-or-string, quantities and times are strings. Fields the schema leaves untyped
//!   (`x-kubernetes-preserve-unknown-fields`, `RawExtension`, `FieldsV1`) are left out.
//! - Named OpenAPI definitions become common types named after the definition
//!   (`io::k8s::apimachinery::pkg::apis::meta::v1::ObjectMeta`). Cedar forbids recursive types:
//!   a reference back to a definition that is being defined (`JSONSchemaProps` contains
//!   `JSONSchemaProps`) is left out, and inline nesting stops at [`MAX_DEPTH`].
//! - The object's labels are also the entity's tags: `resource.hasTag("app")`.
//! - A kind whose resource supports `create`, `update`/`patch` or `delete`/`deletecollection` is a
//!   resource of the actions `k8s::Action::"create"`, `"update"` and `"delete"`; an updatable
//!   kind has `oldObject?`, the object before the update.
//!
//! In a snapshot, discovery and OpenAPI documents live where `kubectl get --raw` output of the
//! call is saved, named as in the Kubernetes repository's `api/` directory:
//!
//! ```text
//! k8s/discovery/api__v1.json                          kubectl get --raw /api/v1
//! k8s/discovery/apis__apps__v1.json                   kubectl get --raw /apis/apps/v1
//! k8s/openapi/v3/api__v1_openapi.json                 kubectl get --raw /openapi/v3/api/v1
//! k8s/openapi/v3/apis__apps__v1_openapi.json          kubectl get --raw /openapi/v3/apis/apps/v1
//! ```
//!
//! Every `*.json` file of `k8s/discovery/` is read as an `APIResourceList` and every one of
//! `k8s/openapi/v3/` as an OpenAPI document; the file names are only a convention.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use cedar_policy::{Schema, SchemaFragment};
use serde_json::{Map, Value, json};

use crate::schema::SCHEMA_TEXT;

/// How deep inline (unnamed) objects nest before the rest is left out.
pub const MAX_DEPTH: usize = 32;

/// Where discovery documents are in a snapshot.
pub const DISCOVERY_DIR: &str = "k8s/discovery";
/// Where OpenAPI v3 documents are in a snapshot.
pub const OPENAPI_DIR: &str = "k8s/openapi/v3";

/// Why a schema cannot be generated.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum GenerateError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: not JSON: {source}")]
    Json {
        path: String,
        source: serde_json::Error,
    },
    #[error("{path}: {message}")]
    Document { path: String, message: String },
    #[error(
        "{0}: no discovery documents (k8s/discovery/*.json) and no OpenAPI documents (k8s/openapi/v3/*.json)"
    )]
    NothingToRead(String),
    #[error("the generated schema is not valid Cedar: {0}")]
    Cedar(String),
}

/// One resource of the API as discovery lists it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ApiResource {
    pub group: String,
    pub version: String,
    /// The plural name (`deployments`).
    pub name: String,
    pub kind: String,
    pub namespaced: bool,
    pub verbs: BTreeSet<String>,
}

/// What is known of a cluster's API: its resources and the OpenAPI definitions of their objects.
#[derive(Clone, Debug, Default)]
pub struct ClusterApi {
    pub resources: Vec<ApiResource>,
    /// OpenAPI component schemas by name, merged over all documents (they repeat the shared
    /// `meta/v1` definitions; the first one read is kept).
    pub definitions: BTreeMap<String, Value>,
}

impl ClusterApi {
    /// Adds the resources of one `APIResourceList` (`/api/v1`, `/apis/GROUP/VERSION`).
    /// Subresources (`pods/exec`) are not kinds of their own and are skipped.
    pub fn add_discovery(&mut self, path: &str, document: &Value) -> Result<(), GenerateError> {
        let problem = |message: &str| GenerateError::Document {
            path: path.to_string(),
            message: message.to_string(),
        };
        let group_version = document
            .get("groupVersion")
            .and_then(Value::as_str)
            .ok_or_else(|| problem("not an APIResourceList: no groupVersion"))?;
        let (group, version) = match group_version.split_once('/') {
            Some((group, version)) => (group, version),
            None => ("", group_version),
        };
        let resources = document
            .get("resources")
            .and_then(Value::as_array)
            .ok_or_else(|| problem("not an APIResourceList: no resources"))?;
        for resource in resources {
            let text = |key: &str| resource.get(key).and_then(Value::as_str).unwrap_or("");
            let name = text("name");
            if name.is_empty() || name.contains('/') {
                continue;
            }
            let verbs = resource
                .get("verbs")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect();
            self.resources.push(ApiResource {
                group: non_empty(text("group")).unwrap_or(group).to_string(),
                version: non_empty(text("version")).unwrap_or(version).to_string(),
                name: name.to_string(),
                kind: text("kind").to_string(),
                namespaced: resource
                    .get("namespaced")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                verbs,
            });
        }
        Ok(())
    }

    /// Adds the component schemas of one OpenAPI v3 document.
    pub fn add_openapi(&mut self, path: &str, document: &Value) -> Result<(), GenerateError> {
        let schemas = document
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .ok_or_else(|| GenerateError::Document {
                path: path.to_string(),
                message: "not an OpenAPI v3 document: no components.schemas".to_string(),
            })?;
        for (name, schema) in schemas {
            self.definitions
                .entry(name.clone())
                .or_insert_with(|| schema.clone());
        }
        Ok(())
    }

    /// Reads `k8s/discovery/*.json` and `k8s/openapi/v3/*.json` of the snapshot `root`.
    pub fn from_snapshot(root: &Path) -> Result<ClusterApi, GenerateError> {
        let discovery = json_files(&root.join(DISCOVERY_DIR))?;
        let openapi = json_files(&root.join(OPENAPI_DIR))?;
        if discovery.is_empty() && openapi.is_empty() {
            return Err(GenerateError::NothingToRead(root.display().to_string()));
        }
        ClusterApi::from_documents(&discovery, &openapi)
    }

    /// The API of `discovery` documents (`APIResourceList`s) and `openapi` documents, each
    /// with the path or URL it came from. Definitions repeated across documents are taken from
    /// the first: give the documents in the order of their snapshot file names to get exactly
    /// the API a snapshot of them gives.
    pub fn from_documents(
        discovery: &[(String, Value)],
        openapi: &[(String, Value)],
    ) -> Result<ClusterApi, GenerateError> {
        let mut api = ClusterApi::default();
        for (path, document) in discovery {
            api.add_discovery(path, document)?;
        }
        for (path, document) in openapi {
            api.add_openapi(path, document)?;
        }
        api.resources.sort();
        api.resources.dedup();
        Ok(api)
    }
}

fn non_empty(text: &str) -> Option<&str> {
    (!text.is_empty()).then_some(text)
}

/// The `*.json` files of `dir`, parsed, in name order; none when `dir` does not exist.
fn json_files(dir: &Path) -> Result<Vec<(String, Value)>, GenerateError> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let read_error = |source| GenerateError::Read {
        path: dir.display().to_string(),
        source,
    };
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(read_error)? {
        let path = entry.map_err(read_error)?.path();
        if path
            .extension()
            .is_some_and(|extension| extension == "json")
            && path.is_file()
        {
            paths.push(path);
        }
    }
    paths.sort();
    let mut documents = Vec::new();
    for path in paths {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(&path).map_err(|source| GenerateError::Read {
            path: shown.clone(),
            source,
        })?;
        let document = serde_json::from_str(&text).map_err(|source| GenerateError::Json {
            path: shown.clone(),
            source,
        })?;
        documents.push((shown, document));
    }
    Ok(documents)
}

/// A generated schema: its text and what could not be typed.
#[derive(Clone, Debug)]
pub struct Generated {
    /// The schema in Cedar's schema syntax.
    pub text: String,
    /// The schema in Cedar's JSON schema format.
    pub json: Value,
    /// The admission entity types, by name.
    pub entity_types: Vec<String>,
    /// Resources left out, and why (no OpenAPI definition for their kind).
    pub warnings: Vec<String>,
}

/// Words Cedar reserves, which cannot name a namespace, type or attribute without quoting; a
/// path segment that is one of them gets a trailing `_`.
const RESERVED: &[&str] = &[
    "true",
    "false",
    "if",
    "then",
    "else",
    "in",
    "is",
    "like",
    "has",
    "principal",
    "action",
    "resource",
    "context",
    "Bool",
    "Boolean",
    "Entity",
    "Extension",
    "Long",
    "Record",
    "Set",
    "String",
    "__cedar",
];

/// One segment of a Cedar path: letters, digits and `_`, not starting with a digit, not reserved.
fn identifier(segment: &str) -> String {
    let mut out: String = segment
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    if RESERVED.contains(&out.as_str()) {
        out.push('_');
    }
    out
}

/// The Cedar namespace of an API group: its reversed domain (`networking.k8s.io` →
/// `io::k8s::networking`), `core` for the core group.
pub fn group_namespace(group: &str) -> String {
    if group.is_empty() {
        return "core".to_string();
    }
    group
        .rsplit('.')
        .map(identifier)
        .collect::<Vec<_>>()
        .join("::")
}

/// The entity type of a kind: `io::k8s::networking::v1::NetworkPolicy`.
pub fn kind_entity_type(group: &str, version: &str, kind: &str) -> String {
    format!(
        "{}::{}::{}",
        group_namespace(group),
        identifier(version),
        identifier(kind)
    )
}

/// `(namespace, name)` of the common type of an OpenAPI definition
/// (`io.k8s.api.core.v1.PodSpec` → `io::k8s::api::core::v1`, `PodSpec`).
fn definition_path(definition: &str) -> (String, String) {
    let mut segments: Vec<String> = definition.split('.').map(identifier).collect();
    let name = segments.pop().unwrap_or_else(|| "_".to_string());
    (segments.join("::"), name)
}

/// The definition a schema refers to: `$ref`, or OpenAPI v3's `allOf: [{$ref}]`.
fn reference(schema: &Value) -> Option<&str> {
    let target = schema.get("$ref").and_then(Value::as_str).or_else(|| {
        match schema.get("allOf").and_then(Value::as_array)?.as_slice() {
            [only] => only.get("$ref").and_then(Value::as_str),
            _ => None,
        }
    })?;
    target.rsplit('/').next()
}

struct Generator<'a> {
    definitions: &'a BTreeMap<String, Value>,
    /// Entity types by the definition they come from: a definition used both as an entity and
    /// nested in another object gets a common type of its own under another name.
    entity_names: BTreeSet<String>,
    /// Common types emitted: namespace → name → type.
    common: BTreeMap<String, Map<String, Value>>,
    /// Definitions converted: their type, or `None` when untyped.
    done: BTreeMap<String, Option<Value>>,
    /// Definitions being converted (a reference back to one of them is recursion).
    stack: Vec<String>,
}

impl Generator<'_> {
    /// The Cedar type (JSON schema format) of an OpenAPI schema, or `None` when it cannot be
    /// typed.
    fn convert(&mut self, schema: &Value, depth: usize) -> Option<Value> {
        if depth > MAX_DEPTH {
            return None;
        }
        if let Some(target) = reference(schema) {
            return self.definition(target);
        }
        if schema
            .get("x-kubernetes-int-or-string")
            .and_then(Value::as_bool)
            == Some(true)
        {
            return Some(json!({"type": "String"}));
        }
        match schema.get("type").and_then(Value::as_str) {
            Some("string") | Some("number") => Some(json!({"type": "String"})),
            Some("integer") => Some(json!({"type": "Long"})),
            Some("boolean") => Some(json!({"type": "Boolean"})),
            Some("array") => {
                let element = self.convert(schema.get("items")?, depth + 1)?;
                Some(json!({"type": "Set", "element": element}))
            }
            Some("object") | None => self.object(schema, depth),
            Some(_) => None,
        }
    }

    fn object(&mut self, schema: &Value, depth: usize) -> Option<Value> {
        if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
            let required: BTreeSet<&str> = schema
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let mut attributes = Map::new();
            for (name, property) in properties {
                if let Some(mut kind) = self.convert(property, depth + 1) {
                    if let Some(object) = kind.as_object_mut() {
                        object.insert(
                            "required".to_string(),
                            Value::Bool(required.contains(name.as_str())),
                        );
                    }
                    attributes.insert(name.clone(), kind);
                }
            }
            return Some(json!({"type": "Record", "attributes": attributes}));
        }
        // A map: a set of {key, value} records, so that policies can ask for one entry.
        let values = schema.get("additionalProperties")?;
        if !values.is_object() {
            return None;
        }
        let value = self.convert(values, depth + 1)?;
        Some(json!({
            "type": "Set",
            "element": {"type": "Record", "attributes": {
                "key": {"type": "String"},
                "value": value,
            }},
        }))
    }

    /// The type of a named definition: inlined when it is a scalar, a common type otherwise.
    fn definition(&mut self, name: &str) -> Option<Value> {
        if let Some(done) = self.done.get(name) {
            return done.clone();
        }
        if self.stack.iter().any(|open| open == name) {
            // Recursion: Cedar types are finite, so this reference is left out.
            return None;
        }
        let schema = self.definitions.get(name)?;
        let scalar = schema.get("properties").is_none()
            && schema.get("additionalProperties").is_none()
            && schema.get("items").is_none();
        if scalar {
            let kind = match schema.get("type").and_then(Value::as_str) {
                Some("object") | None => (schema
                    .get("x-kubernetes-int-or-string")
                    .and_then(Value::as_bool)
                    == Some(true))
                .then(|| json!({"type": "String"})),
                Some(_) => self.convert(schema, 0),
            };
            self.done.insert(name.to_string(), kind.clone());
            return kind;
        }
        self.stack.push(name.to_string());
        let converted = self.convert(schema, 0);
        self.stack.pop();
        let reference = converted.map(|kind| {
            let (namespace, mut type_name) = definition_path(name);
            let full = |type_name: &str| format!("{namespace}::{type_name}");
            while self.entity_names.contains(&full(&type_name)) {
                type_name.push_str("_object");
            }
            self.common
                .entry(namespace.clone())
                .or_default()
                .insert(type_name.clone(), kind);
            json!({"type": full(&type_name)})
        });
        self.done.insert(name.to_string(), reference.clone());
        reference
    }
}

/// The OpenAPI definition of a kind: the one whose `x-kubernetes-group-version-kind` names it.
fn find_definition<'a>(
    definitions: &'a BTreeMap<String, Value>,
    resource: &ApiResource,
) -> Option<(&'a String, &'a Value)> {
    definitions.iter().find(|(_, schema)| {
        schema
            .get("x-kubernetes-group-version-kind")
            .and_then(Value::as_array)
            .is_some_and(|kinds| {
                kinds.iter().any(|gvk| {
                    let field = |key: &str| gvk.get(key).and_then(Value::as_str).unwrap_or("");
                    field("group") == resource.group
                        && field("version") == resource.version
                        && field("kind") == resource.kind
                })
            })
    })
}

/// The admission actions a resource's verbs make it a resource of.
fn admission_actions(verbs: &BTreeSet<String>) -> Vec<&'static str> {
    let has = |names: &[&str]| names.iter().any(|name| verbs.contains(*name));
    let mut actions = Vec::new();
    if has(&["create"]) {
        actions.push("create");
    }
    if has(&["update", "patch"]) {
        actions.push("update");
    }
    if has(&["delete", "deletecollection"]) {
        actions.push("delete");
    }
    actions
}

/// The schema of `api`: the shipped `k8s` namespace, with the admission entity types of every
/// kind that `api` both lists in discovery and describes in OpenAPI.
pub fn generate(api: &ClusterApi) -> Result<Generated, GenerateError> {
    let cedar_error = |error: &dyn std::fmt::Display| GenerateError::Cedar(error.to_string());
    let (shipped, _) = SchemaFragment::from_cedarschema_str(SCHEMA_TEXT)
        .map_err(|error| cedar_error(&miette::Report::new(error)))?;
    let mut schema = shipped
        .to_json_value()
        .map_err(|error| cedar_error(&error))?;

    let mut warnings = Vec::new();
    // Each kind once, with the verbs of all its resources.
    let mut kinds: BTreeMap<String, (&ApiResource, BTreeSet<String>)> = BTreeMap::new();
    for resource in &api.resources {
        let actions = admission_actions(&resource.verbs);
        if actions.is_empty() {
            continue;
        }
        let name = kind_entity_type(&resource.group, &resource.version, &resource.kind);
        kinds
            .entry(name)
            .or_insert_with(|| (resource, BTreeSet::new()))
            .1
            .extend(actions.iter().map(|action| action.to_string()));
    }
    let mut generator = Generator {
        definitions: &api.definitions,
        entity_names: kinds.keys().cloned().collect(),
        common: BTreeMap::new(),
        done: BTreeMap::new(),
        stack: Vec::new(),
    };
    // namespace → entity name → entity declaration
    let mut entities: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
    let mut members: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut entity_types = Vec::new();
    for (name, (resource, actions)) in &kinds {
        let Some((definition, object)) = find_definition(&api.definitions, resource) else {
            warnings.push(format!(
                "{} ({}/{}) has no OpenAPI definition; it is left out",
                resource.kind,
                if resource.group.is_empty() {
                    "core"
                } else {
                    &resource.group
                },
                resource.version
            ));
            continue;
        };
        generator.stack.push(definition.clone());
        let shape = generator.convert(object, 0);
        generator.stack.pop();
        let mut shape = shape.unwrap_or_else(|| json!({"type": "Record", "attributes": {}}));
        if actions.contains("update")
            && let Some(attributes) = shape.get_mut("attributes").and_then(Value::as_object_mut)
        {
            attributes.insert(
                "oldObject".to_string(),
                json!({"type": "Entity", "name": name, "required": false}),
            );
        }
        let (namespace, type_name) = name.rsplit_once("::").unwrap_or(("", name.as_str()));
        entities.entry(namespace.to_string()).or_default().insert(
            type_name.to_string(),
            json!({"shape": shape, "tags": {"type": "String"}}),
        );
        for action in actions {
            let action: &str = match action.as_str() {
                "create" => "create",
                "update" => "update",
                _ => "delete",
            };
            members.entry(action).or_default().push(name.clone());
        }
        entity_types.push(name.clone());
    }

    // The admission kinds join the resources of the shared actions.
    let actions = schema
        .pointer_mut("/k8s/actions")
        .and_then(Value::as_object_mut)
        .ok_or_else(|| GenerateError::Cedar("the shipped schema has no k8s actions".into()))?;
    for (action, types) in &members {
        let resource_types = actions
            .get_mut(*action)
            .and_then(|declaration| declaration.pointer_mut("/appliesTo/resourceTypes"))
            .and_then(Value::as_array_mut)
            .ok_or_else(|| {
                GenerateError::Cedar(format!("the shipped schema has no action {action:?}"))
            })?;
        resource_types.extend(types.iter().map(|name| Value::String(name.clone())));
    }

    let namespaces = schema
        .as_object_mut()
        .ok_or_else(|| GenerateError::Cedar("the shipped schema is not an object".into()))?;
    let mut names: BTreeSet<String> = entities.keys().cloned().collect();
    names.extend(generator.common.keys().cloned());
    for namespace in names {
        let declaration = namespaces
            .entry(namespace.clone())
            .or_insert_with(|| json!({"entityTypes": {}, "actions": {}}));
        if let Some(types) = entities.remove(&namespace) {
            declaration["entityTypes"] = Value::Object(types);
        }
        if let Some(common) = generator.common.remove(&namespace) {
            declaration["commonTypes"] = Value::Object(common);
        }
    }

    let fragment = SchemaFragment::from_json_value(schema.clone())
        .map_err(|error| cedar_error(&miette::Report::new(error)))?;
    // Cedar qualifies built-in types (`__cedar::String`) in case a namespace declares a type of
    // the same name; no generated name can be one (see `identifier`), so the plain names are kept.
    let text = fragment
        .to_cedarschema()
        .map_err(|error| cedar_error(&error))?
        .replace("__cedar::", "");
    let (_, _warnings) = Schema::from_cedarschema_str(&text)
        .map_err(|error| cedar_error(&miette::Report::new(error)))?;
    Ok(Generated {
        text,
        json: schema,
        entity_types,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn groups_become_reversed_domains() {
        assert_eq!(group_namespace(""), "core");
        assert_eq!(group_namespace("apps"), "apps");
        assert_eq!(group_namespace("networking.k8s.io"), "io::k8s::networking");
        assert_eq!(group_namespace("cert-manager.io"), "io::cert_manager");
        assert_eq!(group_namespace("in.example.com"), "com::example::in_");
        assert_eq!(group_namespace("v2.example.com"), "com::example::v2");
        assert_eq!(group_namespace("3d.example.com"), "com::example::_3d");
        assert_eq!(
            kind_entity_type("stable.example.com", "v1", "CronTab"),
            "com::example::stable::v1::CronTab"
        );
    }

    #[test]
    fn references_are_followed_in_both_openapi_forms() {
        assert_eq!(
            reference(&json!({"$ref": "#/components/schemas/a.b.C"})),
            Some("a.b.C")
        );
        assert_eq!(
            reference(&json!({"allOf": [{"$ref": "#/components/schemas/a.b.D"}]})),
            Some("a.b.D")
        );
        assert_eq!(
            reference(&json!({"allOf": [{"$ref": "x"}, {"$ref": "y"}]})),
            None
        );
    }

    #[test]
    fn recursion_is_cut_and_the_schema_still_parses() {
        // A → B → A, and A → A: each type is defined once, without the reference that would
        // make it infinite.
        let mut api = ClusterApi::default();
        api.add_discovery(
            "discovery.json",
            &json!({"groupVersion": "tree.example.com/v1", "resources": [
                {"name": "trees", "kind": "Tree", "namespaced": true, "verbs": ["create", "update"]}
            ]}),
        )
        .unwrap();
        api.add_openapi(
            "openapi.json",
            &json!({"components": {"schemas": {
                "com.example.tree.v1.Tree": {
                    "type": "object",
                    "x-kubernetes-group-version-kind": [{"group": "tree.example.com", "version": "v1", "kind": "Tree"}],
                    "properties": {"root": {"$ref": "#/components/schemas/com.example.tree.v1.Node"}}
                },
                "com.example.tree.v1.Node": {
                    "type": "object",
                    "required": ["value"],
                    "properties": {
                        "value": {"type": "integer"},
                        "children": {"type": "array", "items": {"$ref": "#/components/schemas/com.example.tree.v1.Node"}},
                        "leaf": {"$ref": "#/components/schemas/com.example.tree.v1.Leaf"}
                    }
                },
                "com.example.tree.v1.Leaf": {
                    "type": "object",
                    "properties": {
                        "parent": {"$ref": "#/components/schemas/com.example.tree.v1.Node"},
                        "label": {"type": "string"}
                    }
                }
            }}}),
        )
        .unwrap();
        let generated = generate(&api).unwrap();
        assert_eq!(generated.entity_types, ["com::example::tree::v1::Tree"]);
        let node = &generated.json["com::example::tree::v1"]["commonTypes"]["Node"];
        assert_eq!(node["attributes"]["value"]["type"], "Long");
        assert_eq!(node["attributes"]["value"]["required"], true);
        assert!(node["attributes"].get("children").is_none(), "{node}");
        let leaf = &generated.json["com::example::tree::v1"]["commonTypes"]["Leaf"];
        assert!(leaf["attributes"].get("parent").is_none(), "{leaf}");
        assert_eq!(leaf["attributes"]["label"]["type"], "String");
        let (_, _warnings) = cedar_policy::Schema::from_cedarschema_str(&generated.text).unwrap();
    }

    #[test]
    fn inline_nesting_is_bounded() {
        let mut deep = json!({"type": "string"});
        for _ in 0..(MAX_DEPTH + 10) {
            deep = json!({"type": "object", "properties": {"next": deep}});
        }
        let definitions = BTreeMap::new();
        let mut generator = Generator {
            definitions: &definitions,
            entity_names: BTreeSet::new(),
            common: BTreeMap::new(),
            done: BTreeMap::new(),
            stack: Vec::new(),
        };
        let mut kind = generator.convert(&deep, 0).unwrap();
        let mut levels = 0;
        while let Some(next) = kind.pointer("/attributes/next").cloned() {
            kind = next;
            levels += 1;
        }
        assert_eq!(levels, MAX_DEPTH);
        assert_eq!(kind["attributes"], json!({}));
    }
}
