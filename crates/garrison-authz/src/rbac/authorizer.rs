//! The RBAC objects of a cluster, indexed once, and the two questions asked of them: who can
//! make a request ([`Authorizer::who_can`]) and whether one user can ([`Authorizer::can_i`]).
//!
//! The evaluation is the API server's `RBACAuthorizer` / `DefaultRuleResolver`:
//! - every ClusterRoleBinding applies to every request; a RoleBinding applies only to requests
//!   in its own namespace, so neither cluster-scoped resources nor non-resource URLs can be
//!   granted by a RoleBinding, even one that references a ClusterRole;
//! - a RoleBinding's `roleRef` names a Role of the binding's namespace or a ClusterRole; a
//!   ClusterRoleBinding's names a ClusterRole (a Role there is never found);
//! - a binding whose role does not exist grants nothing and is otherwise ignored;
//! - subjects: a `User` matches the user's name, a `Group` one of the user's groups, and a
//!   `ServiceAccount` the user `system:serviceaccount:<namespace>:<name>`, its namespace
//!   defaulting to the RoleBinding's (a ClusterRoleBinding's service account without a
//!   namespace matches nobody); any other kind matches nobody, whatever its `apiGroup`.
//!
//! A ClusterRole with an `aggregationRule` grants its own rules and those of every ClusterRole
//! its selectors select, transitively (see [`Builder::build`]).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

use garrison_core::{Diagnostic, Object, Snapshot};
use k8s_openapi::api::rbac::v1::{
    ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, RoleRef, Subject,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use serde::Serialize;
use serde_json::Value;

use super::access_entries::{self, AccessEntry, AccessScope};
use super::aggregation::selector_matches;
use super::matching::{rule_allows, rule_allows_some_name};
use super::request::{Request, Scope};

/// The API group of the RBAC kinds.
pub const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

/// The namespace of a namespaced RBAC object that has none in its manifest: where
/// `kubectl apply` without `-n` would create it.
pub const DEFAULT_NAMESPACE: &str = "default";

/// The user a request is made as, as the authenticator (or impersonation) hands it to the
/// authorizer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserInfo {
    pub name: String,
    pub groups: Vec<String>,
}

impl UserInfo {
    /// The user `kubectl --as NAME --as-group G…` acts as: the API server's impersonation adds
    /// `system:serviceaccounts` and `system:serviceaccounts:<namespace>` to a service account
    /// given without groups, and `system:authenticated` to any user but `system:anonymous`
    /// unless `system:authenticated` or `system:unauthenticated` is among the groups
    /// (`system:anonymous` gets `system:unauthenticated`).
    pub fn impersonated(name: &str, groups: &[String]) -> UserInfo {
        let mut all = groups.to_vec();
        if groups.is_empty()
            && let Some(namespace) = name
                .strip_prefix("system:serviceaccount:")
                .and_then(|rest| rest.split_once(':'))
                .map(|(namespace, _)| namespace)
        {
            all.push("system:serviceaccounts".to_string());
            all.push(format!("system:serviceaccounts:{namespace}"));
        }
        if name == "system:anonymous" {
            if !all.iter().any(|group| group == "system:unauthenticated") {
                all.push("system:unauthenticated".to_string());
            }
        } else if !all
            .iter()
            .any(|group| group == "system:authenticated" || group == "system:unauthenticated")
        {
            all.push("system:authenticated".to_string());
        }
        UserInfo {
            name: name.to_string(),
            groups: all,
        }
    }
}

/// Role, ClusterRole, or EKS access policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum RoleKind {
    Role,
    ClusterRole,
    AccessPolicy,
}

/// A role by name: `Role payments/reader`, `ClusterRole edit`, `access policy AmazonEKSEditPolicy`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleName {
    pub kind: RoleKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub name: String,
}

impl fmt::Display for RoleName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.kind, &self.namespace) {
            (RoleKind::AccessPolicy, _) => write!(f, "access policy {}", self.name),
            (RoleKind::Role, Some(namespace)) => write!(f, "Role {namespace}/{}", self.name),
            (kind, _) => write!(f, "{kind:?} {}", self.name),
        }
    }
}

