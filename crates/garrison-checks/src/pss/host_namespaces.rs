//! Host Namespaces (baseline, `hostNamespaces`): sharing the host's network, PID or IPC
//! namespace must be disallowed.

use super::pod::PodView;
use super::{VersionedCheck, Violation};

pub(super) const VERSIONS: &[VersionedCheck] = &[VersionedCheck {
    since: 0,
    check: host_namespaces_v1_0,
    overrides: &[],
}];

fn host_namespaces_v1_0(pod: &PodView<'_>) -> Option<Violation> {
    let spec = pod.spec;
    // Fixed order, only the namespaces that are shared.
    let shared = [
        (spec.host_network, "hostNetwork=true"),
        (spec.host_pid, "hostPID=true"),
        (spec.host_ipc, "hostIPC=true"),
    ];
    let mut detail = String::new();
    for (set, text) in shared {
        if set == Some(true) {
            if !detail.is_empty() {
                detail.push_str(", ");
            }
            detail.push_str(text);
        }
    }
    if detail.is_empty() {
        return None;
    }
    Violation::new("host namespaces", detail)
}
