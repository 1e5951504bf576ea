use garrison_core::{Level, Object, SeedControl, Severity, Workload};

use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// Reports pods that set `hostAliases`, which writes fixed name-to-address entries into every
    /// container's `/etc/hosts`.
    ///
    /// ## Why it matters
    /// A hosts entry wins over DNS and is invisible to everything that watches DNS: Route 53
    /// Resolver query logs, DNS firewall rules, NetworkPolicies by name in a service mesh. It is
    /// a quiet way to send a workload's calls to AWS APIs, package mirrors or internal services to
    /// another address, and a pinned address goes stale when the real endpoint moves.
    ///
    /// ## How to fix
    /// Remove `hostAliases` and publish the name in DNS (a Route 53 private hosted zone, a
    /// Service of type ExternalName, or a CoreDNS entry that the platform team owns).
    ///
    /// ## References
    /// - Kubernetes documentation: Adding entries to Pod /etc/hosts with HostAliases
    /// - MITRE ATT&CK T1565 (data manipulation) via name resolution overrides
    pub static META = CheckMeta {
        id: "EKS-PSS-029",
        name: "host-aliases",
        title: "Pod overrides name resolution with hostAliases",
        severity: Severity::Low,
        level: Level::Application,
        control: SeedControl::PodSecurity,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Remove hostAliases and resolve the names through DNS.",
    };
}

pub fn evaluate(_: &Context<'_>, workload: &Workload, _: &Object) -> Vec<Outcome> {
    workload
        .spec
        .host_aliases
        .iter()
        .flatten()
        .enumerate()
        .map(|(index, alias)| {
            let names = alias.hostnames.as_deref().unwrap_or_default().join(", ");
            Outcome::fail(
                workload.pointer(&format!("hostAliases/{index}")),
                format!("hostAliases resolves {names} to {}", alias.ip),
            )
        })
        .collect()
}
