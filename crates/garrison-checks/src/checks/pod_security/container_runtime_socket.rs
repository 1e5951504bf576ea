use garrison_core::{Level, Object, SeedControl, Severity, Workload};

use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// Reports workloads that mount a container runtime socket from the node through `hostPath`:
    /// `/var/run/docker.sock`, `/run/containerd/containerd.sock` (the path EKS AMIs and
    /// Bottlerocket use), `/var/run/containerd/containerd.sock`, `/var/run/crio/crio.sock`, or a
    /// directory that contains one (`/run`, `/var/run`, `/run/containerd`, `/var/run/containerd`,
    /// `/var/run/crio`, `/run/crio`).
    ///
    /// ## Why it matters
    /// Whoever talks to the runtime socket can start a privileged container on the node with the
    /// node's root filesystem mounted: full control of the node and every pod on it. Checking
    /// only `docker.sock` misses containerd, which is what EKS runs; checking only file paths
    /// misses mounts of the parent directory.
    ///
    /// ## How to fix
    /// Do not mount the runtime socket. Build images with a daemonless builder (BuildKit rootless,
    /// kaniko) and read container metadata from the Kubernetes API instead.
    ///
    /// ## References
    /// - EKS Best Practices Guide, Pod Security: never run Docker in Docker or mount the socket
    /// - MITRE ATT&CK for Containers: Container Administration Command
    pub static META = CheckMeta {
        id: "EKS-PSS-012",
        name: "container-runtime-socket-mounted",
        title: "Container runtime socket mounted",
        severity: Severity::Critical,
        level: Level::Application,
        control: SeedControl::PodSecurity,
        cis: None,
        security_hub: None,
        pss: Some("hostPathVolumes"),
        remediation: "Remove the hostPath volume that exposes the container runtime socket.",
    };
}

const SOCKETS: &[&str] = &[
    "/var/run/docker.sock",
    "/run/docker.sock",
    "/run/containerd/containerd.sock",
    "/var/run/containerd/containerd.sock",
    "/var/run/crio/crio.sock",
    "/run/crio/crio.sock",
    "/var/run/cri-dockerd.sock",
];

/// Whether `path` is a runtime socket or a directory above one (`/` included).
fn exposes_socket(path: &str) -> Option<&'static str> {
    let normalized = path.trim_end_matches('/');
    SOCKETS.iter().copied().find(|socket| {
        *socket == normalized
            || normalized.is_empty()
            || socket
                .strip_prefix(normalized)
                .is_some_and(|rest| rest.starts_with('/'))
    })
}

pub fn evaluate(_: &Context<'_>, workload: &Workload, _: &Object) -> Vec<Outcome> {
    workload
        .spec
        .volumes
        .iter()
        .flatten()
        .enumerate()
        .filter_map(|(index, volume)| {
            let host_path = volume.host_path.as_ref()?;
            let socket = exposes_socket(&host_path.path)?;
            let message = if socket == host_path.path.trim_end_matches('/') {
                format!(
                    "volume \"{}\" mounts the runtime socket {socket}",
                    volume.name
                )
            } else {
                format!(
                    "volume \"{}\" mounts {}, which contains the runtime socket {socket}",
                    volume.name, host_path.path
                )
            };
            Some(Outcome::fail(
                workload.pointer(&format!("volumes/{index}/hostPath/path")),
                message,
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::exposes_socket;

    #[test]
    fn recognises_sockets_and_their_parents() {
        assert!(exposes_socket("/run/containerd/containerd.sock").is_some());
        assert!(exposes_socket("/run/containerd").is_some());
        assert!(exposes_socket("/var/run/").is_some());
        assert!(exposes_socket("/").is_some());
        assert!(exposes_socket("/var/lib/kubelet").is_none());
        assert!(exposes_socket("/run/xtables.lock").is_none());
    }
}
