//! Kubernetes RBAC, evaluated as the API server's RBAC authorizer evaluates it, over the RBAC
//! objects of a snapshot or of manifests, with EKS access entries joined in.
//!
//! - [`matching`]: whether one rule allows one request (verbs, API groups, resources and their
//!   wildcards, resource names, non-resource URLs);
//! - [`Authorizer`]: the roles and bindings of a cluster indexed once, aggregated ClusterRoles
//!   resolved, with [`Authorizer::who_can`] and [`Authorizer::can_i`];
//! - [`AccessEntry`]: EKS access entries, whose Kubernetes groups join RBAC's group subjects
//!   and whose access policies grant like bindings of the matching default ClusterRoles.
//!
//! `system:masters` is authorized by the API server before RBAC is asked; RBAC itself (and so
//! this module) knows it only through the default `cluster-admin` ClusterRoleBinding.

mod access_entries;
mod aggregation;
mod authorizer;
pub mod matching;
mod request;

pub use access_entries::{
    AccessEntry, AccessPolicy, AccessScope, access_policy_rules, read_snapshot,
};
pub use aggregation::selector_matches;
pub use authorizer::{
    Authorizer, Binding, BindingId, BindingKind, Builder, DEFAULT_NAMESPACE, DecodeError, Grant,
    Principal, PrincipalKind, RBAC_GROUP, RoleKind, RoleName, RuleRef, UserInfo, Via,
    service_account_username,
};
pub use request::{Request, Resource, Scope, Target};
