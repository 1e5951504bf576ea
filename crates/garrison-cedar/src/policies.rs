//! Cedar policy files (`*.cedar`): read, given ids that say where they are, and validated
//! strictly against the schema. A set with any error is refused whole: dropping one bad file
//! would silently drop its forbids.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::str::FromStr;

use cedar_policy::{
    ActionConstraint, Effect, Entities, Entity, EntityUid, EvalResult, PolicyId, PolicySet,
    PrincipalConstraint, ResourceConstraint, Schema, ValidationMode, Validator,
};

/// Why a policy set was refused. Each message names the file and line.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum PolicyError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: no *.cedar files")]
    Empty { path: String },
    #[error("{}", .problems.join("\n"))]
    Invalid { problems: Vec<String> },
}

/// Where a policy comes from, and what it says about itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyInfo {
    /// `@id("…")` when the policy has one, else `file:line`.
    pub id: String,
    pub file: String,
    pub line: usize,
    pub effect: Effect,
    /// Every annotation but `@id`, in source order.
    pub annotations: Vec<(String, String)>,
}

/// A validated policy set with the origin of each policy.
///
/// The set is also kept sliced by principal scope, by action and by a resource attribute: Cedar
/// looks at every policy of a set it is given (several microseconds each), while a request can
/// only match
///
/// - the policies without a principal constraint and those scoped to its principal or one of
///   its groups, because a principal's only ancestors are its groups (see `entities.rs`); and of
///   those,
/// - the policies without an action constraint and those whose scope names its action
///   (`action == A`, `action in [A, …]`): a request's action entity is never given to Cedar, so
///   it has no ancestors and `action in A` holds exactly when the action is A; and of those,
/// - the policies whose resource scope or first condition does not require the resource to be
///   in an entity it is not in, or to have an attribute it does not have (see [`ResourceKey`]).
///
/// A policy left out of a request's slices therefore has a scope or a first condition that is
/// false for the request without an error (Cedar evaluates the scope, then the conditions in
/// order, and `&&` stops at the first false): the decision over the slices is the decision over
/// the whole set, errors included. The differential test (`tests/differential.rs`) checks this
/// over 12,000 requests.
#[derive(Debug)]
pub struct Policies {
    set: PolicySet,
    info: HashMap<PolicyId, PolicyInfo>,
    /// Policies without a principal entity in their scope (`principal`, `principal is T`).
    unscoped: Slice,
    /// Policies scoped `principal == E`, `principal in E` or `principal is T in E`, by E.
    scoped: HashMap<EntityUid, Slice>,
    /// The ids of the `k8s::Group` entities that policies name.
    named_groups: HashSet<String>,
    /// The validator's warnings (`file:line: policy id: warning`): strings or identifiers that
    /// mix scripts or hide bidirectional control characters, policies that can never apply.
    warnings: Vec<String>,
}

/// The policies of one principal scope, by action.
#[derive(Debug, Default)]
struct Slice {
    /// The policies without an action constraint.
    any_action: Candidates,
    /// For each action some policy names: those policies and the ones of `any_action`.
    by_action: HashMap<EntityUid, Candidates>,
}

impl Slice {
    fn build(
        policies: &[&cedar_policy::Policy],
        keys: &HashMap<PolicyId, ResourceKey>,
    ) -> Result<Slice, String> {
        let mut any_action = Vec::new();
        let mut named: HashMap<EntityUid, Vec<&cedar_policy::Policy>> = HashMap::new();
        for policy in policies {
            match policy.action_constraint() {
                ActionConstraint::Any => any_action.push(*policy),
                ActionConstraint::Eq(action) => named.entry(action).or_default().push(policy),
                ActionConstraint::In(actions) => {
                    for action in actions {
                        let list = named.entry(action).or_default();
                        // `action in [A, A]` names A once.
                        if !list.iter().any(|known| known.id() == policy.id()) {
                            list.push(policy);
                        }
                    }
                }
            }
        }
        let mut slice = Slice {
            any_action: Candidates::build(&any_action, keys)?,
            by_action: HashMap::new(),
        };
        for (action, own) in named {
            let mut all = any_action.clone();
            all.extend(own);
            slice
                .by_action
                .insert(action, Candidates::build(&all, keys)?);
        }
        Ok(slice)
    }

