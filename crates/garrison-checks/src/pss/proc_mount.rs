//! /proc Mount Type. Baseline (`procMount`): the default /proc masks must be kept, so
//! `securityContext.procMount` may only be unset or `Default`; from v1.35 any value is allowed
//! in a pod with its own user namespace (`hostUsers: false`). Restricted
//! (`procMount_restricted`, v1.35) keeps the unconditional rule and replaces the baseline check.

use super::pod::PodView;
use super::text::{containers_phrase, push_join_quote, sorted_set};
use super::{PssCheckId, VersionedCheck, Violation};

pub(super) const BASELINE_VERSIONS: &[VersionedCheck] = &[
    VersionedCheck {
        since: 0,
        check: proc_mount_v1_0,
        overrides: &[],
    },
    VersionedCheck {
        since: 35,
        check: proc_mount_baseline_v1_35,
        overrides: &[],
    },
];

pub(super) const RESTRICTED_VERSIONS: &[VersionedCheck] = &[VersionedCheck {
    since: 35,
    check: proc_mount_v1_0,
    overrides: &[PssCheckId::ProcMount],
}];

fn proc_mount_v1_0(pod: &PodView<'_>) -> Option<Violation> {
    let mut bad_containers: Vec<&str> = Vec::new();
    let mut forbidden: Vec<&str> = Vec::new();
    for container in pod.containers() {
        let Some(proc_mount) = container
            .security_context
            .and_then(|sc| sc.proc_mount.as_deref())
        else {
            continue;
        };
        if proc_mount != "Default" {
            bad_containers.push(container.name);
            forbidden.push(proc_mount);
        }
    }
    if bad_containers.is_empty() {
        return None;
    }
    sorted_set(&mut forbidden);
    let mut detail = containers_phrase(&bad_containers);
    detail.push_str(" must not set securityContext.procMount to ");
    push_join_quote(&mut detail, &forbidden);
    Violation::new("procMount", detail)
}

/// Unmasked /proc inside a user namespace exposes only what the namespace owns.
fn proc_mount_baseline_v1_35(pod: &PodView<'_>) -> Option<Violation> {
    if pod.in_user_namespace() {
        return None;
    }
    proc_mount_v1_0(pod)
}
