use garrison_core::{Level, Object, SeedControl, Severity, Workload};

use crate::checks::pss_control;
use crate::engine::{Context, Outcome};
use crate::pss::PssCheckId;

declare_check! {
    /// ## What it does
    /// Reports pods whose `seLinuxOptions` (pod or container `securityContext`) set a `type` other than
    /// `container_t`, `container_init_t`, `container_kvm_t` or `container_engine_t`, or set a `user` or
    /// `role` at all. Judged by the Pod Security Standards engine (baseline control `seLinuxOptions`).
    ///
    /// ## Why it matters
    /// On SELinux-enforcing nodes the container type is what confines the process; a custom type such
    /// as `spc_t` (super-privileged container) or `unconfined_t` switches the confinement off, and a custom
    /// user or role can grant access to host files labelled for other services.
    ///
    /// ## How to fix
    /// Remove `seLinuxOptions.type`, `user` and `role`, or keep the type to one of the container types;
    /// set only the `level` (MCS categories) when isolation between pods needs it.
    ///
    /// ## References
    /// - Pod Security Standards, baseline: SELinux
    /// - EKS Best Practices Guide, Pod Security
    pub static META = CheckMeta {
        id: "EKS-PSS-023",
        name: "selinux-options-unsafe",
        title: "Container sets an unsafe SELinux type, user or role",
        severity: Severity::Medium,
        level: Level::Application,
        control: SeedControl::PodSecurity,
        cis: None,
        security_hub: None,
        pss: Some("seLinuxOptions"),
        remediation: "Remove the SELinux type, user and role overrides (keep only level if needed).",
    };
}

pub fn evaluate(_: &Context<'_>, workload: &Workload, object: &Object) -> Vec<Outcome> {
    pss_control(workload, object, PssCheckId::SeLinuxOptions)
}
