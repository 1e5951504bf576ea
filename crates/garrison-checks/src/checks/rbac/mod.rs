//! RBAC permissions that amount to control of the cluster, reported per subject that holds them.
//!
//! The checks run once per RoleBinding and ClusterRoleBinding: they evaluate the bound role (an
//! aggregated ClusterRole resolved to everything it aggregates) with the Kubernetes RBAC rules of
//! `garrison-authz`, and report each subject of the binding that the permission reaches, on the
//! binding object, naming the role and the rule that grants it. A permission on a cluster-scoped
//! resource is granted only by ClusterRoleBindings: a RoleBinding that references a ClusterRole
//! with it grants nothing, so it is not reported. Groups list their members by EKS access entry.

pub mod cluster_admin_bound;
pub mod csr_approval;
pub mod escalation_verbs;
pub mod node_proxy_access;
pub mod persistent_volume_creation;
pub mod pod_creation_access;
pub mod role_wildcards;
pub mod secret_read_access;
pub mod token_creation;
pub mod webhook_configuration_access;

use std::collections::HashMap;

use garrison_authz::rbac::{
    Authorizer, Binding, BindingId, BindingKind, DEFAULT_NAMESPACE, DecodeError, PrincipalKind,
    Request, RoleName, RuleRef,
};
use garrison_core::{Object, Status};

use crate::engine::{Context, Outcome};

/// The RBAC objects and EKS access entries of an inventory, indexed once per scan.
#[derive(Debug)]
pub struct RbacIndex {
    pub authorizer: Authorizer,
    /// RBAC objects that could not be read, by position in the inventory: why.
    unreadable: HashMap<usize, DecodeError>,
}

/// The inventory's [`RbacIndex`], built by the first check that asks. It is built without rayon:
/// a thread waiting for it must not be handed a task that waits for it too.
pub fn index<'a>(context: &Context<'a>) -> &'a RbacIndex {
    context.shared.rbac.get_or_init(|| {
        let inventory = context.inventory;
        let mut builder = Authorizer::builder();
        let mut unreadable = HashMap::new();
        for (position, object) in inventory.objects.iter().enumerate() {
            if !matches!(
                object.kind.as_str(),
                "Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding"
            ) {
                continue;
            }
            if let Err(error) = builder.add_value(&object.value, Some(position)) {
                unreadable.insert(position, error);
            }
        }
        if let Some(snapshot) = &inventory.snapshot {
            // An unreadable access entry only narrows what is known about group members.
            let _ = builder.add_snapshot(snapshot);
        }
        RbacIndex {
            authorizer: builder.build(),
            unreadable,
        }
    })
}

/// The position of `object` in the inventory, found by address: the engine hands checks
/// references into `inventory.objects`.
fn position(context: &Context<'_>, object: &Object) -> Option<usize> {
    let objects = &context.inventory.objects;
    let size = std::mem::size_of::<Object>().max(1);
    let offset = (std::ptr::from_ref(object) as usize).checked_sub(objects.as_ptr() as usize)?;
    let position = offset / size;
    (offset % size == 0
        && objects
            .get(position)
            .is_some_and(|o| std::ptr::eq(o, object)))
    .then_some(position)
}

/// A binding object as the checks see it.
pub(crate) struct BindingView<'a> {
    pub id: BindingId,
    pub binding: &'a Binding,
    /// The bound role; `None` when it does not exist (the binding grants nothing).
    pub role: Option<&'a RoleName>,
    pub authorizer: &'a Authorizer,
}

