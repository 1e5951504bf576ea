//! HostProcess (baseline, `windowsHostProcess`): Windows HostProcess containers have privileged
//! access to the host, so neither the pod nor any container may set
//! `securityContext.windowsOptions.hostProcess: true`.

use k8s_openapi::api::core::v1::WindowsSecurityContextOptions;

use super::pod::PodView;
use super::text::containers_phrase;
use super::{VersionedCheck, Violation};

pub(super) const VERSIONS: &[VersionedCheck] = &[VersionedCheck {
    since: 0,
    check: windows_host_process_v1_0,
    overrides: &[],
}];

fn host_process(options: Option<&WindowsSecurityContextOptions>) -> bool {
    options.and_then(|options| options.host_process) == Some(true)
}

fn windows_host_process_v1_0(pod: &PodView<'_>) -> Option<Violation> {
    let bad: Vec<&str> = pod
        .containers()
        .filter(|c| {
            host_process(
                c.security_context
                    .and_then(|sc| sc.windows_options.as_ref()),
            )
        })
        .map(|c| c.name)
        .collect();
    let pod_sets_it = host_process(
        pod.security_context()
            .and_then(|sc| sc.windows_options.as_ref()),
    );
    let setters = match (pod_sets_it, bad.is_empty()) {
        (false, true) => return None,
        (true, true) => String::from("pod"),
        (false, false) => containers_phrase(&bad),
        (true, false) => format!("pod and {}", containers_phrase(&bad)),
    };
    Violation::new(
        "hostProcess",
        format!("{setters} must not set securityContext.windowsOptions.hostProcess=true"),
    )
}