    fn for_action(&self, action: &EntityUid) -> &Candidates {
        self.by_action.get(action).unwrap_or(&self.any_action)
    }
}

/// What a policy requires of the resource before anything that could fail or be true is
/// evaluated, so that a request whose resource does not meet it leaves the policy false without
/// an error:
///
/// - its resource scope is `resource == E`, `resource in E` or `resource is T in E`: the
///   resource must be E or a descendant of E; otherwise
/// - its first `when` clause is a chain of `&&` that begins with zero or more `resource has B`
///   (which cannot fail) and then either `resource in E` (likewise) or `resource.A == "value"`
///   (either way round): the resource must have `A` with that value, or, when `A` is absent and
///   the chain tested `resource has A` first (`guarded`), the policy is false too.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ResourceKey {
    Attribute {
        attribute: String,
        value: String,
        guarded: bool,
    },
    Within(EntityUid),
}

/// The `&&` operands of `expression` in evaluation order (left to right, nesting flattened).
fn conjuncts<'a>(expression: &'a serde_json::Value, into: &mut Vec<&'a serde_json::Value>) {
    match expression.get("&&") {
        Some(and) => {
            if let (Some(left), Some(right)) = (and.get("left"), and.get("right")) {
                conjuncts(left, into);
                conjuncts(right, into);
            } else {
                into.push(expression);
            }
        }
        None => into.push(expression),
    }
}

fn is_resource(expression: &serde_json::Value) -> bool {
    expression.get("Var").and_then(serde_json::Value::as_str) == Some("resource")
}

/// `resource has A` → A.
fn resource_has(expression: &serde_json::Value) -> Option<&str> {
    let has = expression.get("has")?;
    is_resource(has.get("left")?)
        .then(|| has.get("attr")?.as_str())
        .flatten()
}

/// `resource.A` → A.
fn resource_attribute(expression: &serde_json::Value) -> Option<&str> {
    let get = expression.get(".")?;
    is_resource(get.get("left")?)
        .then(|| get.get("attr")?.as_str())
        .flatten()
}

/// A string literal.
fn string_literal(expression: &serde_json::Value) -> Option<&str> {
    expression.get("Value")?.as_str()
}

/// `resource.A == "v"` or `"v" == resource.A` → (A, v).
fn resource_equals(expression: &serde_json::Value) -> Option<(&str, &str)> {
    let equals = expression.get("==")?;
    let (left, right) = (equals.get("left")?, equals.get("right")?);
    resource_attribute(left)
        .zip(string_literal(right))
        .or_else(|| resource_attribute(right).zip(string_literal(left)))
}

/// `resource in E` with E an entity literal → E.
fn resource_in(expression: &serde_json::Value) -> Option<EntityUid> {
    let within = expression.get("in")?;
    if !is_resource(within.get("left")?) {
        return None;
    }
    let entity = within.get("right")?.get("Value")?.get("__entity")?;
    EntityUid::from_json(serde_json::json!({
        "type": entity.get("type")?.as_str()?,
        "id": entity.get("id")?.as_str()?,
    }))
    .ok()
}

impl ResourceKey {
    pub(crate) fn of(policy: &cedar_policy::Policy) -> Option<ResourceKey> {
        match policy.resource_constraint() {
            ResourceConstraint::Eq(entity)
            | ResourceConstraint::In(entity)
            | ResourceConstraint::IsIn(_, entity) => return Some(ResourceKey::Within(entity)),
            ResourceConstraint::Any | ResourceConstraint::Is(_) => {}
        }
        let json = policy.to_json().ok()?;
        let first = json.get("conditions")?.as_array()?.first()?;
        if first.get("kind")?.as_str()? != "when" {
            return None;
        }
        let mut chain = Vec::new();
        conjuncts(first.get("body")?, &mut chain);
        let mut guards = HashSet::new();
        for conjunct in chain {
            if let Some(attribute) = resource_has(conjunct) {
                guards.insert(attribute);
                continue;
            }
            if let Some(entity) = resource_in(conjunct) {
                return Some(ResourceKey::Within(entity));
            }
            let (attribute, value) = resource_equals(conjunct)?;
            return Some(ResourceKey::Attribute {
                attribute: attribute.to_string(),
                value: value.to_string(),
                guarded: guards.contains(attribute),
            });
        }
        None
    }
}

