//! Privileged Containers (baseline, `privileged`): privileged mode disables most security
//! mechanisms, so no container may set `securityContext.privileged: true`.

use super::pod::PodView;
use super::text::containers_phrase;
use super::{VersionedCheck, Violation};

pub(super) const VERSIONS: &[VersionedCheck] = &[VersionedCheck {
    since: 0,
    check: privileged_v1_0,
    overrides: &[],
}];

fn privileged_v1_0(pod: &PodView<'_>) -> Option<Violation> {
    let bad: Vec<&str> = pod
        .containers()
        .filter(|c| c.security_context.and_then(|sc| sc.privileged) == Some(true))
        .map(|c| c.name)
        .collect();
    if bad.is_empty() {
        return None;
    }
    Violation::new(
        "privileged",
        format!(
            "{} must not set securityContext.privileged=true",
            containers_phrase(&bad)
        ),
    )
}