/// The binding read from `object`. `Err` is an UNKNOWN outcome for a binding that could not be
/// read; `Ok(None)` means the object is not an RBAC binding (a kind of that name in another API
/// group), which the checks do not judge.
pub(crate) fn binding_view<'a>(
    context: &Context<'a>,
    object: &Object,
) -> Result<Option<BindingView<'a>>, Outcome> {
    let index = index(context);
    let position = position(context, object);
    if let Some(error) = position.and_then(|position| index.unreadable.get(&position)) {
        return Err(Outcome::with_status(
            Status::Unknown,
            Some(error.pointer.clone()),
            format!(
                "the binding cannot be evaluated: {}: {}",
                error.pointer, error.message
            ),
        ));
    }
    let by_position = position.and_then(|position| index.authorizer.binding_of_object(position));
    // Should the object not be one of the inventory's own, find the binding by its identity.
    let by_identity = || {
        let kind = match object.kind.as_str() {
            "RoleBinding" => BindingKind::RoleBinding,
            "ClusterRoleBinding" => BindingKind::ClusterRoleBinding,
            _ => return None,
        };
        let namespace = (kind == BindingKind::RoleBinding)
            .then(|| object.namespace.as_deref().unwrap_or(DEFAULT_NAMESPACE));
        index.authorizer.find_binding(kind, namespace, &object.name)
    };
    let Some(id) = by_position.or_else(|| position.is_none().then(by_identity).flatten()) else {
        return Ok(None);
    };
    let Some(binding) = index.authorizer.binding(id) else {
        return Ok(None);
    };
    Ok(Some(BindingView {
        id,
        binding,
        role: index.authorizer.bound_role(id),
        authorizer: &index.authorizer,
    }))
}

/// One permission a check looks for.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Permission {
    pub verb: &'static str,
    pub group: &'static str,
    /// `resource` or `resource/subresource`.
    pub resource: &'static str,
    /// Only ClusterRoleBindings grant permissions on cluster-scoped resources.
    pub cluster_scoped: bool,
    /// Whether a rule limited by `resourceNames` counts: for permissions that are dangerous even
    /// on one named object (binding one role, proxying to one node, minting one account's
    /// tokens).
    pub named_objects_count: bool,
}

impl Permission {
    pub const fn namespaced(
        verb: &'static str,
        group: &'static str,
        resource: &'static str,
    ) -> Permission {
        Permission {
            verb,
            group,
            resource,
            cluster_scoped: false,
            named_objects_count: false,
        }
    }

    pub const fn cluster(
        verb: &'static str,
        group: &'static str,
        resource: &'static str,
    ) -> Permission {
        Permission {
            cluster_scoped: true,
            ..Permission::namespaced(verb, group, resource)
        }
    }

    pub const fn even_named(self) -> Permission {
        Permission {
            named_objects_count: true,
            ..self
        }
    }

    /// `deployments.apps`, `pods/exec`, `secrets`.
    fn resource_label(&self) -> String {
        let (resource, subresource) = self
            .resource
            .split_once('/')
            .map_or((self.resource, None), |(resource, sub)| {
                (resource, Some(sub))
            });
        let mut label = resource.to_string();
        if !self.group.is_empty() {
            label.push('.');
            label.push_str(self.group);
        }
        if let Some(subresource) = subresource {
            label.push('/');
            label.push_str(subresource);
        }
        label
    }
}

/// A permission the binding grants, through which rule, limited to which object names (empty:
/// any).
pub(crate) struct Hit {
    pub permission: Permission,
    pub rule: RuleRef,
    pub names: Vec<String>,
}