/// The rule that allows a request: `rules[index]` of `role`, which is the bound role itself or,
/// for an aggregated ClusterRole, a ClusterRole it aggregates.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleRef {
    pub role: RoleName,
    pub index: usize,
}

impl RuleRef {
    /// `rules[2]`, or `rules[2] of ClusterRole edit` when the rule is aggregated from another role.
    pub fn describe(&self, bound: &RoleName) -> String {
        if &self.role == bound {
            format!("rules[{}]", self.index)
        } else {
            format!("rules[{}] of {}, aggregated", self.index, self.role)
        }
    }
}

/// RoleBinding or ClusterRoleBinding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum BindingKind {
    RoleBinding,
    ClusterRoleBinding,
}

/// A RoleBinding or ClusterRoleBinding, as read from its object.
#[derive(Clone, Debug, PartialEq)]
pub struct Binding {
    pub kind: BindingKind,
    /// The RoleBinding's namespace; `None` for a ClusterRoleBinding.
    pub namespace: Option<String>,
    pub name: String,
    pub role_ref: RoleRef,
    pub subjects: Vec<Subject>,
    /// Position of the object it was read from, when built with [`Builder::add_object`].
    pub object: Option<usize>,
}

impl Binding {
    /// How grants through this binding name it.
    pub fn via(&self) -> Via {
        match (&self.kind, &self.namespace) {
            (BindingKind::RoleBinding, Some(namespace)) => Via::RoleBinding {
                namespace: namespace.clone(),
                name: self.name.clone(),
            },
            _ => Via::ClusterRoleBinding {
                name: self.name.clone(),
            },
        }
    }

    /// The subject `index` as the principal it matches, or `None` for a subject that can match
    /// nobody (an unknown kind, or a ClusterRoleBinding's service account without a namespace).
    pub fn principal(&self, index: usize) -> Option<Principal> {
        let subject = self.subjects.get(index)?;
        let kind = match subject.kind.as_str() {
            "User" => PrincipalKind::User,
            "Group" => PrincipalKind::Group,
            "ServiceAccount" => PrincipalKind::ServiceAccount,
            _ => return None,
        };
        let namespace = if kind == PrincipalKind::ServiceAccount {
            let namespace = subject
                .namespace
                .as_deref()
                .filter(|namespace| !namespace.is_empty())
                .or(self.namespace.as_deref())?;
            Some(namespace.to_string())
        } else {
            None
        };
        Some(Principal {
            kind,
            name: subject.name.clone(),
            namespace,
            access_entry: None,
            via_group: None,
        })
    }
}

/// What grants a permission.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all_fields = "camelCase")]
pub enum Via {
    RoleBinding {
        namespace: String,
        name: String,
    },
    ClusterRoleBinding {
        name: String,
    },
    /// An EKS access policy associated with an access entry.
    AccessPolicy {
        principal_arn: String,
        policy: String,
        scope: AccessScope,
    },
}

impl fmt::Display for Via {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Via::RoleBinding { namespace, name } => write!(f, "RoleBinding {namespace}/{name}"),
            Via::ClusterRoleBinding { name } => write!(f, "ClusterRoleBinding {name}"),
            Via::AccessPolicy {
                principal_arn,
                policy,
                scope,
            } => {
                write!(f, "access policy {policy}")?;
                match scope {
                    AccessScope::Cluster => write!(f, " (cluster)"),
                    AccessScope::Namespaces(namespaces) => {
                        write!(f, " (namespaces {})", namespaces.join(", "))
                    }
                }?;
                write!(f, " of EKS access entry {principal_arn}")
            }
        }
    }
}

/// User, Group or ServiceAccount.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum PrincipalKind {
    User,
    Group,
    ServiceAccount,
}

/// Who holds a permission: a binding's subject, or the user of an EKS access entry.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Principal {
    pub kind: PrincipalKind,
    pub name: String,
    /// A service account's namespace.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// The IAM principal ARN when the principal is (or, for a group, is reached through) an EKS
    /// access entry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_entry: Option<String>,
    /// The access entry's Kubernetes group that the binding names.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via_group: Option<String>,
}

