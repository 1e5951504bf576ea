//! SELinux (baseline, `seLinuxOptions`): the SELinux type may only be one of the container
//! types, and a custom user or role may not be set, on the pod or any container. v1.31 adds
//! `container_engine_t` to the allowed types.

use k8s_openapi::api::core::v1::SELinuxOptions;

use super::pod::PodView;
use super::text::{containers_phrase, pluralize, push_join_quote, sorted_set};
use super::{VersionedCheck, Violation};

pub(super) const VERSIONS: &[VersionedCheck] = &[
    VersionedCheck {
        since: 0,
        check: selinux_options_v1_0,
        overrides: &[],
    },
    VersionedCheck {
        since: 31,
        check: selinux_options_v1_31,
        overrides: &[],
    },
];

const ALLOWED_TYPES_V1_0: &[&str] = &["", "container_t", "container_init_t", "container_kvm_t"];
const ALLOWED_TYPES_V1_31: &[&str] = &[
    "",
    "container_t",
    "container_init_t",
    "container_kvm_t",
    "container_engine_t",
];

fn selinux_options_v1_0(pod: &PodView<'_>) -> Option<Violation> {
    selinux_options(pod, ALLOWED_TYPES_V1_0)
}

fn selinux_options_v1_31(pod: &PodView<'_>) -> Option<Violation> {
    selinux_options(pod, ALLOWED_TYPES_V1_31)
}

#[derive(Default)]
struct Findings<'a> {
    bad_types: Vec<&'a str>,
    user_set: bool,
    role_set: bool,
}

impl<'a> Findings<'a> {
    /// Records what is wrong with `options`; true when something is.
    fn inspect(&mut self, options: &'a SELinuxOptions, allowed_types: &[&str]) -> bool {
        let mut valid = true;
        let selinux_type = options.type_.as_deref().unwrap_or_default();
        if !allowed_types.contains(&selinux_type) {
            valid = false;
            self.bad_types.push(selinux_type);
        }
        if options.user.as_deref().is_some_and(|user| !user.is_empty()) {
            valid = false;
            self.user_set = true;
        }
        if options.role.as_deref().is_some_and(|role| !role.is_empty()) {
            valid = false;
            self.role_set = true;
        }
        valid
    }
}

fn selinux_options(pod: &PodView<'_>, allowed_types: &[&str]) -> Option<Violation> {
    let mut findings = Findings::default();
    let pod_bad = pod
        .security_context()
        .and_then(|sc| sc.se_linux_options.as_ref())
        .is_some_and(|options| !findings.inspect(options, allowed_types));
    let mut bad_containers: Vec<&str> = Vec::new();
    for container in pod.containers() {
        if let Some(options) = container
            .security_context
            .and_then(|sc| sc.se_linux_options.as_ref())
            && !findings.inspect(options, allowed_types)
        {
            bad_containers.push(container.name);
        }
    }
    if !pod_bad && bad_containers.is_empty() {
        return None;
    }
    let mut detail = String::new();
    if pod_bad {
        detail.push_str("pod");
    }
    if !bad_containers.is_empty() {
        if pod_bad {
            detail.push_str(" and ");
        }
        detail.push_str(&containers_phrase(&bad_containers));
    }
    detail.push_str(" set forbidden securityContext.seLinuxOptions: ");
    let mut parts = 0;
    let mut separate = |detail: &mut String| {
        if parts > 0 {
            detail.push_str("; ");
        }
        parts += 1;
    };
    if !findings.bad_types.is_empty() {
        sorted_set(&mut findings.bad_types);
        separate(&mut detail);
        detail.push_str(pluralize("type", "types", findings.bad_types.len()));
        detail.push(' ');
        push_join_quote(&mut detail, &findings.bad_types);
    }
    if findings.user_set {
        separate(&mut detail);
        detail.push_str("user may not be set");
    }
    if findings.role_set {
        separate(&mut detail);
        detail.push_str("role may not be set");
    }
    Violation::new("seLinuxOptions", detail)
}
