//! Kubernetes authorization for garrison.
//!
//! [`rbac`] answers "who can do this?" and "can this user do this?" over the RBAC objects of a
//! cluster snapshot or a set of manifests, exactly as the API server's RBAC authorizer would
//! decide, with aggregated ClusterRoles resolved and EKS access entries joined in. It reads what
//! it is given; it never talks to a cluster.

pub mod rbac;