impl fmt::Display for Principal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.namespace {
            Some(namespace) => write!(f, "{:?} {namespace}/{}", self.kind, self.name)?,
            None => write!(f, "{:?} {}", self.kind, self.name)?,
        }
        let Some(arn) = &self.access_entry else {
            return Ok(());
        };
        // The ARN is left out where it is the name already.
        match (arn == &self.name, &self.via_group) {
            (true, Some(group)) => write!(f, " (EKS access entry, in group {group})"),
            (false, Some(group)) => write!(f, " (EKS access entry {arn}, in group {group})"),
            (true, None) => write!(f, " (EKS access entry)"),
            (false, None) => write!(f, " (EKS access entry {arn})"),
        }
    }
}

/// One way a principal holds a permission.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Grant {
    pub subject: Principal,
    pub binding: Via,
    /// The bound role.
    pub role: RoleName,
    /// The first of the role's rules that allows the request.
    pub rule: RuleRef,
}

/// A problem reading an RBAC object: where in the object, and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    pub pointer: String,
    pub message: String,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "field {}: {}", self.pointer, self.message)
    }
}

#[derive(Debug)]
struct StoredRole {
    name: RoleName,
    rules: Vec<PolicyRule>,
    labels: BTreeMap<String, String>,
    aggregation: Option<Vec<LabelSelector>>,
}

/// Collects RBAC objects and access entries, then indexes them with [`Builder::build`].
#[derive(Debug, Default)]
pub struct Builder {
    roles: Vec<StoredRole>,
    bindings: Vec<Binding>,
    access_entries: Vec<AccessEntry>,
}

fn decode<T: for<'de> serde::Deserialize<'de>>(value: &Value) -> Result<T, DecodeError> {
    garrison_core::workload::decode(value).map_err(|error| DecodeError {
        pointer: error.pointer,
        message: error.message,
    })
}

fn namespace_of(metadata: &ObjectMeta) -> String {
    metadata
        .namespace
        .clone()
        .filter(|namespace| !namespace.is_empty())
        .unwrap_or_else(|| DEFAULT_NAMESPACE.to_string())
}

impl Builder {
    pub fn new() -> Builder {
        Builder::default()
    }

