//! Host Probes / Lifecycle Hooks (baseline, `hostProbesAndHostLifecycle`, v1.34): probes and
//! lifecycle handlers may not name a `host`, which would let the kubelet reach other hosts on
//! the pod's behalf. Unlike most checks, container names are reported sorted and deduplicated.

use k8s_openapi::api::core::v1::{HTTPGetAction, TCPSocketAction};

use super::pod::PodView;
use super::text::{containers_phrase, pluralize, push_join_quote, sorted_set};
use super::{VersionedCheck, Violation};

pub(super) const VERSIONS: &[VersionedCheck] = &[VersionedCheck {
    since: 34,
    check: host_probes_and_host_lifecycle_v1_34,
    overrides: &[],
}];

fn handler_hosts<'a>(
    http_get: Option<&'a HTTPGetAction>,
    tcp_socket: Option<&'a TCPSocketAction>,
) -> impl Iterator<Item = &'a str> {
    let http = http_get.and_then(|action| action.host.as_deref());
    let tcp = tcp_socket.and_then(|action| action.host.as_deref());
    http.into_iter().chain(tcp).filter(|host| !host.is_empty())
}

fn host_probes_and_host_lifecycle_v1_34(pod: &PodView<'_>) -> Option<Violation> {
    let mut bad_containers: Vec<&str> = Vec::new();
    let mut hosts: Vec<&str> = Vec::new();
    for container in pod.containers() {
        let before = hosts.len();
        for probe in container.probes.into_iter().flatten() {
            hosts.extend(handler_hosts(
                probe.http_get.as_ref(),
                probe.tcp_socket.as_ref(),
            ));
        }
        if let Some(lifecycle) = container.lifecycle {
            for handler in [&lifecycle.post_start, &lifecycle.pre_stop]
                .into_iter()
                .flatten()
            {
                hosts.extend(handler_hosts(
                    handler.http_get.as_ref(),
                    handler.tcp_socket.as_ref(),
                ));
            }
        }
        if hosts.len() > before {
            bad_containers.push(container.name);
        }
    }
    if bad_containers.is_empty() {
        return None;
    }
    sorted_set(&mut bad_containers);
    sorted_set(&mut hosts);
    let mut detail = containers_phrase(&bad_containers);
    detail.push(' ');
    detail.push_str(pluralize("uses", "use", bad_containers.len()));
    detail.push(' ');
    detail.push_str(pluralize(
        "probe or lifecycle host",
        "probe or lifecycle hosts",
        hosts.len(),
    ));
    detail.push(' ');
    push_join_quote(&mut detail, &hosts);
    Violation::new("probe or lifecycle host", detail)
}
