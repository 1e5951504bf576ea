//! AppArmor (baseline, `appArmorProfile`): the runtime's default AppArmor profile may not be
//! disabled or overridden, except with a profile installed on the node. Checked on the pod's and
//! containers' `appArmorProfile.type` (only `RuntimeDefault` and `Localhost`) and on the
//! deprecated `container.apparmor.security.beta.kubernetes.io/*` annotations (only empty,
//! `runtime/default` and `localhost/*`). The field part was added to upstream's v1.0 check
//! without a new policy version, so it applies at every version.

use super::pod::{APPARMOR_ANNOTATION_PREFIX, PodView};
use super::text::{containers_phrase, pluralize, push_go_quote, push_join_quote, sorted_set};
use super::{VersionedCheck, Violation};

pub(super) const VERSIONS: &[VersionedCheck] = &[VersionedCheck {
    since: 0,
    check: app_armor_profile_v1_0,
    overrides: &[],
}];

fn allowed_type(profile_type: &str) -> bool {
    profile_type == "RuntimeDefault" || profile_type == "Localhost"
}

fn allowed_annotation_value(value: &str) -> bool {
    value.is_empty() || value == "runtime/default" || value.starts_with("localhost/")
}

fn app_armor_profile_v1_0(pod: &PodView<'_>) -> Option<Violation> {
    let mut setters: Vec<String> = Vec::new();
    let mut bad_types: Vec<&str> = Vec::new();
    if let Some(profile) = pod
        .security_context()
        .and_then(|sc| sc.app_armor_profile.as_ref())
        && !allowed_type(&profile.type_)
    {
        setters.push(String::from("pod"));
        bad_types.push(&profile.type_);
    }
    let mut bad_containers: Vec<&str> = Vec::new();
    for container in pod.containers() {
        if let Some(profile_type) = pod.container_app_armor_type(&container)
            && !allowed_type(profile_type)
        {
            bad_containers.push(container.name);
            bad_types.push(profile_type);
        }
    }
    if !bad_containers.is_empty() {
        setters.push(containers_phrase(&bad_containers));
    }
    // Any annotation with the prefix counts, whether or not a container has that name.
    let mut bad_annotations: Vec<String> = pod
        .annotations()
        .into_iter()
        .flatten()
        .filter(|(key, value)| {
            key.starts_with(APPARMOR_ANNOTATION_PREFIX) && !allowed_annotation_value(value)
        })
        .map(|(key, value)| {
            let mut text = String::with_capacity(key.len() + value.len() + 3);
            text.push_str(key);
            text.push('=');
            push_go_quote(&mut text, value);
            text
        })
        .collect();
    if !bad_annotations.is_empty() {
        setters.push(String::from(pluralize(
            "annotation",
            "annotations",
            bad_annotations.len(),
        )));
    }
    if setters.is_empty() {
        return None;
    }
    sorted_set(&mut bad_types);
    bad_annotations.sort_unstable();
    let mut values: Vec<&str> = bad_types;
    values.extend(bad_annotations.iter().map(String::as_str));
    let mut detail = setters.join(" and ");
    detail.push_str(" must not set AppArmor profile type to ");
    push_join_quote(&mut detail, &values);
    Violation::new(
        pluralize(
            "forbidden AppArmor profile",
            "forbidden AppArmor profiles",
            values.len(),
        ),
        detail,
    )
}
