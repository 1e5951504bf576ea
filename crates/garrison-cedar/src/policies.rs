//! Cedar policy files (`*.cedar`): read, given ids that say where they are, and validated
//! strictly against the schema. A set with any error is refused whole: dropping one bad file
//! would silently drop its forbids.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::str::FromStr;

use cedar_policy::{
    ActionConstraint, Effect, EntityUid, PolicyId, PolicySet, PrincipalConstraint, Schema,
    ValidationMode, Validator,
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
/// The set is also kept sliced by principal scope and by action: Cedar looks at every policy of
/// a set it is given (about a microsecond each), while a request can only match
///
/// - the policies without a principal constraint and those scoped to its principal or one of
///   its groups, because a principal's only ancestors are its groups (see `entities.rs`); and of
///   those,
/// - the policies without an action constraint and those whose scope names its action
///   (`action == A`, `action in [A, …]`): a request's action entity is never given to Cedar, so
///   it has no ancestors and `action in A` holds exactly when the action is A.
///
/// A policy left out of a request's slices therefore has a scope that is false for the request,
/// and cannot be satisfied or fail to evaluate (Cedar evaluates the scope before the
/// conditions): the decision over the slices is the decision over the whole set. The
/// differential test (`tests/differential.rs`) checks this over 12,000 requests.
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
}

/// The policies of one principal scope, by action.
#[derive(Debug, Default)]
struct Slice {
    /// The policies without an action constraint.
    any_action: PolicySet,
    /// For each action some policy names: those policies and the ones of `any_action`.
    by_action: HashMap<EntityUid, PolicySet>,
}

impl Slice {
    fn build(policies: &[&cedar_policy::Policy]) -> Result<Slice, String> {
        let mut slice = Slice::default();
        let mut named: HashMap<EntityUid, Vec<&cedar_policy::Policy>> = HashMap::new();
        for policy in policies {
            match policy.action_constraint() {
                ActionConstraint::Any => {
                    slice
                        .any_action
                        .add((*policy).clone())
                        .map_err(|error| error.to_string())?;
                }
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
        for (action, own) in named {
            let mut set = slice.any_action.clone();
            for policy in own {
                set.add(policy.clone()).map_err(|error| error.to_string())?;
            }
            slice.by_action.insert(action, set);
        }
        Ok(slice)
    }

    fn for_action(&self, action: &EntityUid) -> &PolicySet {
        self.by_action.get(action).unwrap_or(&self.any_action)
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
        if problems.is_empty() {
            let validation = Validator::new(schema.clone()).validate(&set, ValidationMode::Strict);
            for error in validation.validation_errors() {
                let (file, line) = origin
                    .get(error.policy_id())
                    .cloned()
                    .unwrap_or_else(|| (String::from("?"), 0));
                problems.push(format!(
                    "{file}:{line}: policy {}: {error}",
                    error.policy_id()
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
        let unscoped = Slice::build(&unscoped_policies).unwrap_or_else(|error| {
            problems.push(error);
            Slice::default()
        });
        let mut scoped = HashMap::new();
        for (entity, policies) in scoped_policies {
            match Slice::build(&policies) {
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
            })
        } else {
            Err(PolicyError::Invalid { problems })
        }
    }

    /// The whole set.
    pub fn set(&self) -> &PolicySet {
        &self.set
    }

    /// The slices that can match a request by `principal` with the parents `groups` for
    /// `action`.
    pub fn slices<'a>(
        &'a self,
        principal: &EntityUid,
        groups: impl IntoIterator<Item = EntityUid>,
        action: &EntityUid,
    ) -> impl Iterator<Item = &'a PolicySet> {
        let mut slices = vec![self.unscoped.for_action(action)];
        if !self.scoped.is_empty() {
            slices.extend(
                self.scoped
                    .get(principal)
                    .map(|slice| slice.for_action(action)),
            );
            slices.extend(
                groups
                    .into_iter()
                    .filter_map(|group| self.scoped.get(&group))
                    .map(|slice| slice.for_action(action)),
            );
        }
        slices
            .into_iter()
            .filter(|slice| slice.num_of_policies() > 0)
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
