//! Detectors mirroring the Falco k8saudit rules, one file per rule, named after it.

use crate::event::AuditEvent;

pub mod all_k8s_audit_events;
pub mod anonymous_request_allowed;
pub mod attach_exec_pod;
pub mod attach_to_cluster_admin_role;
pub mod clusterrole_with_pod_exec;
pub mod clusterrole_with_wildcard;
pub mod clusterrole_with_write_privileges;
pub mod configmap_private_credentials;
pub mod create_disallowed_namespace;
pub mod create_disallowed_pod;
pub mod create_hostipc_pod;
pub mod create_hostnetwork_pod;
pub mod create_hostpid_pod;
pub mod create_nodeport_service;
pub mod create_privileged_pod;
pub mod create_sensitive_mount_pod;
pub mod disallowed_k8s_user;
pub mod ephemeral_containers_created;
pub mod full_admin_access;
pub mod ingress_without_tls;
pub mod k8s_cluster_role_binding_created;
pub mod k8s_cluster_role_binding_deleted;
pub mod k8s_cluster_role_created;
pub mod k8s_cluster_role_deleted;
pub mod k8s_config_map_created;
pub mod k8s_config_map_deleted;
pub mod k8s_deployment_created;
pub mod k8s_deployment_deleted;
pub mod k8s_namespace_created;
pub mod k8s_namespace_deleted;
pub mod k8s_role_binding_created;
pub mod k8s_role_binding_deleted;
pub mod k8s_role_created;
pub mod k8s_role_deleted;
pub mod k8s_secret_created;
pub mod k8s_secret_deleted;
pub mod k8s_secret_get_successfully;
pub mod k8s_secret_get_unsuccessfully;
pub mod k8s_service_created;
pub mod k8s_service_deleted;
pub mod k8s_serviceaccount_created;
pub mod k8s_serviceaccount_deleted;
pub mod pod_created_in_kube_namespace;
pub mod port_forward;
pub mod service_account_created_in_kube_namespace;
pub mod system_clusterrole_modified;
pub mod untrusted_node_joined;
pub mod untrusted_node_tried;

/// Falco's `non_system_user`, negated.
pub(crate) fn system_user(user: &str) -> bool {
    user.starts_with("system:")
}

pub(crate) fn in_list(list: &[String], item: &str) -> bool {
    list.iter().any(|entry| entry == item)
}

/// Falco's `pod` macro: the pods resource itself, not a subresource.
pub(crate) fn plain_pod(event: &AuditEvent<'_>) -> bool {
    event.resource() == "pods" && event.subresource().is_empty()
}

/// `/healthz`, `/livez`, `/readyz` (and their sub-paths' query forms), which anonymous
/// users may call.
pub(crate) fn health_probe(path: &str) -> bool {
    matches!(path, "/healthz" | "/livez" | "/readyz")
}

/// Falco's `sensitive_vol_mount` host paths.
pub(crate) const SENSITIVE_PATHS: [&str; 12] = [
    "/proc",
    "/var/run/docker.sock",
    "/",
    "/etc",
    "/root",
    "/var/run/crio/crio.sock",
    "/run/containerd/containerd.sock",
    "/home/admin",
    "/var/lib/kubelet",
    "/var/lib/kubelet/pki",
    "/etc/kubernetes",
    "/etc/kubernetes/manifests",
];

/// Falco's `contains_private_credentials` words.
pub(crate) const CREDENTIAL_WORDS: [&str; 6] = [
    "aws_access_key_id",
    "aws-access-key-id",
    "aws_s3_access_key_id",
    "aws-s3-access-key-id",
    "password",
    "passphrase",
];