/// What narrowing needs to know of a request's resource.
#[derive(Debug)]
pub struct ResourceFacts<'a> {
    /// The resource's entity, if the request's entities hold it.
    entity: Option<&'a Entity>,
    /// The entities E for which `resource in E` holds: the resource and its ancestors.
    containers: Vec<EntityUid>,
}

/// What a request's resource entity holds in one attribute.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Fact {
    String(String),
    Absent,
    /// Another kind of value, or no resource entity: nothing can be skipped.
    Unknown,
}

impl<'a> ResourceFacts<'a> {
    /// The resource `uid` among `entities` (an entity missing from them has no ancestors and
    /// no attributes, as Cedar's evaluator sees it).
    pub fn new(entities: &'a Entities, uid: EntityUid) -> ResourceFacts<'a> {
        let mut containers: Vec<EntityUid> = entities
            .ancestors(&uid)
            .map(|ancestors| ancestors.cloned().collect())
            .unwrap_or_default();
        let entity = entities.get(&uid);
        containers.push(uid);
        ResourceFacts { entity, containers }
    }

    /// Facts that narrow nothing.
    pub fn unknown() -> ResourceFacts<'static> {
        ResourceFacts {
            entity: None,
            containers: Vec::new(),
        }
    }

    fn attribute(&self, attribute: &str) -> Fact {
        match self.entity {
            None => Fact::Unknown,
            Some(entity) => match entity.attr(attribute) {
                None => Fact::Absent,
                Some(Ok(EvalResult::String(value))) => Fact::String(value),
                Some(_) => Fact::Unknown,
            },
        }
    }
}

/// The policies of one principal scope and action, narrowed by [`ResourceKey`].
#[derive(Debug, Default)]
struct Candidates {
    /// Every policy, for a request whose resource cannot be narrowed on.
    all: PolicySet,
    /// The policies without a key.
    rest: PolicySet,
    /// The policies keyed on an attribute, by attribute.
    keyed: Vec<Keyed>,
    /// The policies keyed on an entity the resource must be in, by that entity.
    within: HashMap<EntityUid, PolicySet>,
}

#[derive(Debug, Default)]
struct Keyed {
    attribute: String,
    /// The keyed policies by the value they require.
    by_value: HashMap<String, PolicySet>,
    /// The keyed policies that fail (rather than being false) when the attribute is absent.
    unguarded: PolicySet,
}

impl Candidates {
    fn build(
        policies: &[&cedar_policy::Policy],
        keys: &HashMap<PolicyId, ResourceKey>,
    ) -> Result<Candidates, String> {
        let add = |set: &mut PolicySet, policy: &cedar_policy::Policy| {
            set.add(policy.clone()).map_err(|error| error.to_string())
        };
        let mut candidates = Candidates::default();
        let mut keyed: HashMap<&str, Keyed> = HashMap::new();
        for policy in policies {
            add(&mut candidates.all, policy)?;
            match keys.get(policy.id()) {
                None => add(&mut candidates.rest, policy)?,
                Some(ResourceKey::Within(entity)) => {
                    add(candidates.within.entry(entity.clone()).or_default(), policy)?
                }
                Some(ResourceKey::Attribute {
                    attribute,
                    value,
                    guarded,
                }) => {
                    let entry = keyed.entry(attribute.as_str()).or_insert_with(|| Keyed {
                        attribute: attribute.clone(),
                        ..Keyed::default()
                    });
                    add(entry.by_value.entry(value.clone()).or_default(), policy)?;
                    if !guarded {
                        add(&mut entry.unguarded, policy)?;
                    }
                }
            }
        }
        candidates.keyed = keyed.into_values().collect();
        candidates
            .keyed
            .sort_by(|a, b| a.attribute.cmp(&b.attribute));
        Ok(candidates)
    }