    /// Adds one object given as JSON. `Ok(false)` when it is not an RBAC object (another kind,
    /// or a kind of the same name in another API group); `Err` when it is one but cannot be
    /// read, in which case it is left out.
    pub fn add_value(&mut self, value: &Value, object: Option<usize>) -> Result<bool, DecodeError> {
        let kind = value
            .get("kind")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let api_version = value
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let group = api_version.split_once('/').map_or("", |(group, _)| group);
        if !api_version.is_empty() && group != RBAC_GROUP {
            return Ok(false);
        }
        match kind {
            "Role" => {
                let role: Role = decode(value)?;
                self.roles.push(StoredRole {
                    name: RoleName {
                        kind: RoleKind::Role,
                        namespace: Some(namespace_of(&role.metadata)),
                        name: role.metadata.name.unwrap_or_default(),
                    },
                    rules: role.rules.unwrap_or_default(),
                    labels: BTreeMap::new(),
                    aggregation: None,
                });
            }
            "ClusterRole" => {
                let role: ClusterRole = decode(value)?;
                self.roles.push(StoredRole {
                    name: RoleName {
                        kind: RoleKind::ClusterRole,
                        namespace: None,
                        name: role.metadata.name.unwrap_or_default(),
                    },
                    rules: role.rules.unwrap_or_default(),
                    labels: role.metadata.labels.unwrap_or_default(),
                    aggregation: role
                        .aggregation_rule
                        .map(|rule| rule.cluster_role_selectors.unwrap_or_default()),
                });
            }
            "RoleBinding" => {
                let binding: RoleBinding = decode(value)?;
                self.bindings.push(Binding {
                    kind: BindingKind::RoleBinding,
                    namespace: Some(namespace_of(&binding.metadata)),
                    name: binding.metadata.name.unwrap_or_default(),
                    role_ref: binding.role_ref,
                    subjects: binding.subjects.unwrap_or_default(),
                    object,
                });
            }
            "ClusterRoleBinding" => {
                let binding: ClusterRoleBinding = decode(value)?;
                self.bindings.push(Binding {
                    kind: BindingKind::ClusterRoleBinding,
                    namespace: None,
                    name: binding.metadata.name.unwrap_or_default(),
                    role_ref: binding.role_ref,
                    subjects: binding.subjects.unwrap_or_default(),
                    object,
                });
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Adds one loaded object; a problem is reported against its file and line.
    pub fn add_object(&mut self, index: usize, object: &Object) -> Result<bool, Diagnostic> {
        self.add_value(&object.value, Some(index)).map_err(|error| {
            Diagnostic::error(
                object.origin.file.name.clone(),
                Some(object.origin.line_of(&error.pointer)),
                format!(
                    "{} {}: {error}; it is left out of RBAC evaluation",
                    object.kind, object.name
                ),
            )
        })
    }

    pub fn add_access_entry(&mut self, entry: AccessEntry) {
        self.access_entries.push(entry);
    }

    /// Adds the snapshot's EKS access entries; returns the problems reading them.
    pub fn add_snapshot(&mut self, snapshot: &Snapshot) -> Vec<Diagnostic> {
        let (entries, diagnostics) = access_entries::read_snapshot(snapshot);
        self.access_entries.extend(entries);
        diagnostics
    }

    /// Indexes what was added. Roles and bindings with the same kind, namespace and name
    /// replace earlier ones, as a later `kubectl apply` would.
    ///
    /// Aggregation: a ClusterRole with an `aggregationRule` grants its stored rules and the
    /// rules of every other ClusterRole one of its selectors selects, and of the ClusterRoles
    /// those aggregate in turn. In a cluster the aggregation controller keeps the stored rules
    /// equal to that union, so a snapshot's stored rules already hold it, while a manifest's are
    /// usually empty; the union is right for both. A selector the API server cannot convert
    /// stops the controller, so such a role keeps its stored rules only.
    pub fn build(self) -> Authorizer {
        let Builder {
            roles,
            bindings,
            access_entries,
        } = self;
        let mut cluster_roles: HashMap<String, usize> = HashMap::new();
        let mut namespaced_roles: HashMap<String, HashMap<String, usize>> = HashMap::new();
        for (index, role) in roles.iter().enumerate() {
            match &role.name.namespace {
                None => {
                    cluster_roles.insert(role.name.name.clone(), index);
                }
                Some(namespace) => {
                    namespaced_roles
                        .entry(namespace.clone())
                        .or_default()
                        .insert(role.name.name.clone(), index);
                }
            }
        }
        let effective = aggregate(&roles, &cluster_roles);

        // Later bindings of the same identity replace earlier ones.
        let mut latest: HashMap<(BindingKind, Option<&str>, &str), usize> = HashMap::new();
        for (index, binding) in bindings.iter().enumerate() {
            latest.insert(
                (
                    binding.kind,
                    binding.namespace.as_deref(),
                    binding.name.as_str(),
                ),
                index,
            );
        }
        let by_identity: HashMap<(BindingKind, String, String), usize> = latest
            .iter()
            .map(|(&(kind, namespace, name), &index)| {
                (
                    (
                        kind,
                        namespace.unwrap_or_default().to_string(),
                        name.to_string(),
                    ),
                    index,
                )
            })
            .collect();
        let live: HashSet<usize> = latest.into_values().collect();
        let mut cluster_role_bindings = Vec::new();
        let mut role_bindings: HashMap<String, Vec<usize>> = HashMap::new();
        let mut binding_of_object = HashMap::new();
        for (index, binding) in bindings.iter().enumerate() {
            if let Some(object) = binding.object {
                binding_of_object.insert(object, index);
            }
            if !live.contains(&index) {
                continue;
            }
            match (&binding.kind, &binding.namespace) {
                (BindingKind::RoleBinding, Some(namespace)) => role_bindings
                    .entry(namespace.clone())
                    .or_default()
                    .push(index),
                _ => cluster_role_bindings.push(index),
            }
        }
        let mut role_binding_namespaces: Vec<String> = role_bindings.keys().cloned().collect();
        role_binding_namespaces.sort();

        let mut entries_by_group: HashMap<String, Vec<usize>> = HashMap::new();
        for (index, entry) in access_entries.iter().enumerate() {
            for group in &entry.kubernetes_groups {
                entries_by_group
                    .entry(group.clone())
                    .or_default()
                    .push(index);
            }
        }
        Authorizer {
            roles,
            effective,
            cluster_roles,
            namespaced_roles,
            bindings,
            cluster_role_bindings,
            role_bindings,
            role_binding_namespaces,
            binding_of_object,
            by_identity,
            access_entries,
            entries_by_group,
        }
    }
}

/// For every role, the rules in force as (role, rule index) pairs: its own rules first, then
/// those of the ClusterRoles it aggregates, breadth first, each selector's matches by name as
/// the aggregation controller orders them.
fn aggregate(
    roles: &[StoredRole],
    cluster_roles: &HashMap<String, usize>,
) -> Vec<Vec<(usize, usize)>> {
    // Only the ClusterRole that won its name takes part in aggregation.
    let mut live: Vec<usize> = cluster_roles.values().copied().collect();
    live.sort_by(|a, b| roles[*a].name.name.cmp(&roles[*b].name.name));
    let mut by_label: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
    for &index in &live {
        for (key, value) in &roles[index].labels {
            by_label
                .entry((key.as_str(), value.as_str()))
                .or_default()
                .push(index);
        }
    }
    // The ClusterRoles each aggregated ClusterRole selects directly.
    let mut selects: HashMap<usize, Vec<usize>> = HashMap::new();
    for &index in &live {
        let Some(selectors) = &roles[index].aggregation else {
            continue;
        };
        // A selector the API server cannot convert stops the aggregation controller.
        let empty = BTreeMap::new();
        if selectors
            .iter()
            .any(|selector| selector_matches(selector, &empty).is_err())
        {
            continue;
        }
        let mut selected = Vec::new();
        let mut chosen = HashSet::new();
        for selector in selectors {
            // A selector with matchLabels can only select roles with its first label.
            let candidates: &[usize] = match selector.match_labels.iter().flatten().next() {
                Some((key, value)) => by_label
                    .get(&(key.as_str(), value.as_str()))
                    .map_or(&[], Vec::as_slice),
                None => &live,
            };
            for &candidate in candidates {
                if candidate != index
                    && !chosen.contains(&candidate)
                    && selector_matches(selector, &roles[candidate].labels) == Ok(true)
                {
                    chosen.insert(candidate);
                    selected.push(candidate);
                }
            }
        }
        selects.insert(index, selected);
    }
    roles
        .iter()
        .enumerate()
        .map(|(index, role)| {
            let mut rules: Vec<(usize, usize)> =
                (0..role.rules.len()).map(|rule| (index, rule)).collect();
            if !selects.contains_key(&index) {
                return rules;
            }
            let mut seen = HashSet::from([index]);
            let mut queue = std::collections::VecDeque::from([index]);
            while let Some(current) = queue.pop_front() {
                for &selected in selects.get(&current).into_iter().flatten() {
                    if seen.insert(selected) {
                        rules.extend((0..roles[selected].rules.len()).map(|rule| (selected, rule)));
                        queue.push_back(selected);
                    }
                }
            }
            rules
        })
        .collect()
}

/// The RBAC objects and EKS access entries of one cluster, indexed for evaluation.
#[derive(Debug)]
pub struct Authorizer {
    roles: Vec<StoredRole>,
    effective: Vec<Vec<(usize, usize)>>,
    cluster_roles: HashMap<String, usize>,
    namespaced_roles: HashMap<String, HashMap<String, usize>>,
    bindings: Vec<Binding>,
    cluster_role_bindings: Vec<usize>,
    role_bindings: HashMap<String, Vec<usize>>,
    role_binding_namespaces: Vec<String>,
    binding_of_object: HashMap<usize, usize>,
    /// The binding in force for each (kind, namespace or "", name).
    by_identity: HashMap<(BindingKind, String, String), usize>,
    access_entries: Vec<AccessEntry>,
    entries_by_group: HashMap<String, Vec<usize>>,
}

/// A binding position in an [`Authorizer`].
pub type BindingId = usize;

impl Authorizer {
    pub fn builder() -> Builder {
        Builder::new()
    }

    /// Indexes the RBAC objects among `objects` and the access entries of `snapshot`. The
    /// diagnostics name the objects and files that could not be read (they are left out).
    pub fn from_objects(
        objects: &[Object],
        snapshot: Option<&Snapshot>,
    ) -> (Authorizer, Vec<Diagnostic>) {
        let mut builder = Builder::new();
        let mut diagnostics = Vec::new();
        for (index, object) in objects.iter().enumerate() {
            if !matches!(
                object.kind.as_str(),
                "Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding"
            ) {
                continue;
            }
            if let Err(diagnostic) = builder.add_object(index, object) {
                diagnostics.push(diagnostic);
            }
        }
        if let Some(snapshot) = snapshot {
            diagnostics.extend(builder.add_snapshot(snapshot));
        }
        (builder.build(), diagnostics)
    }

    pub fn bindings(&self) -> &[Binding] {
        &self.bindings
    }

    pub fn access_entries(&self) -> &[AccessEntry] {
        &self.access_entries
    }

    /// The binding read from the object at position `object` of the slice given to
    /// [`Authorizer::from_objects`].
    pub fn binding_of_object(&self, object: usize) -> Option<BindingId> {
        self.binding_of_object.get(&object).copied()
    }

    /// The binding in force with this kind, namespace (`None` for a ClusterRoleBinding) and name.
    pub fn find_binding(
        &self,
        kind: BindingKind,
        namespace: Option<&str>,
        name: &str,
    ) -> Option<BindingId> {
        let key = (
            kind,
            namespace.unwrap_or_default().to_string(),
            name.to_string(),
        );
        self.by_identity.get(&key).copied()
    }

    pub fn binding(&self, id: BindingId) -> Option<&Binding> {
        self.bindings.get(id)
    }

    /// The role a binding references, if it exists.
    pub fn bound_role(&self, id: BindingId) -> Option<&RoleName> {
        self.role_of(self.bindings.get(id)?)
            .map(|role| &self.roles[role].name)
    }

    fn role_of(&self, binding: &Binding) -> Option<usize> {
        match binding.role_ref.kind.as_str() {
            "ClusterRole" => self.cluster_roles.get(&binding.role_ref.name).copied(),
            // A ClusterRoleBinding looks a Role up in the empty namespace: never found.
            "Role" => self
                .namespaced_roles
                .get(binding.namespace.as_deref()?)?
                .get(&binding.role_ref.name)
                .copied(),
            _ => None,
        }
    }

    /// The rules a binding grants, with the role that defines each: its role's own rules and,
    /// for an aggregated ClusterRole, those it aggregates.
    pub fn granted_rules(&self, id: BindingId) -> impl Iterator<Item = (RuleRef, &PolicyRule)> {
        let role = self
            .bindings
            .get(id)
            .and_then(|binding| self.role_of(binding));
        role.into_iter()
            .flat_map(|role| self.effective[role].iter())
            .map(|&(role, rule)| {
                (
                    RuleRef {
                        role: self.roles[role].name.clone(),
                        index: rule,
                    },
                    &self.roles[role].rules[rule],
                )
            })
    }

    /// Whether the binding applies where `request` is made: a ClusterRoleBinding everywhere, a
    /// RoleBinding only to resource requests in its namespace (or in any namespace).
    fn binding_applies(binding: &Binding, request: &Request) -> bool {
        match binding.kind {
            BindingKind::ClusterRoleBinding => true,
            BindingKind::RoleBinding => match request.scope() {
                Some(Scope::Namespace(namespace)) => {
                    binding.namespace.as_deref() == Some(namespace)
                }
                Some(Scope::AnyNamespace) => true,
                Some(Scope::Cluster) | None => false,
            },
        }
    }

    /// The first rule of binding `id`'s role that satisfies `predicate`, without looking at
    /// where the binding applies.
    fn find_rule(
        &self,
        id: BindingId,
        mut predicate: impl FnMut(&PolicyRule) -> bool,
    ) -> Option<(RuleRef, &PolicyRule)> {
        let role = self.role_of(self.bindings.get(id)?)?;
        self.effective[role].iter().find_map(|&(role, index)| {
            let rule = &self.roles[role].rules[index];
            predicate(rule).then(|| {
                let reference = RuleRef {
                    role: self.roles[role].name.clone(),
                    index,
                };
                (reference, rule)
            })
        })
    }

    /// The first rule through which binding `id` allows `request`, if it does.
    pub fn binding_allows(&self, id: BindingId, request: &Request) -> Option<RuleRef> {
        let binding = self.bindings.get(id)?;
        if !Self::binding_applies(binding, request) {
            return None;
        }
        self.find_rule(id, |rule| rule_allows(rule, request))
            .map(|(reference, _)| reference)
    }

    /// Like [`Authorizer::binding_allows`], but a rule restricted by `resourceNames` counts too;
    /// returns the names it is restricted to (empty for no restriction). Unrestricted rules are
    /// preferred.
    pub fn binding_allows_some_name(
        &self,
        id: BindingId,
        request: &Request,
    ) -> Option<(RuleRef, Vec<String>)> {
        let binding = self.bindings.get(id)?;
        if !Self::binding_applies(binding, request) {
            return None;
        }
        let unrestricted = |rule: &PolicyRule| {
            rule.resource_names
                .as_deref()
                .unwrap_or_default()
                .is_empty()
                && rule_allows_some_name(rule, request)
        };
        if let Some((reference, _)) = self.find_rule(id, unrestricted) {
            return Some((reference, Vec::new()));
        }
        self.find_rule(id, |rule| rule_allows_some_name(rule, request))
            .map(|(reference, rule)| (reference, rule.resource_names.clone().unwrap_or_default()))
    }

    /// The bindings that can apply to `request`: every ClusterRoleBinding, then the
    /// RoleBindings of the request's namespace (of every namespace for
    /// [`Scope::AnyNamespace`]).
    fn candidate_bindings(&self, request: &Request) -> Vec<BindingId> {
        let mut candidates = self.cluster_role_bindings.clone();
        match request.scope() {
            Some(Scope::Namespace(namespace)) => {
                candidates.extend(self.role_bindings.get(namespace).into_iter().flatten());
            }
            Some(Scope::AnyNamespace) => {
                for namespace in &self.role_binding_namespaces {
                    candidates.extend(self.role_bindings.get(namespace).into_iter().flatten());
                }
            }
            Some(Scope::Cluster) | None => {}
        }
        candidates
    }

    /// Everyone `request` is allowed to: each subject of each binding whose role allows it (a
    /// group's members by EKS access entry listed after the group), then each EKS access entry
    /// whose access policies allow it. In binding order; one grant per subject and binding.
    pub fn who_can(&self, request: &Request) -> Vec<Grant> {
        let mut grants = Vec::new();
        for id in self.candidate_bindings(request) {
            let binding = &self.bindings[id];
            let Some(rule) = self.binding_allows(id, request) else {
                continue;
            };
            let Some(role) = self.bound_role(id) else {
                continue;
            };
            for index in 0..binding.subjects.len() {
                let Some(principal) = binding.principal(index) else {
                    continue;
                };
                let members = if principal.kind == PrincipalKind::Group {
                    self.entries_by_group
                        .get(&principal.name)
                        .cloned()
                        .unwrap_or_default()
                } else {
                    Vec::new()
                };
                let group = principal.name.clone();
                grants.push(Grant {
                    subject: principal,
                    binding: binding.via(),
                    role: role.clone(),
                    rule: rule.clone(),
                });
                for entry in members {
                    let entry = &self.access_entries[entry];
                    grants.push(Grant {
                        subject: Principal {
                            kind: PrincipalKind::User,
                            name: entry.kubernetes_username().to_string(),
                            namespace: None,
                            access_entry: Some(entry.principal_arn.clone()),
                            via_group: Some(group.clone()),
                        },
                        binding: binding.via(),
                        role: role.clone(),
                        rule: rule.clone(),
                    });
                }
            }
        }
        for entry in &self.access_entries {
            grants.extend(self.access_policy_grant(entry, request));
        }
        grants
    }

    /// The first access policy of `entry` that allows `request`.
    fn access_policy_grant(&self, entry: &AccessEntry, request: &Request) -> Vec<Grant> {
        let mut grants = Vec::new();
        for policy in &entry.policies {
            let applies = match request.scope() {
                None | Some(Scope::Cluster) => policy.scope == AccessScope::Cluster,
                Some(Scope::Namespace(namespace)) => policy.applies_in(namespace),
                Some(Scope::AnyNamespace) => true,
            };
            if !applies {
                continue;
            }
            let Some(rules) = access_entries::access_policy_rules(policy.name()) else {
                continue;
            };
            let Some(index) = rules.iter().position(|rule| rule_allows(rule, request)) else {
                continue;
            };
            let role = RoleName {
                kind: RoleKind::AccessPolicy,
                namespace: None,
                name: policy.name().to_string(),
            };
            grants.push(Grant {
                subject: Principal {
                    kind: PrincipalKind::User,
                    name: entry.kubernetes_username().to_string(),
                    namespace: None,
                    access_entry: Some(entry.principal_arn.clone()),
                    via_group: None,
                },
                binding: Via::AccessPolicy {
                    principal_arn: entry.principal_arn.clone(),
                    policy: policy.name().to_string(),
                    scope: policy.scope.clone(),
                },
                rule: RuleRef {
                    role: role.clone(),
                    index,
                },
                role,
            });
            break;
        }
        grants
    }

    /// Whether `user` may make `request`, and through what: the first ClusterRoleBinding, then
    /// RoleBinding, then EKS access policy that allows it (the order the API server visits
    /// them). A user who is an EKS access entry's (by principal ARN or username) also has the
    /// entry's Kubernetes groups and access policies.
    pub fn can_i(&self, user: &UserInfo, request: &Request) -> Option<Grant> {
        let entries: Vec<&AccessEntry> = self
            .access_entries
            .iter()
            .filter(|entry| entry.matches_user(&user.name))
            .collect();
        let entry_of_group = |group: &str| {
            if user.groups.iter().any(|own| own == group) {
                return None;
            }
            entries
                .iter()
                .find(|entry| entry.kubernetes_groups.iter().any(|g| g == group))
                .map(|entry| entry.principal_arn.clone())
        };
        for id in self.candidate_bindings(request) {
            let binding = &self.bindings[id];
            let matching = (0..binding.subjects.len()).find_map(|index| {
                let principal = binding.principal(index)?;
                let applies = match principal.kind {
                    PrincipalKind::User => principal.name == user.name,
                    PrincipalKind::Group => {
                        user.groups.iter().any(|group| group == &principal.name)
                            || entry_of_group(&principal.name).is_some()
                    }
                    PrincipalKind::ServiceAccount => {
                        service_account_username(principal.namespace.as_deref()?, &principal.name)
                            == user.name
                    }
                };
                applies.then_some(principal)
            });
            let Some(mut principal) = matching else {
                continue;
            };
            let Some(rule) = self.binding_allows(id, request) else {
                continue;
            };
            let Some(role) = self.bound_role(id) else {
                continue;
            };
            if principal.kind == PrincipalKind::Group {
                principal.access_entry = entry_of_group(&principal.name);
            }
            return Some(Grant {
                subject: principal,
                binding: binding.via(),
                role: role.clone(),
                rule,
            });
        }
        entries
            .into_iter()
            .find_map(|entry| self.access_policy_grant(entry, request).into_iter().next())
    }

    /// The EKS access entries a request made as Kubernetes user `user` belongs to.
    pub fn access_entries_of_user(&self, user: &str) -> impl Iterator<Item = &AccessEntry> {
        self.access_entries
            .iter()
            .filter(move |entry| entry.matches_user(user))
    }

    /// The EKS access entries whose Kubernetes groups include `group`.
    pub fn access_entries_in_group(&self, group: &str) -> impl Iterator<Item = &AccessEntry> {
        self.entries_by_group
            .get(group)
            .into_iter()
            .flatten()
            .map(|index| &self.access_entries[*index])
    }
}

/// `system:serviceaccount:<namespace>:<name>`, the username of a service account.
pub fn service_account_username(namespace: &str, name: &str) -> String {
    format!("system:serviceaccount:{namespace}:{name}")
}
