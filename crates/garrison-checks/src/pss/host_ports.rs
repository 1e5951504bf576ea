//! Host Ports (baseline, `hostPorts`): no container may bind a host port. A pod with
//! `hostNetwork: true` gets `hostPort = containerPort` from API defaulting (see `pod.rs`).

use super::pod::PodView;
use super::text::{containers_phrase, pluralize, sorted_set};
use super::{VersionedCheck, Violation};

pub(super) const VERSIONS: &[VersionedCheck] = &[VersionedCheck {
    since: 0,
    check: host_ports_v1_0,
    overrides: &[],
}];

fn host_ports_v1_0(pod: &PodView<'_>) -> Option<Violation> {
    let mut bad_containers: Vec<&str> = Vec::new();
    let mut ports: Vec<i32> = Vec::new();
    for container in pod.containers() {
        let before = ports.len();
        ports.extend(
            container
                .ports
                .iter()
                .map(|port| pod.host_port(&container, port))
                .filter(|&host_port| host_port != 0),
        );
        if ports.len() > before {
            bad_containers.push(container.name);
        }
    }
    if bad_containers.is_empty() {
        return None;
    }
    // Upstream collects the ports in a string set, so they are sorted as text ("10" < "9").
    let mut port_texts: Vec<String> = ports.iter().map(i32::to_string).collect();
    sorted_set(&mut port_texts);
    Violation::new(
        "hostPort",
        format!(
            "{} {} {} {}",
            containers_phrase(&bad_containers),
            pluralize("uses", "use", bad_containers.len()),
            pluralize("hostPort", "hostPorts", port_texts.len()),
            port_texts.join(", ")
        ),
    )
}
