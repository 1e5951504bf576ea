use garrison_core::{Level, Object, SeedControl, Severity, Workload};

use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// Reports containers whose `securityContext.capabilities.drop` does not contain `ALL`
    /// (spelled exactly so, as Pod Security Standards restricted requires).
    ///
    /// ## Why it matters
    /// Container runtimes grant a default set of capabilities, including `NET_RAW` (craft packets,
    /// spoof ARP and DNS on the node's network) and `CHOWN`, `SETUID` and `SETGID`. Few programs
    /// need any of them; dropping all and adding back what is needed is the least privilege.
    ///
    /// ## How to fix
    /// Add `drop: ["ALL"]` to every container's `securityContext.capabilities`, and add back only
    /// what the process needs (`NET_BIND_SERVICE` at most, for Pod Security Standards restricted).
    ///
    /// ## References
    /// - Pod Security Standards, restricted: Capabilities
    /// - EKS Best Practices Guide, Pod Security: drop NET_RAW and every capability not needed
    pub static META = CheckMeta {
        id: "EKS-PSS-010",
        name: "capabilities-not-dropped",
        title: "Container does not drop all capabilities",
        severity: Severity::Low,
        level: Level::Application,
        control: SeedControl::PodSecurity,
        cis: None,
        security_hub: None,
        pss: Some("capabilities_restricted"),
        remediation: "Set securityContext.capabilities.drop: [\"ALL\"] in every container.",
    };
}

pub fn evaluate(_: &Context<'_>, workload: &Workload, _: &Object) -> Vec<Outcome> {
    workload
        .containers()
        .filter(|container| {
            let dropped = container.capabilities().and_then(|caps| caps.drop.as_ref());
            !dropped
                .into_iter()
                .flatten()
                .any(|capability| capability == "ALL")
        })
        .map(|container| {
            Outcome::fail(
                container.field("securityContext/capabilities/drop"),
                format!("{} does not drop ALL capabilities", container.describe()),
            )
        })
        .collect()
}
