//! Detectors mirroring the Amazon GuardDuty EKS audit-log finding types that the audit log alone
//! supports, one file per type, named after it. Not mirrored: the `MaliciousIPCaller` and
//! `TorIPCaller` types (they need threat-intelligence IP lists) and the `AnomalousBehavior`
//! types (GuardDuty's machine-learning baselines).

use crate::event::{AuditEvent, EventView};

pub mod admin_access_to_default_service_account;
pub mod anonymous_access_granted;
pub mod container_with_sensitive_mount;
pub mod credential_access_successful_anonymous_access;
pub mod defense_evasion_successful_anonymous_access;
pub mod discovery_successful_anonymous_access;
pub mod exec_in_kube_system_pod;
pub mod exposed_dashboard;
pub mod impact_successful_anonymous_access;
pub mod kubeflow_dashboard_exposed;
pub mod persistence_successful_anonymous_access;
pub mod privileged_container;

/// The ClusterRoles GuardDuty treats as admin access.
pub(crate) const ADMIN_ROLES: [&str; 2] = ["cluster-admin", "admin"];

/// Long-running requests (exec, attach, port-forward, watch) log ResponseStarted first; the
/// others are taken at ResponseComplete. Each request counts once either way.
pub(crate) fn first_stage(event: &AuditEvent<'_>) -> bool {
    let streaming =
        matches!(event.subresource(), "exec" | "attach" | "portforward") || event.verb == "watch";
    if streaming {
        event.stage == "ResponseStarted"
    } else {
        event.complete()
    }
}

/// A completed create, update or patch of a RoleBinding or ClusterRoleBinding.
pub(crate) fn binding_write(event: &AuditEvent<'_>) -> bool {
    event.complete()
        && matches!(event.resource(), "rolebindings" | "clusterrolebindings")
        && matches!(&*event.verb, "create" | "update" | "patch")
}

/// A successful write of a `type: LoadBalancer` Service whose name or selector contains one of
/// `words`.
pub(crate) fn load_balancer_selecting(view: &EventView<'_, '_>, words: &[&str]) -> bool {
    let event = view.event;
    if !(event.complete()
        && event.resource() == "services"
        && matches!(&*event.verb, "create" | "update" | "patch")
        && event.successful())
    {
        return false;
    }
    let Some(spec) = view.pod_spec() else {
        return false;
    };
    if spec.service_type != "LoadBalancer" {
        return false;
    }
    let selector = spec.selector.map_or("", |raw| raw.get());
    words
        .iter()
        .any(|word| event.name().contains(word) || selector.contains(word))
}

/// The MITRE ATT&CK tactic garrison assigns to a Kubernetes API call, for the
/// `SuccessfulAnonymousAccess` types. GuardDuty does not publish its table; this one is ours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tactic {
    CredentialAccess,
    DefenseEvasion,
    Discovery,
    Impact,
    Persistence,
}

/// Resources whose reading is credential access.
const CREDENTIAL_RESOURCES: [&str; 3] = ["secrets", "certificatesigningrequests", "tokenreviews"];

/// Resources whose change weakens detection or enforcement.
const DEFENSE_RESOURCES: [&str; 6] = [
    "events",
    "validatingwebhookconfigurations",
    "mutatingwebhookconfigurations",
    "validatingadmissionpolicies",
    "networkpolicies",
    "auditsinks",
];

/// Resources whose creation gives lasting access.
const PERSISTENCE_RESOURCES: [&str; 13] = [
    "pods",
    "deployments",
    "daemonsets",
    "statefulsets",
    "replicasets",
    "jobs",
    "cronjobs",
    "roles",
    "clusterroles",
    "rolebindings",
    "clusterrolebindings",
    "serviceaccounts",
    "mutatingwebhookconfigurations",
];

pub fn tactic(event: &AuditEvent<'_>) -> Option<Tactic> {
    let resource = event.resource();
    let verb = &*event.verb;
    if resource.is_empty() {
        // Non-resource URLs: discovery, except the probes GuardDuty excludes.
        return (!matches!(event.path(), "/healthz" | "/livez" | "/readyz" | "/version"))
            .then_some(Tactic::Discovery);
    }
    let read = matches!(verb, "get" | "list" | "watch");
    if (CREDENTIAL_RESOURCES.contains(&resource) && (read || verb == "create"))
        || (resource == "serviceaccounts" && event.subresource() == "token")
    {
        return Some(Tactic::CredentialAccess);
    }
    if DEFENSE_RESOURCES.contains(&resource)
        && matches!(verb, "delete" | "deletecollection" | "update" | "patch")
    {
        return Some(Tactic::DefenseEvasion);
    }
    if read {
        return Some(Tactic::Discovery);
    }
    if verb == "create"
        && (PERSISTENCE_RESOURCES.contains(&resource) || event.subresource() == "exec")
    {
        return Some(Tactic::Persistence);
    }
    matches!(
        verb,
        "create" | "update" | "patch" | "delete" | "deletecollection"
    )
    .then_some(Tactic::Impact)
}
