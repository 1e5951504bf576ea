use garrison_core::{Level, Object, SeedControl, Severity, Workload};

use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// Reports pods with a `gitRepo` volume.
    ///
    /// ## Why it matters
    /// The kubelet clones a `gitRepo` volume by running `git` on the node, as root, on a
    /// repository the pod author chooses. CVE-2024-10220 showed that a crafted repository runs
    /// its hooks on the node: anyone who can create a pod gets code execution on the node. The
    /// volume type is deprecated and the fix depends on the kubelet version.
    ///
    /// ## How to fix
    /// Replace the volume with an `emptyDir` and an init container that clones the repository
    /// with `git` inside the pod.
    ///
    /// ## References
    /// - CVE-2024-10220: arbitrary command execution through the gitRepo volume
    /// - Kubernetes documentation: Volumes, gitRepo (deprecated)
    pub static META = CheckMeta {
        id: "EKS-PSS-035",
        name: "git-repo-volume",
        title: "Pod uses the deprecated gitRepo volume",
        severity: Severity::High,
        level: Level::Application,
        control: SeedControl::PodSecurity,
        cis: None,
        security_hub: None,
        pss: Some("restrictedVolumes"),
        remediation: "Replace the gitRepo volume with an emptyDir filled by an init container.",
    };
}

pub fn evaluate(_: &Context<'_>, workload: &Workload, _: &Object) -> Vec<Outcome> {
    workload
        .spec
        .volumes
        .iter()
        .flatten()
        .enumerate()
        .filter_map(|(index, volume)| {
            let repository = &volume.git_repo.as_ref()?.repository;
            Some(Outcome::fail(
                workload.pointer(&format!("volumes/{index}/gitRepo")),
                format!(
                    "volume \"{}\" is a gitRepo volume cloned on the node from {repository}",
                    volume.name
                ),
            ))
        })
        .collect()
}
