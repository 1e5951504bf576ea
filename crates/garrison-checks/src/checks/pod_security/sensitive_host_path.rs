use garrison_core::{Level, Object, SeedControl, Severity, Status, Workload};

use crate::checks::lazy_containers;
use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// Reports `hostPath` volumes of sensitive node locations, or of a directory above one: the
    /// root filesystem `/`, `/etc` (with `/etc/kubernetes`), `/root`, `/home`, `/boot`, `/proc`,
    /// `/sys`, `/dev`, the kubelet's `/var/lib/kubelet`, the runtimes' `/var/lib/containerd` and
    /// `/var/lib/docker`, and `/var/log`. A mount that every container mounts read-only is a
    /// warning, a writable one a failure. Runtime sockets and `.aws` directories have their own
    /// checks (EKS-PSS-012, EKS-IAM-012).
    ///
    /// ## Why it matters
    /// These paths are the node's own credentials and control surface: the kubelet's client
    /// certificate and every pod's service account tokens and Secret volumes under
    /// `/var/lib/kubelet`, every container's filesystem under the runtime's state directory,
    /// users, cron and systemd under `/etc`, devices and kernel knobs under `/dev`, `/proc` and
    /// `/sys`. A writable `/var/log` lets a pod plant symlinks that the kubelet follows when it
    /// serves logs, reading any file on the node.
    ///
    /// ## How to fix
    /// Do not mount these paths. Node agents that must read logs or metrics should mount the
    /// narrowest subdirectory read-only (`/var/log/pods`, `/proc/stat`), run in a dedicated
    /// namespace with a privileged Pod Security level and tightly held RBAC.
    ///
    /// ## References
    /// - EKS Best Practices Guide, Pod Security: restrict the use of hostPath
    /// - Pod Security Standards, baseline: HostPath Volumes
    pub static META = CheckMeta {
        id: "EKS-PSS-031",
        name: "sensitive-host-path",
        title: "Pod mounts a sensitive node path",
        severity: Severity::Critical,
        level: Level::Application,
        control: SeedControl::PodSecurity,
        cis: None,
        security_hub: None,
        pss: Some("hostPathVolumes"),
        remediation: "Remove the hostPath volume of the sensitive node path.",
    };
}

const SENSITIVE: &[&str] = &[
    "/",
    "/etc",
    "/root",
    "/home",
    "/boot",
    "/proc",
    "/sys",
    "/dev",
    "/var/lib/kubelet",
    "/var/lib/containerd",
    "/var/lib/docker",
    "/var/log",
];

/// The sensitive location `path` is, is inside of, or contains.
fn sensitive(path: &str) -> Option<&'static str> {
    let normalized = match path.trim_end_matches('/') {
        "" => "/",
        trimmed => trimmed,
    };
    SENSITIVE.iter().copied().find(|location| {
        let inside = |outer: &str, inner: &str| {
            outer == inner
                || outer == "/"
                || inner
                    .strip_prefix(outer)
                    .is_some_and(|rest| rest.starts_with('/'))
        };
        // `/` is only reported as itself: everything is inside it.
        if *location == "/" {
            normalized == "/"
        } else {
            inside(location, normalized) || inside(normalized, location)
        }
    })
}

pub fn evaluate(_: &Context<'_>, workload: &Workload, _: &Object) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    for (index, volume) in workload.spec.volumes.iter().flatten().enumerate() {
        let Some(host_path) = &volume.host_path else {
            continue;
        };
        // Credentials directories and runtime sockets have their own checks.
        let own_check = host_path.path.contains("/.aws") || host_path.path.ends_with(".sock");
        let Some(location) = sensitive(&host_path.path).filter(|_| !own_check) else {
            continue;
        };
        let mut mounted = false;
        let mut writable = false;
        for container in lazy_containers(workload) {
            for mount in container
                .volume_mounts
                .iter()
                .filter(|m| m.name == volume.name)
            {
                mounted = true;
                writable |= mount.read_only != Some(true);
            }
        }
        let (status, access) = if mounted && !writable {
            (Status::Warn, "read-only")
        } else {
            (Status::Fail, "writable")
        };
        let what = if host_path.path.trim_end_matches('/') == location.trim_end_matches('/') {
            format!("the node's {location}")
        } else {
            format!("{} (sensitive location {location})", host_path.path)
        };
        outcomes.push(Outcome::with_status(
            status,
            Some(workload.pointer(&format!("volumes/{index}/hostPath/path"))),
            format!("volume \"{}\" mounts {what} {access}", volume.name),
        ));
    }
    outcomes
}

#[cfg(test)]
mod tests {
    use super::sensitive;

    #[test]
    fn recognises_sensitive_paths_and_their_parents() {
        assert_eq!(sensitive("/"), Some("/"));
        assert_eq!(sensitive("/etc/kubernetes/"), Some("/etc"));
        assert_eq!(sensitive("/var/lib"), Some("/var/lib/kubelet"));
        assert_eq!(sensitive("/var/log/pods"), Some("/var/log"));
        assert_eq!(sensitive("/data/app"), None);
        assert_eq!(sensitive("/etcd-data"), None);
        assert_eq!(sensitive("/run/containerd/containerd.sock"), None);
    }
}
