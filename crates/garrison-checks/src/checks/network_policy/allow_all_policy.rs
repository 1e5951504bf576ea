use garrison_core::{Level, Object, SeedControl, Severity};
use garrison_netpol::Direction;
use garrison_netpol::coverage::allow_all_rules;

use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// Reports each rule of a NetworkPolicy that allows every port with every peer of a kind: a
    /// rule with neither peers nor ports (`ingress: [{}]`, `egress: [{}]`), or without ports and
    /// with a peer `namespaceSelector: {}` (every pod of every namespace) or an ipBlock of
    /// `0.0.0.0/0` without `except`. Rules of a direction the policy does not isolate (not in
    /// its `policyTypes`) do nothing and are not reported. A rule limited to some ports is not
    /// an allow-all: a public web server's `from: [{namespaceSelector: {}}]` on port 443 passes.
    ///
    /// ## Why it matters
    /// NetworkPolicies add up: one allow-all rule selecting a workload cancels the default deny
    /// and every narrower rule for it, while reviewers see a namespace full of policies.
    ///
    /// ## How to fix
    /// Name the peers (pod and namespace selectors, the address ranges that need access) and the
    /// ports of the rule; for egress to the internet, list private ranges and
    /// `169.254.169.254/32` under `except`.
    ///
    /// ## References
    /// - Kubernetes documentation: Network Policies, allow all ingress / egress traffic
    /// - EKS Best Practices Guide, Security: network policy
    pub static META = CheckMeta {
        id: "EKS-NP-005",
        name: "allow-all-network-policy",
        title: "NetworkPolicy rule allows all traffic",
        severity: Severity::Medium,
        level: Level::Infrastructure,
        control: SeedControl::NetworkPolicies,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Limit the rule to the peers and ports the selected workloads need.",
    };
}

pub fn evaluate(_: &Context<'_>, object: &Object) -> Option<Vec<Outcome>> {
    // A policy that does not convert (a bad selector, say) is reported by `garrison netpol`.
    let policy = garrison_netpol::model::network_policy(object).ok()?;
    Some(
        allow_all_rules(&policy)
            .into_iter()
            .map(|rule| {
                let (list, preposition) = match rule.direction {
                    Direction::Ingress => ("ingress", "from"),
                    Direction::Egress => ("egress", "to"),
                };
                Outcome::fail(
                    format!("/spec/{list}/{}", rule.rule),
                    format!(
                        "{list} rule #{} allows every port {preposition} {}",
                        rule.rule + 1,
                        rule.peers
                    ),
                )
            })
            .collect(),
    )
}
