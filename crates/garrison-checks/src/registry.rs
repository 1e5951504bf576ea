//! The one list of checks. A check that is not here does not run, is not documented and is
//! not listed; a test makes sure every file under `checks/` is here.

use crate::checks::*;
use crate::engine::{Check, Runner};

pub static CHECKS: &[Check] = &[
    Check {
        meta: &pod_security::privileged_container::META,
        runner: Runner::Workload(pod_security::privileged_container::evaluate),
    },
    Check {
        meta: &pod_security::host_pid::META,
        runner: Runner::Workload(pod_security::host_pid::evaluate),
    },
    Check {
        meta: &pod_security::host_ipc::META,
        runner: Runner::Workload(pod_security::host_ipc::evaluate),
    },
    Check {
        meta: &pod_security::host_network::META,
        runner: Runner::Workload(pod_security::host_network::evaluate),
    },
    Check {
        meta: &pod_security::privilege_escalation_allowed::META,
        runner: Runner::Workload(pod_security::privilege_escalation_allowed::evaluate),
    },
    Check {
        meta: &pod_security::runs_as_root::META,
        runner: Runner::Workload(pod_security::runs_as_root::evaluate),
    },
    Check {
        meta: &pod_security::capabilities_added::META,
        runner: Runner::Workload(pod_security::capabilities_added::evaluate),
    },
    Check {
        meta: &pod_security::capabilities_not_dropped::META,
        runner: Runner::Workload(pod_security::capabilities_not_dropped::evaluate),
    },
    Check {
        meta: &pod_security::host_path_volume::META,
        runner: Runner::Workload(pod_security::host_path_volume::evaluate),
    },
    Check {
        meta: &pod_security::container_runtime_socket::META,
        runner: Runner::Workload(pod_security::container_runtime_socket::evaluate),
    },
    Check {
        meta: &pod_security::writable_root_filesystem::META,
        runner: Runner::Workload(pod_security::writable_root_filesystem::evaluate),
    },
    Check {
        meta: &pod_security::seccomp_unconfined::META,
        runner: Runner::Workload(pod_security::seccomp_unconfined::evaluate),
    },
    Check {
        meta: &pod_security::host_port::META,
        runner: Runner::Workload(pod_security::host_port::evaluate),
    },
    Check {
        meta: &pod_security::missing_resource_limits::META,
        runner: Runner::Workload(pod_security::missing_resource_limits::evaluate),
    },
    Check {
        meta: &pod_security::pss_enforce_violation::META,
        runner: Runner::Workload(pod_security::pss_enforce_violation::evaluate),
    },
    Check {
        meta: &pod_security::pss_restricted_violation::META,
        runner: Runner::Workload(pod_security::pss_restricted_violation::evaluate),
    },
    Check {
        meta: &pod_security::apparmor_unconfined::META,
        runner: Runner::Workload(pod_security::apparmor_unconfined::evaluate),
    },
    Check {
        meta: &pod_security::selinux_options_unsafe::META,
        runner: Runner::Workload(pod_security::selinux_options_unsafe::evaluate),
    },
    Check {
        meta: &pod_security::proc_mount_unmasked::META,
        runner: Runner::Workload(pod_security::proc_mount_unmasked::evaluate),
    },
    Check {
        meta: &pod_security::unsafe_sysctls::META,
        runner: Runner::Workload(pod_security::unsafe_sysctls::evaluate),
    },
    Check {
        meta: &pod_security::windows_host_process::META,
        runner: Runner::Workload(pod_security::windows_host_process::evaluate),
    },
    Check {
        meta: &pod_security::restricted_volume_types::META,
        runner: Runner::Workload(pod_security::restricted_volume_types::evaluate),
    },
    Check {
        meta: &pod_security::probe_host::META,
        runner: Runner::Workload(pod_security::probe_host::evaluate),
    },
    Check {
        meta: &pod_security::host_aliases::META,
        runner: Runner::Workload(pod_security::host_aliases::evaluate),
    },
    Check {
        meta: &pod_security::share_process_namespace::META,
        runner: Runner::Workload(pod_security::share_process_namespace::evaluate),
    },
    Check {
        meta: &pod_security::sensitive_host_path::META,
        runner: Runner::Workload(pod_security::sensitive_host_path::evaluate),
    },
    Check {
        meta: &pod_security::runs_as_root_group::META,
        runner: Runner::Workload(pod_security::runs_as_root_group::evaluate),
    },
    Check {
        meta: &pod_security::net_raw_not_dropped::META,
        runner: Runner::Workload(pod_security::net_raw_not_dropped::evaluate),
    },
    Check {
        meta: &pod_security::service_links_enabled::META,
        runner: Runner::Workload(pod_security::service_links_enabled::evaluate),
    },
    Check {
        meta: &pod_security::mount_propagation_bidirectional::META,
        runner: Runner::Workload(pod_security::mount_propagation_bidirectional::evaluate),
    },
    Check {
        meta: &pod_security::git_repo_volume::META,
        runner: Runner::Workload(pod_security::git_repo_volume::evaluate),
    },
    Check {
        meta: &pod_security::empty_dir_without_size_limit::META,
        runner: Runner::Workload(pod_security::empty_dir_without_size_limit::evaluate),
    },
    Check {
        meta: &pod_security::namespace_without_pss_labels::META,
        runner: Runner::Objects {
            kinds: &["Namespace"],
            run: pod_security::namespace_without_pss_labels::evaluate,
        },
    },
    Check {
        meta: &identity::default_service_account::META,
        runner: Runner::Workload(identity::default_service_account::evaluate),
    },
    Check {
        meta: &identity::token_automount::META,
        runner: Runner::Workload(identity::token_automount::evaluate),
    },
    Check {
        meta: &identity::secrets_in_env::META,
        runner: Runner::Workload(identity::secrets_in_env::evaluate),
    },
    Check {
        meta: &identity::static_aws_credentials::META,
        runner: Runner::Workload(identity::static_aws_credentials::evaluate),
    },
    Check {
        meta: &identity::shared_service_account::META,
        runner: Runner::Workload(identity::shared_service_account::evaluate),
    },
    Check {
        meta: &identity::default_namespace_used::META,
        runner: Runner::Workload(identity::default_namespace_used::evaluate),
    },
    Check {
        meta: &identity::powerful_token_mounted::META,
        runner: Runner::Workload(identity::powerful_token_mounted::evaluate),
    },
    Check {
        meta: &identity::hardcoded_secret_env::META,
        runner: Runner::Workload(identity::hardcoded_secret_env::evaluate),
    },
    Check {
        meta: &identity::secret_aws_credentials::META,
        runner: Runner::Objects {
            kinds: &["Secret"],
            run: identity::secret_aws_credentials::evaluate,
        },
    },
    Check {
        meta: &identity::legacy_token_secret::META,
        runner: Runner::Objects {
            kinds: &["Secret"],
            run: identity::legacy_token_secret::evaluate,
        },
    },
    Check {
        meta: &identity::default_service_account_iam_role::META,
        runner: Runner::Objects {
            kinds: &["ServiceAccount"],
            run: identity::default_service_account_iam_role::evaluate,
        },
    },
    Check {
        meta: &identity::credentials_in_config_map::META,
        runner: Runner::Objects {
            kinds: &["ConfigMap"],
            run: identity::credentials_in_config_map::evaluate,
        },
    },
    Check {
        meta: &images::image_tag_mutable::META,
        runner: Runner::Workload(images::image_tag_mutable::evaluate),
    },
    Check {
        meta: &images::registry_not_allowed::META,
        runner: Runner::Workload(images::registry_not_allowed::evaluate),
    },
    Check {
        meta: &images::image_repository_not_scanned::META,
        runner: Runner::Workload(images::image_repository_not_scanned::evaluate),
    },
    Check {
        meta: &images::image_repository_not_rescanned::META,
        runner: Runner::Workload(images::image_repository_not_rescanned::evaluate),
    },
    Check {
        meta: &images::image_repository_tag_mutable::META,
        runner: Runner::Workload(images::image_repository_tag_mutable::evaluate),
    },
    Check {
        meta: &images::image_repository_not_encrypted::META,
        runner: Runner::Workload(images::image_repository_not_encrypted::evaluate),
    },
    Check {
        meta: &images::image_vulnerable::META,
        runner: Runner::Workload(images::image_vulnerable::evaluate),
    },
    Check {
        meta: &exposure::internet_facing_load_balancer::META,
        runner: Runner::Objects {
            kinds: &["Service", "Ingress"],
            run: exposure::internet_facing_load_balancer::evaluate,
        },
    },
    Check {
        meta: &exposure::load_balancer_without_tls::META,
        runner: Runner::Objects {
            kinds: &["Service", "Ingress"],
            run: exposure::load_balancer_without_tls::evaluate,
        },
    },
    Check {
        meta: &exposure::external_ips::META,
        runner: Runner::Objects {
            kinds: &["Service"],
            run: exposure::external_ips::evaluate,
        },
    },
    Check {
        meta: &exposure::node_port_service::META,
        runner: Runner::Objects {
            kinds: &["Service"],
            run: exposure::node_port_service::evaluate,
        },
    },
    Check {
        meta: &exposure::external_name_service::META,
        runner: Runner::Objects {
            kinds: &["Service"],
            run: exposure::external_name_service::evaluate,
        },
    },
    Check {
        meta: &exposure::ingress_nginx_snippets::META,
        runner: Runner::Objects {
            kinds: &["Ingress"],
            run: exposure::ingress_nginx_snippets::evaluate,
        },
    },
    Check {
        meta: &tenancy::namespace_not_a_boundary::META,
        runner: Runner::Objects {
            kinds: &["Namespace"],
            run: tenancy::namespace_not_a_boundary::evaluate,
        },
    },
    Check {
        meta: &tenancy::namespace_without_quota::META,
        runner: Runner::Objects {
            kinds: &["Namespace"],
            run: tenancy::namespace_without_quota::evaluate,
        },
    },
    Check {
        meta: &access::aws_auth_system_masters::META,
        runner: Runner::Objects {
            kinds: &["ConfigMap"],
            run: access::aws_auth_system_masters::evaluate,
        },
    },
    Check {
        meta: &access::anonymous_binding::META,
        runner: Runner::Objects {
            kinds: &["RoleBinding", "ClusterRoleBinding"],
            run: access::anonymous_binding::evaluate,
        },
    },
    Check {
        meta: &rbac::cluster_admin_bound::META,
        runner: Runner::Objects {
            kinds: &["RoleBinding", "ClusterRoleBinding"],
            run: rbac::cluster_admin_bound::evaluate,
        },
    },
    Check {
        meta: &rbac::secret_read_access::META,
        runner: Runner::Objects {
            kinds: &["RoleBinding", "ClusterRoleBinding"],
            run: rbac::secret_read_access::evaluate,
        },
    },
    Check {
        meta: &rbac::role_wildcards::META,
        runner: Runner::Objects {
            kinds: &["Role", "ClusterRole"],
            run: rbac::role_wildcards::evaluate,
        },
    },
    Check {
        meta: &rbac::pod_creation_access::META,
        runner: Runner::Objects {
            kinds: &["RoleBinding", "ClusterRoleBinding"],
            run: rbac::pod_creation_access::evaluate,
        },
    },
    Check {
        meta: &rbac::escalation_verbs::META,
        runner: Runner::Objects {
            kinds: &["RoleBinding", "ClusterRoleBinding"],
            run: rbac::escalation_verbs::evaluate,
        },
    },
    Check {
        meta: &rbac::persistent_volume_creation::META,
        runner: Runner::Objects {
            kinds: &["RoleBinding", "ClusterRoleBinding"],
            run: rbac::persistent_volume_creation::evaluate,
        },
    },
    Check {
        meta: &rbac::node_proxy_access::META,
        runner: Runner::Objects {
            kinds: &["RoleBinding", "ClusterRoleBinding"],
            run: rbac::node_proxy_access::evaluate,
        },
    },
    Check {
        meta: &rbac::webhook_configuration_access::META,
        runner: Runner::Objects {
            kinds: &["RoleBinding", "ClusterRoleBinding"],
            run: rbac::webhook_configuration_access::evaluate,
        },
    },
    Check {
        meta: &rbac::token_creation::META,
        runner: Runner::Objects {
            kinds: &["RoleBinding", "ClusterRoleBinding"],
            run: rbac::token_creation::evaluate,
        },
    },
    Check {
        meta: &rbac::csr_approval::META,
        runner: Runner::Objects {
            kinds: &["RoleBinding", "ClusterRoleBinding"],
            run: rbac::csr_approval::evaluate,
        },
    },
];

/// The check with this id or name (case-insensitive id).
pub fn find_check(id_or_name: &str) -> Option<&'static Check> {
    CHECKS.iter().find(|check| {
        check.meta.id.eq_ignore_ascii_case(id_or_name) || check.meta.name == id_or_name
    })
}
