use garrison_core::{Level, Object, SeedControl, Severity, Workload};

use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// Reports workloads with a container that does not set
    /// `securityContext.allowPrivilegeEscalation: false`. An unset field counts as allowed, because
    /// that is what the container runtime does with it.
    ///
    /// ## Why it matters
    /// Unless `no_new_privs` is set, a process can gain privileges through setuid binaries or file
    /// capabilities, which turns many container breakouts from impossible into easy. Several
    /// scanners flag only an explicit `true` and miss the default.
    ///
    /// ## How to fix
    /// Set `allowPrivilegeEscalation: false` in every container's `securityContext`.
    ///
    /// ## References
    /// - Pod Security Standards, restricted: Privilege Escalation
    /// - CIS Amazon EKS Benchmark 4.2.5
    pub static META = CheckMeta {
        id: "EKS-PSS-007",
        name: "privilege-escalation-allowed",
        title: "Container allows privilege escalation",
        severity: Severity::Medium,
        level: Level::Application,
        control: SeedControl::PodSecurity,
        cis: Some("4.2.5"),
        security_hub: None,
        pss: Some("allowPrivilegeEscalation"),
        remediation: "Set securityContext.allowPrivilegeEscalation: false in every container.",
    };
}

pub fn evaluate(_: &Context<'_>, workload: &Workload, _: &Object) -> Vec<Outcome> {
    workload
        .containers()
        .filter_map(|container| {
            let setting = container
                .security_context
                .and_then(|context| context.allow_privilege_escalation);
            match setting {
                Some(false) => None,
                Some(true) => Some(Outcome::fail(
                    container.field("securityContext/allowPrivilegeEscalation"),
                    format!(
                        "{} sets allowPrivilegeEscalation: true",
                        container.describe()
                    ),
                )),
                None => Some(Outcome::fail(
                    container.field("securityContext/allowPrivilegeEscalation"),
                    format!(
                        "{} does not set allowPrivilegeEscalation: false (unset means allowed)",
                        container.describe()
                    ),
                )),
            }
        })
        .collect()
}
