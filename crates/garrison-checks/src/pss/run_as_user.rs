//! Running as Non-root user (restricted, `runAsUser`, v1.23): neither the pod nor any container
//! may set `runAsUser: 0` (unset is allowed; `runAsNonRoot` covers it). From v1.35 a pod with its
//! own user namespace (`hostUsers: false`) is exempt.

use super::pod::PodView;
use super::text::containers_phrase;
use super::{VersionedCheck, Violation};

pub(super) const VERSIONS: &[VersionedCheck] = &[
    VersionedCheck {
        since: 23,
        check: run_as_user_v1_23,
        overrides: &[],
    },
    VersionedCheck {
        since: 35,
        check: run_as_user_v1_35,
        overrides: &[],
    },
];

fn run_as_user_v1_23(pod: &PodView<'_>) -> Option<Violation> {
    let pod_is_root = pod.security_context().and_then(|sc| sc.run_as_user) == Some(0);
    let bad: Vec<&str> = pod
        .containers()
        .filter(|c| c.security_context.and_then(|sc| sc.run_as_user) == Some(0))
        .map(|c| c.name)
        .collect();
    let setters = match (pod_is_root, bad.is_empty()) {
        (false, true) => return None,
        (true, true) => String::from("pod"),
        (false, false) => containers_phrase(&bad),
        (true, false) => format!("pod and {}", containers_phrase(&bad)),
    };
    Violation::new("runAsUser=0", format!("{setters} must not set runAsUser=0"))
}

fn run_as_user_v1_35(pod: &PodView<'_>) -> Option<Violation> {
    if pod.in_user_namespace() {
        return None;
    }
    run_as_user_v1_23(pod)
}
