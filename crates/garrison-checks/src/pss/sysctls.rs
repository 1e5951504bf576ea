//! Sysctls (baseline, `sysctls`): only the namespaced sysctls known to be safe may be set in
//! `spec.securityContext.sysctls`. The allow-list grows with the policy version.

use super::pod::PodView;
use super::{VersionedCheck, Violation};

pub(super) const VERSIONS: &[VersionedCheck] = &[
    VersionedCheck {
        since: 0,
        check: sysctls_v1_0,
        overrides: &[],
    },
    VersionedCheck {
        since: 27,
        check: sysctls_v1_27,
        overrides: &[],
    },
    VersionedCheck {
        since: 29,
        check: sysctls_v1_29,
        overrides: &[],
    },
    VersionedCheck {
        since: 32,
        check: sysctls_v1_32,
        overrides: &[],
    },
    VersionedCheck {
        since: 37,
        check: sysctls_v1_37,
        overrides: &[],
    },
];

const ALLOWED_V1_0: &[&str] = &[
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_unprivileged_port_start",
];
const ADDED_V1_27: &[&str] = &["net.ipv4.ip_local_reserved_ports"];
const ADDED_V1_29: &[&str] = &[
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
];
const ADDED_V1_32: &[&str] = &["net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"];
const ADDED_V1_37: &[&str] = &[
    "net.ipv4.tcp_slow_start_after_idle",
    "net.ipv4.tcp_notsent_lowat",
];

fn sysctls_v1_0(pod: &PodView<'_>) -> Option<Violation> {
    forbidden_sysctls(pod, &[ALLOWED_V1_0])
}

fn sysctls_v1_27(pod: &PodView<'_>) -> Option<Violation> {
    forbidden_sysctls(pod, &[ALLOWED_V1_0, ADDED_V1_27])
}

fn sysctls_v1_29(pod: &PodView<'_>) -> Option<Violation> {
    forbidden_sysctls(pod, &[ALLOWED_V1_0, ADDED_V1_27, ADDED_V1_29])
}

fn sysctls_v1_32(pod: &PodView<'_>) -> Option<Violation> {
    forbidden_sysctls(pod, &[ALLOWED_V1_0, ADDED_V1_27, ADDED_V1_29, ADDED_V1_32])
}

fn sysctls_v1_37(pod: &PodView<'_>) -> Option<Violation> {
    forbidden_sysctls(
        pod,
        &[
            ALLOWED_V1_0,
            ADDED_V1_27,
            ADDED_V1_29,
            ADDED_V1_32,
            ADDED_V1_37,
        ],
    )
}

/// Names match exactly; forbidden ones are reported in spec order, duplicates included.
fn forbidden_sysctls(pod: &PodView<'_>, allowed: &[&[&str]]) -> Option<Violation> {
    let sysctls = pod
        .security_context()
        .and_then(|sc| sc.sysctls.as_deref())
        .unwrap_or_default();
    let forbidden: Vec<&str> = sysctls
        .iter()
        .map(|sysctl| sysctl.name.as_str())
        .filter(|name| !allowed.iter().any(|list| list.contains(name)))
        .collect();
    if forbidden.is_empty() {
        return None;
    }
    Violation::new("forbidden sysctls", forbidden.join(", "))
}
