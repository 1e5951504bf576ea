use garrison_core::{Level, Object, SeedControl, Severity, Workload};

use crate::checks::pss_control;
use crate::engine::{Context, Outcome};
use crate::pss::PssCheckId;

declare_check! {
    /// ## What it does
    /// Reports pods that run Windows HostProcess containers: `securityContext.windowsOptions.hostProcess:
    /// true` at the pod or container level. Judged by the Pod Security Standards engine (baseline control
    /// `windowsHostProcess`).
    ///
    /// ## Why it matters
    /// A HostProcess container is a process on the Windows node itself, with the node's network and
    /// filesystem and, as a system account, administrator rights over it: the Windows equivalent of a
    /// privileged container in every host namespace.
    ///
    /// ## How to fix
    /// Remove `hostProcess: true`. Node agents that need it belong on a dedicated Windows node group,
    /// in a namespace whose Pod Security level is privileged and whose RBAC is restricted to administrators.
    ///
    /// ## References
    /// - Pod Security Standards, baseline: HostProcess
    /// - EKS User Guide: Windows nodes
    pub static META = CheckMeta {
        id: "EKS-PSS-026",
        name: "windows-host-process",
        title: "Windows HostProcess container",
        severity: Severity::Critical,
        level: Level::Application,
        control: SeedControl::PodSecurity,
        cis: None,
        security_hub: None,
        pss: Some("windowsHostProcess"),
        remediation: "Remove windowsOptions.hostProcess: true.",
    };
}

pub fn evaluate(_: &Context<'_>, workload: &Workload, object: &Object) -> Vec<Outcome> {
    pss_control(workload, object, PssCheckId::WindowsHostProcess)
}
