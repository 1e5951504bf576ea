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
    Check {
        meta: &access::authentication_mode_config_map::META,
        runner: Runner::Cluster {
            kinds: &[],
            run: access::authentication_mode_config_map::evaluate,
        },
    },
    Check {
        meta: &access::authentication_mode_not_api::META,
        runner: Runner::Cluster {
            kinds: &["ConfigMap"],
            run: access::authentication_mode_not_api::evaluate,
        },
    },
    Check {
        meta: &access::creator_admin_retained::META,
        runner: Runner::Cluster {
            kinds: &[],
            run: access::creator_admin_retained::evaluate,
        },
    },
    Check {
        meta: &access::cluster_admin_policy::META,
        runner: Runner::Cluster {
            kinds: &[],
            run: access::cluster_admin_policy::evaluate,
        },
    },
    Check {
        meta: &access::iam_user_access_entry::META,
        runner: Runner::Cluster {
            kinds: &[],
            run: access::iam_user_access_entry::evaluate,
        },
    },
    Check {
        meta: &access::broad_access_policy_scope::META,
        runner: Runner::Cluster {
            kinds: &[],
            run: access::broad_access_policy_scope::evaluate,
        },
    },
    Check {
        meta: &access::access_entry_group_admin::META,
        runner: Runner::Cluster {
            kinds: &["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"],
            run: access::access_entry_group_admin::evaluate,
        },
    },
    Check {
        meta: &network::public_endpoint_enabled::META,
        runner: Runner::Cluster {
            kinds: &[],
            run: network::public_endpoint_enabled::evaluate,
        },
    },
    Check {
        meta: &network::endpoint_open_to_internet::META,
        runner: Runner::Cluster {
            kinds: &[],
            run: network::endpoint_open_to_internet::evaluate,
        },
    },
    Check {
        meta: &network::private_endpoint_disabled::META,
        runner: Runner::Cluster {
            kinds: &[],
            run: network::private_endpoint_disabled::evaluate,
        },
    },
    Check {
        meta: &network::nodes_in_public_subnets::META,
        runner: Runner::Cluster {
            kinds: &[],
            run: network::nodes_in_public_subnets::evaluate,
        },
    },
    Check {
        meta: &network::launch_template_public_ip::META,
        runner: Runner::Cluster {
            kinds: &[],
            run: network::launch_template_public_ip::evaluate,
        },
    },
    Check {
        meta: &network::missing_vpc_endpoints::META,
        runner: Runner::Cluster {
            kinds: &[],
            run: network::missing_vpc_endpoints::evaluate,
        },
    },
    Check {
        meta: &network::vpc_endpoint_policy_open::META,
        runner: Runner::Cluster {
            kinds: &[],
            run: network::vpc_endpoint_policy_open::evaluate,
        },
    },
    Check {
        meta: &network::security_group_open_to_world::META,
        runner: Runner::Cluster {
            kinds: &[],
            run: network::security_group_open_to_world::evaluate,
        },
    },
    Check {
        meta: &logging::audit_log_disabled::META,
        runner: Runner::Cluster {
            kinds: &[],
            run: logging::audit_log_disabled::evaluate,
        },
    },
    Check {
        meta: &logging::authenticator_log_disabled::META,
        runner: Runner::Cluster {
            kinds: &[],
            run: logging::authenticator_log_disabled::evaluate,
        },
    },
    Check {
        meta: &logging::control_plane_log_types::META,
        runner: Runner::Cluster {
            kinds: &[],
            run: logging::control_plane_log_types::evaluate,
        },
    },
    Check {
        meta: &logging::log_group_retention::META,
        runner: Runner::Cluster {
            kinds: &[],
            run: logging::log_group_retention::evaluate,
        },
    },
    Check {
        meta: &logging::vpc_flow_logs::META,
        runner: Runner::Cluster {
            kinds: &[],
            run: logging::vpc_flow_logs::evaluate,
        },
    },
    Check {
        meta: &logging::cloudtrail_multi_region::META,
        runner: Runner::Cluster {
            kinds: &[],
            run: logging::cloudtrail_multi_region::evaluate,
        },
    },
    Check {
        meta: &logging::network_policy_event_logs::META,
        runner: Runner::Cluster {
            kinds: &[],
            run: logging::network_policy_event_logs::evaluate,
        },
    },
    Check {
        meta: &encryption::secrets_without_cmk::META,
        runner: Runner::Cluster {
            kinds: &[],
            run: encryption::secrets_without_cmk::evaluate,
        },
    },
    Check {
        meta: &encryption::kms_key_unusable::META,
        runner: Runner::Cluster {
            kinds: &[],
            run: encryption::kms_key_unusable::evaluate,
        },
    },
    Check {
        meta: &encryption::kms_key_rotation::META,
        runner: Runner::Cluster {
            kinds: &[],
            run: encryption::kms_key_rotation::evaluate,
        },
    },
    Check {
        meta: &encryption::node_volume_unencrypted::META,
        runner: Runner::Cluster {
            kinds: &[],
            run: encryption::node_volume_unencrypted::evaluate,
        },
    },
    Check {
        meta: &managed::version_out_of_standard_support::META,
        runner: Runner::Cluster {
            kinds: &[],
            run: managed::version_out_of_standard_support::evaluate,
        },
    },
    Check {
        meta: &managed::core_component_self_managed::META,
        runner: Runner::Cluster {
            kinds: &["DaemonSet", "Deployment"],
            run: managed::core_component_self_managed::evaluate,
        },
    },
    Check {
        meta: &managed::addon_version_outdated::META,
        runner: Runner::Cluster {
            kinds: &[],
            run: managed::addon_version_outdated::evaluate,
        },
    },
    Check {
        meta: &managed::health_issues::META,
        runner: Runner::Cluster {
            kinds: &[],
            run: managed::health_issues::evaluate,
        },
    },
    Check {
        meta: &managed::insights_failing::META,
        runner: Runner::Cluster {
            kinds: &[],
            run: managed::insights_failing::evaluate,
        },
    },
    Check {
        meta: &managed::unmanaged_nodes::META,
        runner: Runner::Cluster {
            kinds: &["Node"],
            run: managed::unmanaged_nodes::evaluate,
        },
    },
    Check {
        meta: &managed::version_skew::META,
        runner: Runner::Cluster {
            kinds: &["Node"],
            run: managed::version_skew::evaluate,
        },
    },
    Check {
        meta: &managed::deletion_protection_off::META,
        runner: Runner::Cluster {
            kinds: &[],
            run: managed::deletion_protection_off::evaluate,
        },
    },
    Check {
        meta: &guardduty::guardduty_disabled::META,
        runner: Runner::Cluster {
            kinds: &[],
            run: guardduty::guardduty_disabled::evaluate,
        },
    },
    Check {
        meta: &guardduty::eks_audit_monitoring_off::META,
        runner: Runner::Cluster {
            kinds: &[],
            run: guardduty::eks_audit_monitoring_off::evaluate,
        },
    },
    Check {
        meta: &guardduty::runtime_monitoring_off::META,
        runner: Runner::Cluster {
            kinds: &[],
            run: guardduty::runtime_monitoring_off::evaluate,
        },
    },
    Check {
        meta: &guardduty::runtime_agent_unmanaged::META,
        runner: Runner::Cluster {
            kinds: &[],
            run: guardduty::runtime_agent_unmanaged::evaluate,
        },
    },
    Check {
        meta: &guardduty::runtime_coverage_unhealthy::META,
        runner: Runner::Cluster {
            kinds: &[],
            run: guardduty::runtime_coverage_unhealthy::evaluate,
        },
    },
    Check {
        meta: &guardduty::high_severity_findings::META,
        runner: Runner::Cluster {
            kinds: &[],
            run: guardduty::high_severity_findings::evaluate,
        },
    },
    Check {
        meta: &security_hub::security_hub_disabled::META,
        runner: Runner::Cluster {
            kinds: &[],
            run: security_hub::security_hub_disabled::evaluate,
        },
    },
    Check {
        meta: &security_hub::security_controls_disabled::META,
        runner: Runner::Cluster {
            kinds: &[],
            run: security_hub::security_controls_disabled::evaluate,
        },
    },
    Check {
        meta: &security_hub::security_hub_failed_findings::META,
        runner: Runner::Cluster {
            kinds: &[],
            run: security_hub::security_hub_failed_findings::evaluate,
        },
    },
    Check {
        meta: &nodes::imdsv2_not_required::META,
        runner: Runner::Cluster {
            kinds: &["Node"],
            run: nodes::imdsv2_not_required::evaluate,
        },
    },
    Check {
        meta: &nodes::imds_hop_limit::META,
        runner: Runner::Cluster {
            kinds: &["Node"],
            run: nodes::imds_hop_limit::evaluate,
        },
    },
    Check {
        meta: &nodes::ssh_key_on_nodes::META,
        runner: Runner::Cluster {
            kinds: &[],
            run: nodes::ssh_key_on_nodes::evaluate,
        },
    },
    Check {
        meta: &nodes::remote_access_open_to_world::META,
        runner: Runner::Cluster {
            kinds: &[],
            run: nodes::remote_access_open_to_world::evaluate,
        },
    },
    Check {
        meta: &nodes::node_ssh_open_to_world::META,
        runner: Runner::Cluster {
            kinds: &[],
            run: nodes::node_ssh_open_to_world::evaluate,
        },
    },
    Check {
        meta: &nodes::node_not_ssm_managed::META,
        runner: Runner::Cluster {
            kinds: &["Node"],
            run: nodes::node_not_ssm_managed::evaluate,
        },
    },
    Check {
        meta: &nodes::user_data_secrets::META,
        runner: Runner::Cluster {
            kinds: &[],
            run: nodes::user_data_secrets::evaluate,
        },
    },
    Check {
        meta: &nodes::not_container_optimized_os::META,
        runner: Runner::Cluster {
            kinds: &[],
            run: nodes::not_container_optimized_os::evaluate,
        },
    },
    Check {
        meta: &nodes::al2_end_of_support::META,
        runner: Runner::Cluster {
            kinds: &["Node"],
            run: nodes::al2_end_of_support::evaluate,
        },
    },
    Check {
        meta: &nodes::inspector_ec2_disabled::META,
        runner: Runner::Cluster {
            kinds: &[],
            run: nodes::inspector_ec2_disabled::evaluate,
        },
    },
    Check {
        meta: &kubelet::anonymous_auth::META,
        runner: Runner::Cluster {
            kinds: &["Node"],
            run: kubelet::anonymous_auth::evaluate,
        },
    },
    Check {
        meta: &kubelet::authorization_mode::META,
        runner: Runner::Cluster {
            kinds: &["Node"],
            run: kubelet::authorization_mode::evaluate,
        },
    },
    Check {
        meta: &kubelet::client_ca_file::META,
        runner: Runner::Cluster {
            kinds: &["Node"],
            run: kubelet::client_ca_file::evaluate,
        },
    },
    Check {
        meta: &kubelet::read_only_port::META,
        runner: Runner::Cluster {
            kinds: &["Node"],
            run: kubelet::read_only_port::evaluate,
        },
    },
    Check {
        meta: &kubelet::streaming_timeout::META,
        runner: Runner::Cluster {
            kinds: &["Node"],
            run: kubelet::streaming_timeout::evaluate,
        },
    },
    Check {
        meta: &kubelet::iptables_util_chains::META,
        runner: Runner::Cluster {
            kinds: &["Node"],
            run: kubelet::iptables_util_chains::evaluate,
        },
    },
    Check {
        meta: &kubelet::event_record_qps::META,
        runner: Runner::Cluster {
            kinds: &["Node"],
            run: kubelet::event_record_qps::evaluate,
        },
    },
    Check {
        meta: &kubelet::certificate_rotation::META,
        runner: Runner::Cluster {
            kinds: &["Node"],
            run: kubelet::certificate_rotation::evaluate,
        },
    },
    Check {
        meta: &kubelet::server_certificate_rotation::META,
        runner: Runner::Cluster {
            kinds: &["Node"],
            run: kubelet::server_certificate_rotation::evaluate,
        },
    },
    Check {
        meta: &kubelet::tls_ciphers::META,
        runner: Runner::Cluster {
            kinds: &["Node"],
            run: kubelet::tls_ciphers::evaluate,
        },
    },
    Check {
        meta: &identity::oidc_provider_missing::META,
        runner: Runner::Cluster {
            kinds: &["ServiceAccount"],
            run: identity::oidc_provider_missing::evaluate,
        },
    },
    Check {
        meta: &identity::aws_node_uses_node_role::META,
        runner: Runner::Cluster {
            kinds: &["ServiceAccount", "DaemonSet"],
            run: identity::aws_node_uses_node_role::evaluate,
        },
    },
    Check {
        meta: &identity::node_role_broad::META,
        runner: Runner::Cluster {
            kinds: &[],
            run: identity::node_role_broad::evaluate,
        },
    },
    Check {
        meta: &identity::shared_workload_role::META,
        runner: Runner::Cluster {
            kinds: &["ServiceAccount"],
            run: identity::shared_workload_role::evaluate,
        },
    },
    Check {
        meta: &identity::irsa_trust_unscoped::META,
        runner: Runner::Cluster {
            kinds: &["ServiceAccount"],
            run: identity::irsa_trust_unscoped::evaluate,
        },
    },
    Check {
        meta: &identity::pod_identity_trust::META,
        runner: Runner::Cluster {
            kinds: &[],
            run: identity::pod_identity_trust::evaluate,
        },
    },
    Check {
        meta: &identity::dangling_identity::META,
        runner: Runner::Cluster {
            kinds: &["ServiceAccount"],
            run: identity::dangling_identity::evaluate,
        },
    },
    Check {
        meta: &identity::pod_identity_agent_missing::META,
        runner: Runner::Cluster {
            kinds: &["DaemonSet"],
            run: identity::pod_identity_agent_missing::evaluate,
        },
    },
    Check {
        meta: &identity::workload_role_admin::META,
        runner: Runner::Cluster {
            kinds: &["ServiceAccount"],
            run: identity::workload_role_admin::evaluate,
        },
    },
    Check {
        meta: &identity::cluster_role_broad::META,
        runner: Runner::Cluster {
            kinds: &[],
            run: identity::cluster_role_broad::evaluate,
        },
    },
    Check {
        meta: &network_policy::enforcement_disabled::META,
        runner: Runner::Cluster {
            kinds: &["DaemonSet", "ConfigMap", "NetworkPolicy"],
            run: network_policy::enforcement_disabled::evaluate,
        },
    },
    Check {
        meta: &network_policy::policies_not_enforced::META,
        runner: Runner::Cluster {
            kinds: &["DaemonSet", "ConfigMap", "NetworkPolicy"],
            run: network_policy::policies_not_enforced::evaluate,
        },
    },
    Check {
        meta: &network_policy::pod_security_groups_not_enforced::META,
        runner: Runner::Cluster {
            kinds: &["SecurityGroupPolicy", "DaemonSet"],
            run: network_policy::pod_security_groups_not_enforced::evaluate,
        },
    },
    Check {
        meta: &network_policy::pod_security_group_mode::META,
        runner: Runner::Cluster {
            kinds: &["DaemonSet", "ConfigMap", "NetworkPolicy"],
            run: network_policy::pod_security_group_mode::evaluate,
        },
    },
    Check {
        meta: &network_policy::pod_security_group_open::META,
        runner: Runner::Cluster {
            kinds: &["SecurityGroupPolicy"],
            run: network_policy::pod_security_group_open::evaluate,
        },
    },
    // NetworkPolicy coverage (garrison-netpol's analysis, built once per scan on first use).
    Check {
        meta: &network_policy::namespace_without_policy::META,
        runner: Runner::Objects {
            kinds: &["Namespace"],
            run: network_policy::namespace_without_policy::evaluate,
        },
    },
    Check {
        meta: &network_policy::namespace_default_deny::META,
        runner: Runner::Objects {
            kinds: &["Namespace"],
            run: network_policy::namespace_default_deny::evaluate,
        },
    },
    Check {
        meta: &network_policy::dns_egress_blocked::META,
        runner: Runner::Workload(network_policy::dns_egress_blocked::evaluate),
    },
    Check {
        meta: &network_policy::allow_all_policy::META,
        runner: Runner::Objects {
            kinds: &["NetworkPolicy"],
            run: network_policy::allow_all_policy::evaluate,
        },
    },
    Check {
        meta: &network_policy::metadata_egress::META,
        runner: Runner::Workload(network_policy::metadata_egress::evaluate),
    },
    Check {
        meta: &network_policy::policy_selects_nothing::META,
        runner: Runner::Objects {
            // The admin policies are read for the model; the check judges NetworkPolicies.
            kinds: &[
                "NetworkPolicy",
                "AdminNetworkPolicy",
                "BaselineAdminNetworkPolicy",
            ],
            run: network_policy::policy_selects_nothing::evaluate,
        },
    },
    Check {
        meta: &network_policy::workload_open_ingress::META,
        runner: Runner::Workload(network_policy::workload_open_ingress::evaluate),
    },
    Check {
        meta: &auto_mode::capabilities_inconsistent::META,
        runner: Runner::Cluster {
            kinds: &[],
            run: auto_mode::capabilities_inconsistent::evaluate,
        },
    },
    Check {
        meta: &auto_mode::node_role_broad::META,
        runner: Runner::Cluster {
            kinds: &[],
            run: auto_mode::node_role_broad::evaluate,
        },
    },
    Check {
        meta: &auto_mode::nodeclass_public_ip::META,
        runner: Runner::Cluster {
            kinds: &["NodeClass"],
            run: auto_mode::nodeclass_public_ip::evaluate,
        },
    },
    Check {
        meta: &auto_mode::network_policy_off::META,
        runner: Runner::Cluster {
            kinds: &["ConfigMap", "DaemonSet"],
            run: auto_mode::network_policy_off::evaluate,
        },
    },
    Check {
        meta: &auto_mode::nodeclass_storage_without_cmk::META,
        runner: Runner::Cluster {
            kinds: &["NodeClass"],
            run: auto_mode::nodeclass_storage_without_cmk::evaluate,
        },
    },
    Check {
        meta: &auto_mode::nodepool_unbounded_lifetime::META,
        runner: Runner::Cluster {
            kinds: &["NodePool"],
            run: auto_mode::nodepool_unbounded_lifetime::evaluate,
        },
    },
    Check {
        meta: &attack_paths::public_endpoint_to_system_masters::META,
        runner: Runner::Cluster {
            kinds: &["ConfigMap"],
            run: attack_paths::public_endpoint_to_system_masters::evaluate,
        },
    },
    Check {
        meta: &attack_paths::pods_reach_node_role::META,
        runner: Runner::Cluster {
            kinds: &["NetworkPolicy", "DaemonSet", "ConfigMap"],
            run: attack_paths::pods_reach_node_role::evaluate,
        },
    },
    Check {
        meta: &access::aws_auth_foreign_principals::META,
        runner: Runner::Cluster {
            kinds: &["ConfigMap"],
            run: access::aws_auth_foreign_principals::evaluate,
        },
    },
    Check {
        meta: &access::stale_access_entry::META,
        runner: Runner::Cluster {
            kinds: &[],
            run: access::stale_access_entry::evaluate,
        },
    },
    Check {
        meta: &access::oidc_provider_without_prefixes::META,
        runner: Runner::Cluster {
            kinds: &[],
            run: access::oidc_provider_without_prefixes::evaluate,
        },
    },
    Check {
        meta: &encryption::ebs_storage_class_unencrypted::META,
        runner: Runner::Cluster {
            kinds: &["StorageClass"],
            run: encryption::ebs_storage_class_unencrypted::evaluate,
        },
    },
    Check {
        meta: &managed::nodes_not_recycled::META,
        runner: Runner::Cluster {
            kinds: &["Node"],
            run: managed::nodes_not_recycled::evaluate,
        },
    },
    Check {
        meta: &encryption::efs_without_tls::META,
        runner: Runner::Cluster {
            kinds: &["PersistentVolume"],
            run: encryption::efs_without_tls::evaluate,
        },
    },
    Check {
        meta: &encryption::efs_without_access_point::META,
        runner: Runner::Cluster {
            kinds: &["PersistentVolume"],
            run: encryption::efs_without_access_point::evaluate,
        },
    },
    Check {
        meta: &encryption::no_external_secret_store::META,
        runner: Runner::Cluster {
            kinds: &[
                "SecretProviderClass",
                "ExternalSecret",
                "SecretStore",
                "ClusterSecretStore",
            ],
            run: encryption::no_external_secret_store::evaluate,
        },
    },
    Check {
        meta: &nodes::session_logging_off::META,
        runner: Runner::Cluster {
            kinds: &[],
            run: nodes::session_logging_off::evaluate,
        },
    },
    Check {
        meta: &encryption::no_private_ca_issuer::META,
        runner: Runner::Cluster {
            kinds: encryption::no_private_ca_issuer::KINDS,
            run: encryption::no_private_ca_issuer::evaluate,
        },
    },
    Check {
        meta: &nodes::fips_not_used::META,
        runner: Runner::Cluster {
            kinds: &["NodeClass"],
            run: nodes::fips_not_used::evaluate,
        },
    },
    Check {
        meta: &nodes::untrusted_workloads_not_isolated::META,
        runner: Runner::Cluster {
            kinds: &["Node"],
            run: nodes::untrusted_workloads_not_isolated::evaluate,
        },
    },
    Check {
        meta: &kubelet::file_permissions::META,
        runner: Runner::Cluster {
            kinds: &["Node"],
            run: kubelet::file_permissions::evaluate,
        },
    },
    Check {
        meta: &kubelet::file_ownership::META,
        runner: Runner::Cluster {
            kinds: &["Node"],
            run: kubelet::file_ownership::evaluate,
        },
    },
    // Image-security rows of the catalogue that read the snapshot's AWS documents.
    Check {
        meta: &images::image_repository_without_lifecycle_policy::META,
        runner: Runner::Workload(images::image_repository_without_lifecycle_policy::evaluate),
    },
    Check {
        meta: &images::image_repository_policy_public::META,
        runner: Runner::Workload(images::image_repository_policy_public::evaluate),
    },
    Check {
        meta: &images::signature_verification_missing::META,
        runner: Runner::Cluster {
            kinds: images::signature_verification_missing::KINDS,
            run: images::signature_verification_missing::evaluate,
        },
    },
    Check {
        meta: &images::inspector_ecr_disabled::META,
        runner: Runner::Cluster {
            kinds: &[],
            run: images::inspector_ecr_disabled::evaluate,
        },
    },
];

/// The check with this id or name (case-insensitive id).
pub fn find_check(id_or_name: &str) -> Option<&'static Check> {
    CHECKS.iter().find(|check| {
        check.meta.id.eq_ignore_ascii_case(id_or_name) || check.meta.name == id_or_name
    })
}
