use garrison_core::{Level, Object, SeedControl, Severity, Workload};

use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// Reports workloads in the `default` namespace, and warns about workloads whose manifest
    /// names no namespace (they land in the namespace of whoever applies them, usually `default`).
    ///
    /// ## Why it matters
    /// Namespaces are where RBAC, NetworkPolicies, Pod Security labels, quotas and Pod Identity
    /// associations are scoped. The `default` namespace usually has none of them, and everything
    /// in it shares one boundary.
    ///
    /// ## How to fix
    /// Create a namespace per application or team, with its own RBAC, Pod Security labels and
    /// NetworkPolicies, and move the workload there.
    ///
    /// ## References
    /// - CIS Amazon EKS Benchmark 4.5.2: the default namespace should not be used
    pub static META = CheckMeta {
        id: "EKS-CIS-4.5.2",
        name: "default-namespace-used",
        title: "Workload in the default namespace",
        severity: Severity::Low,
        level: Level::Application,
        control: SeedControl::CisBenchmark,
        cis: Some("4.5.2"),
        security_hub: None,
        pss: None,
        remediation: "Move the workload to a dedicated namespace.",
    };
}

pub fn evaluate(_: &Context<'_>, _: &Workload, object: &Object) -> Vec<Outcome> {
    match object.namespace.as_deref() {
        Some("default") => vec![Outcome::fail(
            "/metadata/namespace",
            format!(
                "{} {} runs in the default namespace",
                object.kind, object.name
            ),
        )],
        None | Some("") => vec![Outcome::warn(
            "/metadata",
            format!(
                "{} {} names no namespace; it lands in the applier's current namespace (usually default)",
                object.kind, object.name
            ),
        )],
        Some(_) => Vec::new(),
    }
}
