//! Privilege Escalation (restricted, `allowPrivilegeEscalation`, v1.8): every container must
//! set `securityContext.allowPrivilegeEscalation: false` explicitly. Windows pods are exempt from
//! v1.25 (the field does not exist there).

use super::pod::PodView;
use super::text::containers_phrase;
use super::{VersionedCheck, Violation};

pub(super) const VERSIONS: &[VersionedCheck] = &[
    VersionedCheck {
        since: 8,
        check: allow_privilege_escalation_v1_8,
        overrides: &[],
    },
    VersionedCheck {
        since: 25,
        check: allow_privilege_escalation_v1_25,
        overrides: &[],
    },
];

fn allow_privilege_escalation_v1_8(pod: &PodView<'_>) -> Option<Violation> {
    let bad: Vec<&str> = pod
        .containers()
        .filter(|c| {
            c.security_context
                .and_then(|sc| sc.allow_privilege_escalation)
                != Some(false)
        })
        .map(|c| c.name)
        .collect();
    if bad.is_empty() {
        return None;
    }
    Violation::new(
        "allowPrivilegeEscalation != false",
        format!(
            "{} must set securityContext.allowPrivilegeEscalation=false",
            containers_phrase(&bad)
        ),
    )
}

fn allow_privilege_escalation_v1_25(pod: &PodView<'_>) -> Option<Violation> {
    if pod.is_windows() {
        return None;
    }
    allow_privilege_escalation_v1_8(pod)
}
