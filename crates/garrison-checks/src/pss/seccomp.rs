//! Seccomp. Baseline (`seccompProfile_baseline`): the seccomp profile may not be explicitly set
//! to anything but the runtime default or a localhost profile. Up to v1.18 that is read from the
//! alpha annotations only, from v1.19 from the `seccompProfile` fields only. Restricted
//! (`seccompProfile_restricted`, from v1.19, replacing the baseline check): every container must
//! end up with `RuntimeDefault` or `Localhost`, set on itself or inherited from the pod; Windows
//! pods are exempt from v1.25.

use k8s_openapi::api::core::v1::SeccompProfile;

use super::pod::PodView;
use super::text::{containers_phrase, pluralize, push_go_quote, push_join_quote, sorted_set};
use super::{PssCheckId, VersionedCheck, Violation};

pub(super) const BASELINE_VERSIONS: &[VersionedCheck] = &[
    VersionedCheck {
        since: 0,
        check: seccomp_baseline_v1_0,
        overrides: &[],
    },
    VersionedCheck {
        since: 19,
        check: seccomp_baseline_v1_19,
        overrides: &[],
    },
];

pub(super) const RESTRICTED_VERSIONS: &[VersionedCheck] = &[
    VersionedCheck {
        since: 19,
        check: seccomp_restricted_v1_19,
        overrides: &[PssCheckId::SeccompProfileBaseline],
    },
    VersionedCheck {
        since: 25,
        check: seccomp_restricted_v1_25,
        overrides: &[PssCheckId::SeccompProfileBaseline],
    },
];

const POD_ANNOTATION: &str = "seccomp.security.alpha.kubernetes.io/pod";
const CONTAINER_ANNOTATION_PREFIX: &str = "container.seccomp.security.alpha.kubernetes.io/";

fn valid_annotation_value(value: &str) -> bool {
    value == "runtime/default" || value == "docker/default" || value.starts_with("localhost/")
}

fn valid_type(profile: &SeccompProfile) -> bool {
    profile.type_ == "RuntimeDefault" || profile.type_ == "Localhost"
}

/// `key="value"` with the value quoted as Go's `%q` does.
fn annotation_text(key: &str, container: Option<&str>, value: &str) -> String {
    let mut text = String::with_capacity(key.len() + value.len() + 16);
    text.push_str(key);
    if let Some(container) = container {
        text.push_str(container);
    }
    text.push('=');
    push_go_quote(&mut text, value);
    text
}

fn seccomp_baseline_v1_0(pod: &PodView<'_>) -> Option<Violation> {
    let annotations = pod.annotations()?;
    let mut forbidden: Vec<String> = Vec::new();
    // Present but empty is not a valid value either.
    if let Some(value) = annotations.get(POD_ANNOTATION)
        && !valid_annotation_value(value)
    {
        forbidden.push(annotation_text(POD_ANNOTATION, None, value));
    }
    for container in pod.containers() {
        if let Some(value) = pod.container_annotation(CONTAINER_ANNOTATION_PREFIX, container.name)
            && !valid_annotation_value(value)
        {
            forbidden.push(annotation_text(
                CONTAINER_ANNOTATION_PREFIX,
                Some(container.name),
                value,
            ));
        }
    }
    if forbidden.is_empty() {
        return None;
    }
    sorted_set(&mut forbidden);
    Violation::new(
        "seccompProfile",
        format!(
            "forbidden {} {}",
            pluralize("annotation", "annotations", forbidden.len()),
            forbidden.join(", ")
        ),
    )
}

/// Who set a forbidden profile type, and which types: shared by baseline and restricted.
struct ExplicitlyBad<'a> {
    pod: bool,
    containers: Vec<&'a str>,
    types: Vec<&'a str>,
}

impl ExplicitlyBad<'_> {
    fn violation(mut self) -> Option<Violation> {
        if !self.pod && self.containers.is_empty() {
            return None;
        }
        let mut detail = String::new();
        if self.pod {
            detail.push_str("pod");
        }
        if !self.containers.is_empty() {
            if self.pod {
                detail.push_str(" and ");
            }
            detail.push_str(&containers_phrase(&self.containers));
        }
        detail.push_str(" must not set securityContext.seccompProfile.type to ");
        sorted_set(&mut self.types);
        push_join_quote(&mut detail, &self.types);
        Violation::new("seccompProfile", detail)
    }
}

fn seccomp_baseline_v1_19(pod: &PodView<'_>) -> Option<Violation> {
    let mut bad = ExplicitlyBad {
        pod: false,
        containers: Vec::new(),
        types: Vec::new(),
    };
    if let Some(profile) = pod
        .security_context()
        .and_then(|sc| sc.seccomp_profile.as_ref())
        && !valid_type(profile)
    {
        bad.pod = true;
        bad.types.push(&profile.type_);
    }
    for container in pod.containers() {
        if let Some(profile) = container
            .security_context
            .and_then(|sc| sc.seccomp_profile.as_ref())
            && !valid_type(profile)
        {
            bad.containers.push(container.name);
            bad.types.push(&profile.type_);
        }
    }
    bad.violation()
}

fn seccomp_restricted_v1_19(pod: &PodView<'_>) -> Option<Violation> {
    let mut bad = ExplicitlyBad {
        pod: false,
        containers: Vec::new(),
        types: Vec::new(),
    };
    let mut pod_profile_valid = false;
    if let Some(profile) = pod
        .security_context()
        .and_then(|sc| sc.seccomp_profile.as_ref())
    {
        if valid_type(profile) {
            pod_profile_valid = true;
        } else {
            bad.pod = true;
            bad.types.push(&profile.type_);
        }
    }
    // Containers with no profile of their own and no valid pod profile to inherit.
    let mut implicitly_bad: Vec<&str> = Vec::new();
    for container in pod.containers() {
        match container
            .security_context
            .and_then(|sc| sc.seccomp_profile.as_ref())
        {
            Some(profile) if !valid_type(profile) => {
                bad.containers.push(container.name);
                bad.types.push(&profile.type_);
            }
            Some(_) => {}
            None if !pod_profile_valid => implicitly_bad.push(container.name),
            None => {}
        }
    }
    // An explicit bad value is reported instead of (not with) missing ones.
    if let Some(violation) = bad.violation() {
        return Some(violation);
    }
    if implicitly_bad.is_empty() {
        return None;
    }
    Violation::new(
        "seccompProfile",
        format!(
            r#"pod or {} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost""#,
            containers_phrase(&implicitly_bad)
        ),
    )
}

/// Windows has no seccomp.
fn seccomp_restricted_v1_25(pod: &PodView<'_>) -> Option<Violation> {
    if pod.is_windows() {
        return None;
    }
    seccomp_restricted_v1_19(pod)
}
