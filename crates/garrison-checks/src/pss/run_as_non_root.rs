//! Running as Non-root (restricted, `runAsNonRoot`): every container must run with
//! `runAsNonRoot: true`, set on itself or inherited from the pod, and nothing may set it to
//! false. `runAsUser` greater than zero does not satisfy it. Windows pods are not exempt. From
//! v1.35 a pod with its own user namespace (`hostUsers: false`) is exempt: root inside it is not
//! root on the node.

use super::pod::PodView;
use super::text::containers_phrase;
use super::{VersionedCheck, Violation};

pub(super) const VERSIONS: &[VersionedCheck] = &[
    VersionedCheck {
        since: 0,
        check: run_as_non_root_v1_0,
        overrides: &[],
    },
    VersionedCheck {
        since: 35,
        check: run_as_non_root_v1_35,
        overrides: &[],
    },
];

fn run_as_non_root_v1_0(pod: &PodView<'_>) -> Option<Violation> {
    let pod_setting = pod.security_context().and_then(|sc| sc.run_as_non_root);
    let pod_sets_false = pod_setting == Some(false);
    let mut explicitly_bad: Vec<&str> = Vec::new();
    let mut implicitly_bad: Vec<&str> = Vec::new();
    for container in pod.containers() {
        match container.security_context.and_then(|sc| sc.run_as_non_root) {
            Some(false) => explicitly_bad.push(container.name),
            Some(true) => {}
            None if pod_setting != Some(true) => implicitly_bad.push(container.name),
            None => {}
        }
    }
    // An explicit false is reported instead of (not with) missing settings.
    if pod_sets_false || !explicitly_bad.is_empty() {
        let setters = match (pod_sets_false, explicitly_bad.is_empty()) {
            (true, true) => String::from("pod"),
            (true, false) => format!("pod and {}", containers_phrase(&explicitly_bad)),
            _ => containers_phrase(&explicitly_bad),
        };
        return Violation::new(
            "runAsNonRoot != true",
            format!("{setters} must not set securityContext.runAsNonRoot=false"),
        );
    }
    if implicitly_bad.is_empty() {
        return None;
    }
    Violation::new(
        "runAsNonRoot != true",
        format!(
            "pod or {} must set securityContext.runAsNonRoot=true",
            containers_phrase(&implicitly_bad)
        ),
    )
}

fn run_as_non_root_v1_35(pod: &PodView<'_>) -> Option<Violation> {
    if pod.in_user_namespace() {
        return None;
    }
    run_as_non_root_v1_0(pod)
}
