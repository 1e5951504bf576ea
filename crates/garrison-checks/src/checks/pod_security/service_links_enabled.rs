use garrison_core::{Level, Object, SeedControl, Severity, Workload};

use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// Reports pods that do not set `enableServiceLinks: false`, so that the kubelet injects
    /// `<SERVICE>_SERVICE_HOST`, `<SERVICE>_PORT_...` variables for every Service of the
    /// namespace into every container.
    ///
    /// ## Why it matters
    /// The variables hand an intruder a map of the namespace's services without a single API or
    /// DNS call, and in a namespace with many Services they can collide with the application's
    /// own variables or grow the environment until processes fail to start. Pods find Services
    /// through cluster DNS; the variables are a leftover of Docker links.
    ///
    /// ## How to fix
    /// Set `enableServiceLinks: false` in the pod spec (the application must use DNS names, which
    /// it should anyway).
    ///
    /// ## References
    /// - EKS Best Practices Guide, Pod Security: disable service discovery environment variables
    /// - Kubernetes documentation: Service, environment variables
    pub static META = CheckMeta {
        id: "EKS-PSS-020",
        name: "service-links-enabled",
        title: "Service environment variables injected into the pod",
        severity: Severity::Info,
        level: Level::Application,
        control: SeedControl::PodSecurity,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Set enableServiceLinks: false in the pod spec.",
    };
}

pub fn evaluate(_: &Context<'_>, workload: &Workload, _: &Object) -> Vec<Outcome> {
    if workload.spec.enable_service_links == Some(false) {
        return Vec::new();
    }
    vec![Outcome::fail(
        workload.pointer("enableServiceLinks"),
        "enableServiceLinks is not false: every Service of the namespace is injected as environment variables",
    )]
}
