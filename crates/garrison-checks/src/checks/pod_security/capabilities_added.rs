use garrison_core::{Level, Object, SeedControl, Severity, Workload};

use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// Reports containers that add Linux capabilities other than `NET_BIND_SERVICE` through
    /// `securityContext.capabilities.add`.
    ///
    /// ## Why it matters
    /// Capabilities split root's powers; each added one gives some of them back. `SYS_ADMIN`,
    /// `NET_ADMIN`, `SYS_PTRACE`, `SYS_MODULE` and `DAC_READ_SEARCH` are each enough to escape or
    /// to spy on other workloads. Pod Security Standards restricted allows only
    /// `NET_BIND_SERVICE`.
    ///
    /// ## How to fix
    /// Remove the added capabilities. To bind a port below 1024 add only `NET_BIND_SERVICE`, or
    /// listen on a high port and let the Service map it.
    ///
    /// ## References
    /// - Pod Security Standards, baseline: Capabilities; restricted: Capabilities
    /// - EKS Best Practices Guide, Pod Security: drop capabilities the application does not need
    pub static META = CheckMeta {
        id: "EKS-PSS-009",
        name: "capabilities-added",
        title: "Container adds Linux capabilities",
        severity: Severity::Medium,
        level: Level::Application,
        control: SeedControl::PodSecurity,
        cis: None,
        security_hub: None,
        pss: Some("capabilities_restricted"),
        remediation: "Remove capabilities.add entries other than NET_BIND_SERVICE.",
    };
}

pub fn evaluate(_: &Context<'_>, workload: &Workload, _: &Object) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    for container in workload.containers() {
        let added = container.capabilities().and_then(|caps| caps.add.as_ref());
        for (index, capability) in added.into_iter().flatten().enumerate() {
            let name = capability.trim_start_matches("CAP_");
            if name == "NET_BIND_SERVICE" {
                continue;
            }
            outcomes.push(Outcome::fail(
                container.field(&format!("securityContext/capabilities/add/{index}")),
                format!("{} adds capability {capability}", container.describe()),
            ));
        }
    }
    outcomes
}