impl BindingView<'_> {
    /// The request for `permission` where this binding can grant it: in a RoleBinding's
    /// namespace, or cluster-wide.
    fn request(&self, permission: &Permission) -> Request {
        let request = Request::resource(permission.verb, permission.group, permission.resource);
        match (
            &self.binding.kind,
            &self.binding.namespace,
            permission.cluster_scoped,
        ) {
            (BindingKind::RoleBinding, Some(namespace), false) => {
                request.in_namespace(namespace.clone())
            }
            _ => request,
        }
    }

    /// The permissions among `permissions` this binding grants.
    pub fn hits(&self, permissions: &[Permission]) -> Vec<Hit> {
        permissions
            .iter()
            .filter_map(|permission| {
                // A RoleBinding never grants a cluster-scoped permission.
                if permission.cluster_scoped && self.binding.kind == BindingKind::RoleBinding {
                    return None;
                }
                let request = self.request(permission);
                if permission.named_objects_count {
                    self.authorizer
                        .binding_allows_some_name(self.id, &request)
                        .map(|(rule, names)| Hit {
                            permission: *permission,
                            rule,
                            names,
                        })
                } else {
                    self.authorizer
                        .binding_allows(self.id, &request)
                        .map(|rule| Hit {
                            permission: *permission,
                            rule,
                            names: Vec::new(),
                        })
                }
            })
            .collect()
    }

    /// `in namespace payments` or `cluster-wide`.
    pub fn scope(&self) -> String {
        match (&self.binding.kind, &self.binding.namespace) {
            (BindingKind::RoleBinding, Some(namespace)) => format!("in namespace {namespace}"),
            _ => "cluster-wide".to_string(),
        }
    }

    /// One FAIL per subject that the binding's permission reaches, on `/subjects/<i>`:
    /// "<subject> can <capability> <scope> through <binding> → <role> (<rules>)". The group
    /// `system:masters` gets a PASS instead: the API server allows it everything before RBAC is
    /// asked, so a binding adds nothing to it (the default `cluster-admin` binding names it).
    pub fn fail_each_subject(&self, capability: &str, rules: &[RuleRef]) -> Vec<Outcome> {
        let Some(role) = self.role else {
            return Vec::new();
        };
        let mut rules = rules.to_vec();
        rules.sort();
        rules.dedup();
        let references: Vec<String> = rules.iter().map(|rule| rule.describe(role)).collect();
        let via = self.binding.via();
        (0..self.binding.subjects.len())
            .filter_map(|index| {
                let principal = self.binding.principal(index)?;
                let pointer = format!("/subjects/{index}");
                if principal.kind == PrincipalKind::Group && principal.name == SUPERUSER_GROUP {
                    return Some(Outcome::pass(
                        pointer,
                        "Group system:masters is the API server's superuser group: RBAC adds nothing to it",
                    ));
                }
                let mut message = format!(
                    "{principal} can {capability} {} through {via} → {role} ({})",
                    self.scope(),
                    references.join(", ")
                );
                if principal.kind == PrincipalKind::Group {
                    let members: Vec<&str> = self
                        .authorizer
                        .access_entries_in_group(&principal.name)
                        .map(|entry| entry.principal_arn.as_str())
                        .collect();
                    if !members.is_empty() {
                        message.push_str(&format!(
                            "; members by EKS access entry: {}",
                            members.join(", ")
                        ));
                    }
                }
                Some(Outcome::fail(pointer, message))
            })
            .collect()
    }
}

/// The API server's superuser group, allowed everything before RBAC is asked.
const SUPERUSER_GROUP: &str = "system:masters";

/// "get/list/watch secrets; create pods, deployments.apps": the hits' verbs per resource, then
/// resources with the same verbs together, with any `resourceNames` limit.
pub(crate) fn capability(hits: &[Hit]) -> String {
    // (resource label, names) → verbs, in the order of the permissions.
    let mut by_resource: Vec<(String, Vec<String>, Vec<&str>)> = Vec::new();
    for hit in hits {
        let label = hit.permission.resource_label();
        match by_resource
            .iter_mut()
            .find(|(resource, names, _)| *resource == label && *names == hit.names)
        {
            Some((_, _, verbs)) => verbs.push(hit.permission.verb),
            None => by_resource.push((label, hit.names.clone(), vec![hit.permission.verb])),
        }
    }
    let mut by_verbs: Vec<(String, Vec<String>)> = Vec::new();
    for (resource, names, verbs) in by_resource {
        let verbs = verbs.join("/");
        let resource = if names.is_empty() {
            resource
        } else {
            format!("{resource} (only {})", names.join(", "))
        };
        match by_verbs.iter_mut().find(|(existing, _)| *existing == verbs) {
            Some((_, resources)) => resources.push(resource),
            None => by_verbs.push((verbs, vec![resource])),
        }
    }
    by_verbs
        .into_iter()
        .map(|(verbs, resources)| format!("{verbs} {}", resources.join(", ")))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Whether a rule field lists the wildcard `*`.
pub(crate) fn matching_any(field: &Option<Vec<String>>) -> bool {
    field.iter().flatten().any(|entry| entry == "*")
}

/// The usual check: FAIL for each subject of a binding that grants any of `permissions`.
pub(crate) fn judge(
    context: &Context<'_>,
    object: &Object,
    permissions: &[Permission],
) -> Option<Vec<Outcome>> {
    let view = match binding_view(context, object) {
        Err(unknown) => return Some(vec![unknown]),
        Ok(None) => return None,
        Ok(Some(view)) => view,
    };
    let hits = view.hits(permissions);
    if hits.is_empty() {
        return Some(Vec::new());
    }
    let rules: Vec<RuleRef> = hits.iter().map(|hit| hit.rule.clone()).collect();
    Some(view.fail_each_subject(&capability(&hits), &rules))
}