    /// Pushes the sets a request whose resource has `facts` can match.
    fn select<'a>(&'a self, facts: &ResourceFacts<'_>, into: &mut Vec<&'a PolicySet>) {
        if facts.containers.is_empty() && facts.entity.is_none() {
            into.push(&self.all);
            return;
        }
        let start = into.len();
        into.push(&self.rest);
        if !self.within.is_empty() {
            into.extend(
                facts
                    .containers
                    .iter()
                    .filter_map(|container| self.within.get(container)),
            );
        }
        for keyed in &self.keyed {
            match facts.attribute(&keyed.attribute) {
                Fact::String(value) => into.extend(keyed.by_value.get(&value)),
                Fact::Absent => into.push(&keyed.unguarded),
                Fact::Unknown => {
                    into.truncate(start);
                    into.push(&self.all);
                    return;
                }
            }
        }
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

fn first_line(diagnostic: &dyn miette::Diagnostic, text: &str) -> Option<usize> {
    diagnostic
        .labels()
        .and_then(|mut labels| labels.next())
        .map(|label| line_of(text, label.offset()))
}

impl Policies {
    /// An empty set: every request is left to the next authorizer.
    pub fn empty() -> Policies {
        Policies {
            set: PolicySet::new(),
            info: HashMap::new(),
            unscoped: Slice::default(),
            scoped: HashMap::new(),
            named_groups: HashSet::new(),
            warnings: Vec::new(),
        }
    }

    /// Reads every `*.cedar` file of `dir` (not recursively, in name order) or the one file
    /// `dir` names.
    pub fn load(path: &Path, schema: &Schema) -> Result<Policies, PolicyError> {
        let read_error = |source| PolicyError::Read {
            path: path.display().to_string(),
            source,
        };
        let mut files = Vec::new();
        if path.is_dir() {
            for entry in std::fs::read_dir(path).map_err(read_error)? {
                let entry = entry.map_err(read_error)?;
                let file = entry.path();
                if file
                    .extension()
                    .is_some_and(|extension| extension == "cedar")
                    && file.is_file()
                {
                    files.push(file);
                }
            }
            if files.is_empty() {
                return Err(PolicyError::Empty {
                    path: path.display().to_string(),
                });
            }
            files.sort();
        } else {
            files.push(path.to_path_buf());
        }
        let mut sources = Vec::new();
        for file in files {
            let text = std::fs::read_to_string(&file).map_err(|source| PolicyError::Read {
                path: file.display().to_string(),
                source,
            })?;
            sources.push((file.display().to_string(), text));
        }
        Policies::from_sources(&sources, schema)
    }

    /// Parses and validates `(file name, text)` pairs as one set.
    pub fn from_sources(
        sources: &[(String, String)],
        schema: &Schema,
    ) -> Result<Policies, PolicyError> {
        let mut set = PolicySet::new();
        let mut info = HashMap::new();
        let mut problems = Vec::new();
        // Where each policy starts, to report validation errors by line.
        let mut origin: HashMap<PolicyId, (String, usize)> = HashMap::new();
        for (file, text) in sources {
            let parsed = match PolicySet::from_str(text) {
                Ok(parsed) => parsed,
                Err(errors) => {
                    for error in errors.iter() {
                        let line = first_line(error, text).unwrap_or(1);
                        problems.push(format!("{file}:{line}: {error}"));
                    }
                    continue;
                }
            };
            // `from_str` numbers policies policy0, policy1… in source order.
            let mut policies: Vec<_> = parsed.policies().collect();
            policies.sort_by_key(|policy| {
                policy
                    .id()
                    .to_string()
                    .trim_start_matches("policy")
                    .parse::<usize>()
                    .unwrap_or(usize::MAX)
            });
            let mut cursor = 0;
            for policy in policies {
                let source = policy.to_string();
                let start = text[cursor..]
                    .find(source.as_str())
                    .map(|found| cursor + found);
                if let Some(start) = start {
                    cursor = start + source.len();
                }
                let line = start.map_or(1, |start| line_of(text, start));
                let id = policy
                    .annotation("id")
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("{}:{line}", short_name(file)));
                let policy_id = PolicyId::new(&id);
                if let Some((other_file, other_line)) = origin.get(&policy_id) {
                    problems.push(format!(
                        "{file}:{line}: policy id {id:?} is already used at {other_file}:{other_line}"
                    ));
                    continue;
                }
                let annotations = policy
                    .annotations()
                    .filter(|(key, _)| *key != "id")
                    .map(|(key, value)| (key.to_string(), value.to_string()))
                    .collect();
                info.insert(
                    policy_id.clone(),
                    PolicyInfo {
                        id: id.clone(),
                        file: file.clone(),
                        line,
                        effect: policy.effect(),
                        annotations,
                    },
                );
                origin.insert(policy_id.clone(), (file.clone(), line));
                if let Err(error) = set.add(policy.new_id(policy_id)) {
                    problems.push(format!("{file}:{line}: {error}"));
                }
            }
        }
        let mut warnings = Vec::new();
        if problems.is_empty() {
            let validation = Validator::new(schema.clone()).validate(&set, ValidationMode::Strict);
            let place = |id: &PolicyId| {
                origin
                    .get(id)
                    .cloned()
                    .unwrap_or_else(|| (String::from("?"), 0))
            };
            for error in validation.validation_errors() {
                let (file, line) = place(error.policy_id());
                problems.push(format!(
                    "{file}:{line}: policy {}: {error}",
                    error.policy_id()
                ));
            }
            for warning in validation.validation_warnings() {
                let (file, line) = place(warning.policy_id());
                warnings.push(format!(
                    "{file}:{line}: policy {}: {warning}",
                    warning.policy_id()
                ));
            }
        }
        if !problems.is_empty() {
            return Err(PolicyError::Invalid { problems });
        }
        let named_groups = set
            .policies()
            .flat_map(|policy| policy.entity_literals())
            .filter(|entity| entity.type_name().to_string() == "k8s::Group")
            .map(|entity| entity.id().unescaped().to_string())
            .collect();
        let keys: HashMap<PolicyId, ResourceKey> = set
            .policies()
            .filter_map(|policy| Some((policy.id().clone(), ResourceKey::of(policy)?)))
            .collect();
        let mut unscoped_policies = Vec::new();
        let mut scoped_policies: HashMap<EntityUid, Vec<&cedar_policy::Policy>> = HashMap::new();
        for policy in set.policies() {
            match policy.principal_constraint() {
                PrincipalConstraint::Any | PrincipalConstraint::Is(_) => {
                    unscoped_policies.push(policy)
                }
                PrincipalConstraint::Eq(entity)
                | PrincipalConstraint::In(entity)
                | PrincipalConstraint::IsIn(_, entity) => {
                    scoped_policies.entry(entity).or_default().push(policy)
                }
            }
        }
        let unscoped = Slice::build(&unscoped_policies, &keys).unwrap_or_else(|error| {
            problems.push(error);
            Slice::default()
        });
        let mut scoped = HashMap::new();
        for (entity, policies) in scoped_policies {
            match Slice::build(&policies, &keys) {
                Ok(slice) => {
                    scoped.insert(entity, slice);
                }
                Err(error) => problems.push(error),
            }
        }
        if problems.is_empty() {
            Ok(Policies {
                set,
                info,
                unscoped,
                scoped,
                named_groups,
                warnings,
            })
        } else {
            Err(PolicyError::Invalid { problems })
        }
    }

    /// The whole set.
    pub fn set(&self) -> &PolicySet {
        &self.set
    }

    /// The sets of policies that can match a request by `principal` with the parents `groups`
    /// for `action` on a resource that `facts` describes (see [`Policies`]); the
    /// decision over them is the decision over the whole set.
    pub fn slices<'a>(
        &'a self,
        principal: &EntityUid,
        groups: impl IntoIterator<Item = EntityUid>,
        action: &EntityUid,
        facts: &ResourceFacts<'_>,
    ) -> impl Iterator<Item = &'a PolicySet> {
        let mut sets = Vec::new();
        self.unscoped.for_action(action).select(facts, &mut sets);
        if !self.scoped.is_empty() {
            if let Some(slice) = self.scoped.get(principal) {
                slice.for_action(action).select(facts, &mut sets);
            }
            for group in groups {
                if let Some(slice) = self.scoped.get(&group) {
                    slice.for_action(action).select(facts, &mut sets);
                }
            }
        }
        sets.into_iter().filter(|set| set.num_of_policies() > 0)
    }

    /// Whether a policy names the group `k8s::Group::"<group>"`.
    pub fn names_group(&self, group: &str) -> bool {
        self.named_groups.contains(group)
    }

    pub fn info(&self, id: &PolicyId) -> Option<&PolicyInfo> {
        self.info.get(id)
    }

    pub fn len(&self) -> usize {
        self.info.len()
    }

    /// What the validator warns about in policies it accepts (`file:line: policy id: warning`):
    /// mixed scripts and bidirectional control characters that can make a policy read other
    /// than it acts, policies that can never apply.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    pub fn is_empty(&self) -> bool {
        self.info.is_empty()
    }
}

