//! Pod and container security settings (the ground Pod Security Standards cover).

pub mod capabilities_added;
pub mod capabilities_not_dropped;
pub mod container_runtime_socket;
pub mod host_ipc;
pub mod host_network;
pub mod host_path_volume;
pub mod host_pid;
pub mod host_port;
pub mod missing_resource_limits;
pub mod namespace_without_pss_labels;
pub mod privilege_escalation_allowed;
pub mod privileged_container;
pub mod pss_enforce_violation;
pub mod pss_restricted_violation;
pub mod runs_as_root;
pub mod seccomp_unconfined;
pub mod writable_root_filesystem;
