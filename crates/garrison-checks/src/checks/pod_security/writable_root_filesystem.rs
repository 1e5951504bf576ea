use garrison_core::{Level, Object, SeedControl, Severity, Workload};

use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// Reports containers that do not set `securityContext.readOnlyRootFilesystem: true`.
    ///
    /// ## Why it matters
    /// A writable root filesystem lets an intruder drop tools and persist changes to binaries and
    /// configuration for as long as the container lives. Read-only images also make drift
    /// detection meaningful.
    ///
    /// ## How to fix
    /// Set `readOnlyRootFilesystem: true` and mount an `emptyDir` at the few paths the program
    /// writes to (`/tmp`, a cache directory).
    ///
    /// ## References
    /// - EKS Best Practices Guide, Pod Security: configure your images with a read-only root file system
    /// - NSA/CISA Kubernetes Hardening Guide
    pub static META = CheckMeta {
        id: "EKS-PSS-013",
        name: "writable-root-filesystem",
        title: "Container root filesystem is writable",
        severity: Severity::Low,
        level: Level::Application,
        control: SeedControl::PodSecurity,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Set securityContext.readOnlyRootFilesystem: true; mount emptyDir where the program writes.",
    };
}

pub fn evaluate(_: &Context<'_>, workload: &Workload, _: &Object) -> Vec<Outcome> {
    workload
        .containers()
        .filter(|container| {
            container
                .security_context
                .and_then(|context| context.read_only_root_filesystem)
                != Some(true)
        })
        .map(|container| {
            Outcome::fail(
                container.field("securityContext/readOnlyRootFilesystem"),
                format!("{} has a writable root filesystem", container.describe()),
            )
        })
        .collect()
}
