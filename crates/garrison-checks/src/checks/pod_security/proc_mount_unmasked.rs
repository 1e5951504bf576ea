use garrison_core::{Level, Object, SeedControl, Severity, Workload};

use crate::checks::pss_control;
use crate::engine::{Context, Outcome};
use crate::pss::PssCheckId;

declare_check! {
    /// ## What it does
    /// Reports containers whose `securityContext.procMount` is anything but `Default` (that is,
    /// `Unmasked`). Judged by the Pod Security Standards engine (baseline control `procMount`; from policy
    /// v1.35 it allows `Unmasked` in pods that use a user namespace, `hostUsers: false`).
    ///
    /// ## Why it matters
    /// The runtime masks and makes read-only the parts of `/proc` that expose the host kernel
    /// (`/proc/sys`, `/proc/sysrq-trigger`, `/proc/kcore`, ...). An unmasked `/proc` lets a process in the
    /// container change kernel parameters of the node or read kernel memory.
    ///
    /// ## How to fix
    /// Remove `procMount: Unmasked`. Nested container builders that need it should run in a pod with
    /// `hostUsers: false` on nodes that support user namespaces, or outside the cluster.
    ///
    /// ## References
    /// - Pod Security Standards, baseline: /proc Mount Type
    /// - Kubernetes API reference: SecurityContext.procMount
    pub static META = CheckMeta {
        id: "EKS-PSS-024",
        name: "proc-mount-unmasked",
        title: "Container mounts /proc unmasked",
        severity: Severity::High,
        level: Level::Application,
        control: SeedControl::PodSecurity,
        cis: None,
        security_hub: None,
        pss: Some("procMount"),
        remediation: "Remove procMount: Unmasked from the container's securityContext.",
    };
}

pub fn evaluate(_: &Context<'_>, workload: &Workload, object: &Object) -> Vec<Outcome> {
    pss_control(workload, object, PssCheckId::ProcMount)
}
