//! Capabilities. Baseline (`capabilities_baseline`): adding capabilities beyond the container
//! runtime's default set is forbidden (`NET_RAW` is not in it). Restricted
//! (`capabilities_restricted`, from v1.22, replacing the baseline check): every container must
//! drop `ALL` and may add back only `NET_BIND_SERVICE`; Windows pods are exempt from v1.25.
//! Names are compared exactly: upstream accepts neither `CAP_` prefixes nor other cases.

use super::pod::PodView;
use super::text::{containers_phrase, push_join_quote, sorted_set};
use super::{PssCheckId, VersionedCheck, Violation};

pub(super) const BASELINE_VERSIONS: &[VersionedCheck] = &[VersionedCheck {
    since: 0,
    check: capabilities_baseline_v1_0,
    overrides: &[],
}];

pub(super) const RESTRICTED_VERSIONS: &[VersionedCheck] = &[
    VersionedCheck {
        since: 22,
        check: capabilities_restricted_v1_22,
        overrides: &[PssCheckId::CapabilitiesBaseline],
    },
    VersionedCheck {
        since: 25,
        check: capabilities_restricted_v1_25,
        overrides: &[PssCheckId::CapabilitiesBaseline],
    },
];

/// The container runtimes' default capability set.
const DEFAULT_CAPABILITIES: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

fn capabilities_baseline_v1_0(pod: &PodView<'_>) -> Option<Violation> {
    let mut bad_containers: Vec<&str> = Vec::new();
    let mut forbidden: Vec<&str> = Vec::new();
    for container in pod.containers() {
        let Some(capabilities) = container
            .security_context
            .and_then(|sc| sc.capabilities.as_ref())
        else {
            continue;
        };
        let before = forbidden.len();
        forbidden.extend(
            capabilities
                .add
                .iter()
                .flatten()
                .map(String::as_str)
                .filter(|capability| !DEFAULT_CAPABILITIES.contains(capability)),
        );
        if forbidden.len() > before {
            bad_containers.push(container.name);
        }
    }
    if bad_containers.is_empty() {
        return None;
    }
    sorted_set(&mut forbidden);
    Violation::new(
        "non-default capabilities",
        must_not_add(&bad_containers, &forbidden),
    )
}

fn capabilities_restricted_v1_22(pod: &PodView<'_>) -> Option<Violation> {
    let mut missing_drop_all: Vec<&str> = Vec::new();
    let mut adding_forbidden: Vec<&str> = Vec::new();
    let mut forbidden: Vec<&str> = Vec::new();
    for container in pod.containers() {
        let Some(capabilities) = container
            .security_context
            .and_then(|sc| sc.capabilities.as_ref())
        else {
            missing_drop_all.push(container.name);
            continue;
        };
        if !capabilities.drop.iter().flatten().any(|c| c == "ALL") {
            missing_drop_all.push(container.name);
        }
        let before = forbidden.len();
        forbidden.extend(
            capabilities
                .add
                .iter()
                .flatten()
                .map(String::as_str)
                .filter(|capability| *capability != "NET_BIND_SERVICE"),
        );
        if forbidden.len() > before {
            adding_forbidden.push(container.name);
        }
    }
    if missing_drop_all.is_empty() && adding_forbidden.is_empty() {
        return None;
    }
    let mut detail = String::new();
    if !missing_drop_all.is_empty() {
        detail.push_str(&containers_phrase(&missing_drop_all));
        detail.push_str(r#" must set securityContext.capabilities.drop=["ALL"]"#);
    }
    if !adding_forbidden.is_empty() {
        if !detail.is_empty() {
            detail.push_str("; ");
        }
        sorted_set(&mut forbidden);
        detail.push_str(&must_not_add(&adding_forbidden, &forbidden));
    }
    Violation::new("unrestricted capabilities", detail)
}

/// Pod validation rejects capabilities on Windows pods, so there is nothing to drop.
fn capabilities_restricted_v1_25(pod: &PodView<'_>) -> Option<Violation> {
    if pod.is_windows() {
        return None;
    }
    capabilities_restricted_v1_22(pod)
}

fn must_not_add(containers: &[&str], capabilities: &[&str]) -> String {
    let mut detail = containers_phrase(containers);
    detail.push_str(" must not include ");
    push_join_quote(&mut detail, capabilities);
    detail.push_str(" in securityContext.capabilities.add");
    detail
}