/// The file name without its directories, for policy ids.
fn short_name(file: &str) -> &str {
    Path::new(file)
        .file_name()
        .and_then(|name| name.to_str())
        .unwrap_or(file)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use std::str::FromStr;

    use super::ResourceKey;

    fn key(text: &str) -> Option<ResourceKey> {
        ResourceKey::of(&cedar_policy::Policy::from_str(text).unwrap())
    }

    fn keyed(attribute: &str, value: &str, guarded: bool) -> Option<ResourceKey> {
        Some(ResourceKey::Attribute {
            attribute: attribute.to_string(),
            value: value.to_string(),
            guarded,
        })
    }

    fn within(entity: &str) -> Option<ResourceKey> {
        Some(ResourceKey::Within(
            cedar_policy::EntityUid::from_str(entity).unwrap(),
        ))
    }

    #[test]
    fn an_entity_the_resource_must_be_in_is_the_key() {
        let namespace = r#"k8s::admission::Namespace::"team-7""#;
        assert_eq!(
            key(&format!(
                "forbid(principal, action, resource in {namespace});"
            )),
            within(namespace)
        );
        assert_eq!(
            key(&format!(
                "forbid(principal, action, resource is k8s::admission::Object in {namespace}) when {{ principal.name == \"x\" }};"
            )),
            within(namespace)
        );
        assert_eq!(
            key(&format!(
                "forbid(principal, action, resource) when {{ resource has podSpec && resource in {namespace} && resource.podSpec.hostNetwork }};"
            )),
            within(namespace)
        );
        assert_eq!(
            key(&format!(
                "forbid(principal, action, resource) when {{ principal.name == \"x\" && resource in {namespace} }};"
            )),
            None
        );
    }

    #[test]
    fn the_first_comparison_of_a_resource_attribute_is_the_key() {
        assert_eq!(
            key(r#"forbid(principal, action, resource) when { resource.resource == "secrets" };"#),
            keyed("resource", "secrets", false)
        );
        assert_eq!(
            key(
                r#"forbid(principal, action, resource) when { "secrets" == resource.resource && principal.name == "x" };"#
            ),
            keyed("resource", "secrets", false)
        );
        // Guards before the comparison, however the `&&` are nested.
        assert_eq!(
            key(
                r#"permit(principal, action, resource) when { resource has namespace && (resource.namespace == "a" && resource.name == "b") };"#
            ),
            keyed("namespace", "a", true)
        );
        assert_eq!(
            key(
                r#"permit(principal, action, resource) when { (resource has name && resource has namespace) && resource.namespace == "a" };"#
            ),
            keyed("namespace", "a", true)
        );
        assert_eq!(
            key(
                r#"permit(principal, action, resource) when { resource has name && resource.namespace == "a" };"#
            ),
            keyed("namespace", "a", false)
        );
        // Later clauses do not matter once the first one has a key.
        assert_eq!(
            key(
                r#"permit(principal, action, resource) when { resource.apiGroup == "apps" } unless { resource.name == "x" };"#
            ),
            keyed("apiGroup", "apps", false)
        );
    }

    #[test]
    fn anything_that_could_fail_or_be_true_first_means_no_key() {
        for text in [
            r#"permit(principal, action, resource);"#,
            // Something else first: it may fail, which a forbid turns into a denial.
            r#"forbid(principal, action, resource) when { principal.name == "x" && resource.resource == "secrets" };"#,
            r#"forbid(principal, action, resource) when { resource.resource like "sec*" };"#,
            r#"forbid(principal, action, resource) when { resource.resource != "secrets" };"#,
            r#"forbid(principal, action, resource) when { resource.resource == "a" || resource.resource == "b" };"#,
            r#"forbid(principal, action, resource) when { !(resource has subresource) && resource.resource == "pods" };"#,
            r#"forbid(principal, action, resource) unless { resource.resource == "pods" };"#,
            r#"forbid(principal, action, resource) when { principal.name == "pods" };"#,
            r#"forbid(principal, action, resource) when { context.dryRun == true };"#,
        ] {
            assert_eq!(key(text), None, "{text}");
        }
    }
}
