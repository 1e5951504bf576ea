use garrison_core::{Level, Object, SeedControl, Severity, Workload};

use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// Reports containers whose effective seccomp profile is not `RuntimeDefault` or `Localhost`:
    /// set to `Unconfined`, or not set at all at the container or the pod level. The container's
    /// setting wins over the pod's.
    ///
    /// ## Why it matters
    /// Without a seccomp profile every system call of the kernel is reachable from the container,
    /// including the rarely used ones where kernel escapes are found. Containerd on EKS runs
    /// containers unconfined unless the pod asks for a profile.
    ///
    /// ## How to fix
    /// Set `securityContext.seccompProfile.type: RuntimeDefault` in the pod spec.
    ///
    /// ## References
    /// - Pod Security Standards, baseline: Seccomp; restricted: Seccomp
    /// - EKS Best Practices Guide, Pod Security: use seccomp
    pub static META = CheckMeta {
        id: "EKS-PSS-014",
        name: "seccomp-unconfined",
        title: "Container runs without a seccomp profile",
        severity: Severity::Medium,
        level: Level::Application,
        control: SeedControl::PodSecurity,
        cis: None,
        security_hub: None,
        pss: Some("seccompProfile"),
        remediation: "Set securityContext.seccompProfile.type: RuntimeDefault on the pod.",
    };
}

pub fn evaluate(_: &Context<'_>, workload: &Workload, _: &Object) -> Vec<Outcome> {
    let pod_profile = workload
        .spec
        .security_context
        .as_ref()
        .and_then(|context| context.seccomp_profile.as_ref());
    let mut outcomes = Vec::new();
    for container in workload.containers() {
        let own = container
            .security_context
            .and_then(|context| context.seccomp_profile.as_ref());
        let (profile, pointer) = match (own, pod_profile) {
            (Some(profile), _) => (
                Some(profile),
                container.field("securityContext/seccompProfile/type"),
            ),
            (None, Some(profile)) => (
                Some(profile),
                workload.pointer("securityContext/seccompProfile/type"),
            ),
            (None, None) => (None, container.field("securityContext/seccompProfile")),
        };
        match profile.map(|profile| profile.type_.as_str()) {
            Some("RuntimeDefault" | "Localhost") => {}
            Some(other) => outcomes.push(Outcome::fail(
                pointer,
                format!("{} runs with seccomp profile {other}", container.describe()),
            )),
            None => outcomes.push(Outcome::fail(
                pointer,
                format!(
                    "{} has no seccomp profile (unconfined on containerd)",
                    container.describe()
                ),
            )),
        }
    }
    outcomes
}
