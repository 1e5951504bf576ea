use garrison_core::{Level, Object, SeedControl, Severity, Workload};

use crate::checks::pss_control;
use crate::engine::{Context, Outcome};
use crate::pss::PssCheckId;

declare_check! {
    /// ## What it does
    /// Reports pods whose AppArmor profile is `Unconfined`: the `appArmorProfile` field of the pod's or a
    /// container's `securityContext`, or the deprecated `container.apparmor.security.beta.kubernetes.io/*`
    /// annotations with a value other than `runtime/default` or `localhost/...`. Judged by the Pod Security
    /// Standards engine (baseline control `appArmorProfile`), exactly as admission does.
    ///
    /// ## Why it matters
    /// AppArmor is a second fence around the container on nodes that support it (EKS AL2023 and
    /// Bottlerocket nodes load the runtime's default profile): it blocks writes to `/proc` and `/sys`,
    /// mounts and raw kernel interfaces that an escape usually needs. `Unconfined` takes it away.
    ///
    /// ## How to fix
    /// Remove the `Unconfined` profile so that the runtime default applies, or set
    /// `securityContext.appArmorProfile.type: RuntimeDefault` (or a `Localhost` profile loaded on the nodes).
    ///
    /// ## References
    /// - Pod Security Standards, baseline: AppArmor
    /// - Kubernetes documentation: Restrict a container's access to resources with AppArmor
    pub static META = CheckMeta {
        id: "EKS-PSS-016",
        name: "apparmor-unconfined",
        title: "Container runs without AppArmor confinement",
        severity: Severity::Medium,
        level: Level::Application,
        control: SeedControl::PodSecurity,
        cis: None,
        security_hub: None,
        pss: Some("appArmorProfile"),
        remediation: "Drop the Unconfined AppArmor profile; use RuntimeDefault or a Localhost profile.",
    };
}

pub fn evaluate(_: &Context<'_>, workload: &Workload, object: &Object) -> Vec<Outcome> {
    pss_control(workload, object, PssCheckId::AppArmorProfile)
}
