//! HostPath Volumes (baseline, `hostPathVolumes`): no volume may mount a host path. At the
//! restricted level `restrictedVolumes` replaces this check (it forbids hostPath too).

use super::pod::PodView;
use super::text::{pluralize, push_join_quote};
use super::{VersionedCheck, Violation};

pub(super) const VERSIONS: &[VersionedCheck] = &[VersionedCheck {
    since: 0,
    check: host_path_volumes_v1_0,
    overrides: &[],
}];

fn host_path_volumes_v1_0(pod: &PodView<'_>) -> Option<Violation> {
    let bad: Vec<&str> = pod
        .volumes()
        .iter()
        .filter(|volume| volume.host_path.is_some())
        .map(|volume| volume.name.as_str())
        .collect();
    if bad.is_empty() {
        return None;
    }
    let mut detail = String::from(pluralize("volume", "volumes", bad.len()));
    detail.push(' ');
    push_join_quote(&mut detail, &bad);
    Violation::new("hostPath volumes", detail)
}
