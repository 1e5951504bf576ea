use garrison_core::{Level, Object, SeedControl, Severity, Workload};

use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// Reports workloads that mount a `hostPath` volume. A volume that every container mounts
    /// read-only is a warning; a writable one, or one no container mounts read-only, a failure.
    ///
    /// ## Why it matters
    /// A hostPath volume is a hole in the container's filesystem isolation. Writable, it lets the
    /// pod plant files the node will execute (cron, systemd units, kubelet manifests); read-only,
    /// it can still expose kubelet credentials, other pods' secrets under `/var/lib/kubelet`, and
    /// the node's logs.
    ///
    /// ## How to fix
    /// Use `emptyDir`, a PersistentVolumeClaim, a ConfigMap or a projected volume instead. When a
    /// node agent really needs a host directory, mount the narrowest path with `readOnly: true`.
    ///
    /// ## References
    /// - Pod Security Standards, baseline: HostPath Volumes
    /// - EKS Best Practices Guide, Pod Security: restrict the use of hostPath
    pub static META = CheckMeta {
        id: "EKS-PSS-011",
        name: "host-path-volume",
        title: "Pod mounts a hostPath volume",
        severity: Severity::High,
        level: Level::Application,
        control: SeedControl::PodSecurity,
        cis: None,
        security_hub: None,
        pss: Some("hostPathVolumes"),
        remediation: "Replace the hostPath volume with emptyDir, a PVC or a projected volume.",
    };
}

pub fn evaluate(_: &Context<'_>, workload: &Workload, _: &Object) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    for (index, volume) in workload.spec.volumes.iter().flatten().enumerate() {
        let Some(host_path) = &volume.host_path else {
            continue;
        };
        let mounts: Vec<bool> = workload
            .containers()
            .flat_map(|container| {
                container
                    .volume_mounts
                    .iter()
                    .filter(|mount| mount.name == volume.name)
                    .map(|mount| mount.read_only == Some(true))
                    .collect::<Vec<_>>()
            })
            .collect();
        let pointer = workload.pointer(&format!("volumes/{index}/hostPath/path"));
        if !mounts.is_empty() && mounts.iter().all(|read_only| *read_only) {
            outcomes.push(Outcome::warn(
                pointer,
                format!(
                    "volume \"{}\" mounts host path {} read-only",
                    volume.name, host_path.path
                ),
            ));
        } else {
            outcomes.push(Outcome::fail(
                pointer,
                format!(
                    "volume \"{}\" mounts host path {} writable",
                    volume.name, host_path.path
                ),
            ));
        }
    }
    outcomes
}
