use garrison_core::{Level, Object, SeedControl, Severity, Workload};

use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// Reports containers without a memory limit or a CPU limit in `resources.limits`.
    ///
    /// ## Why it matters
    /// A container without limits can take all of a node's memory or CPU: one compromised or
    /// misbehaving pod then denies service to every other pod on the node, system agents
    /// included, and the kubelet starts evicting.
    ///
    /// ## How to fix
    /// Set `resources.limits.memory` and `resources.limits.cpu` on every container, or give the
    /// namespace a LimitRange with defaults.
    ///
    /// ## References
    /// - EKS Best Practices Guide, Pod Security: set requests and limits for each container
    /// - NSA/CISA Kubernetes Hardening Guide: resource policies
    pub static META = CheckMeta {
        id: "EKS-PSS-017",
        name: "missing-resource-limits",
        title: "Container has no resource limits",
        severity: Severity::Low,
        level: Level::Application,
        control: SeedControl::PodSecurity,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Set resources.limits.memory and resources.limits.cpu on every container.",
    };
}

pub fn evaluate(_: &Context<'_>, workload: &Workload, _: &Object) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    for container in workload.containers() {
        // Ephemeral containers cannot have resources.
        if container.kind == garrison_core::ContainerKind::Ephemeral {
            continue;
        }
        let limits = container
            .resources
            .and_then(|resources| resources.limits.as_ref());
        let missing: Vec<&str> = ["memory", "cpu"]
            .into_iter()
            .filter(|resource| !limits.is_some_and(|limits| limits.contains_key(*resource)))
            .collect();
        if !missing.is_empty() {
            outcomes.push(Outcome::fail(
                container.field("resources/limits"),
                format!(
                    "{} has no {} limit",
                    container.describe(),
                    missing.join(" or ")
                ),
            ));
        }
    }
    outcomes
}
