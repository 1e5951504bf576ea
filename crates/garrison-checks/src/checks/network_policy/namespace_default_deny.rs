use garrison_core::{Level, Object, SeedControl, Severity, Status};

use super::index;
use crate::checks::aws::{aws_node_spec, cni_configuration};
use crate::checks::tenancy::namespace_index;
use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// Reports namespaces holding workloads where no NetworkPolicy with an empty `podSelector`
    /// isolates every pod for ingress, and one for egress (`policyTypes` as the API server
    /// defaults them: a policy without `policyTypes` isolates egress only when it has egress
    /// rules). The policy may allow traffic too; what it allows is judged by EKS-NP-005 and
    /// EKS-NP-009. PASS for every namespace when the Amazon VPC CNI runs with
    /// `NETWORK_POLICY_ENFORCING_MODE=strict` (add-on `env`, or the `aws-node` DaemonSet), which
    /// denies all traffic of pods no policy selects. Namespaces without workloads and the
    /// EKS-managed ones are not judged.
    ///
    /// ## Why it matters
    /// Without a default deny, a workload no policy selects accepts and opens connections to and
    /// from anything, and every new workload starts that way until someone writes its policy.
    ///
    /// ## How to fix
    /// Add a NetworkPolicy with `podSelector: {}` and `policyTypes: [Ingress, Egress]` and no
    /// rules, allow DNS egress (EKS-NP-004), then allow what each workload needs.
    ///
    /// ## References
    /// - Kubernetes documentation: Network Policies, default policies
    /// - EKS documentation: Limit pod traffic with Kubernetes network policies (strict enforcing mode)
    pub static META = CheckMeta {
        id: "EKS-NP-003",
        name: "namespace-without-default-deny",
        title: "Namespace has no default-deny NetworkPolicy for ingress and egress",
        severity: Severity::Medium,
        level: Level::Infrastructure,
        control: SeedControl::NetworkPolicies,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Add a NetworkPolicy with podSelector {} and policyTypes Ingress and Egress.",
    };
}

const ENFORCING_MODE: &str = "NETWORK_POLICY_ENFORCING_MODE";

/// `NETWORK_POLICY_ENFORCING_MODE` from the vpc-cni add-on configuration, else from the aws-node
/// DaemonSet's environment.
fn enforcing_mode(context: &Context<'_>) -> Option<String> {
    if let Some(snapshot) = &context.inventory.snapshot
        && let Ok((_, configuration)) = cni_configuration(snapshot)
        && let Some(value) = configuration.setting(&format!("/env/{ENFORCING_MODE}"))
    {
        return Some(value.to_ascii_lowercase());
    }
    aws_node_spec(context)?
        .containers
        .iter()
        .flat_map(|container| container.env.iter().flatten())
        .find(|variable| variable.name == ENFORCING_MODE)
        .and_then(|variable| variable.value.as_deref())
        .map(str::to_ascii_lowercase)
}

pub fn evaluate(context: &Context<'_>, object: &Object) -> Option<Vec<Outcome>> {
    if context.config.is_managed_namespace(Some(&object.name)) {
        return None;
    }
    let holds_workloads = namespace_index(context)
        .get(&object.name)
        .is_some_and(|usage| usage.workloads > 0);
    if !holds_workloads {
        return None;
    }
    if enforcing_mode(context).as_deref() == Some("strict") {
        return Some(vec![Outcome::with_status(
            Status::Pass,
            None,
            "the VPC CNI enforces in strict mode: pods no policy selects are denied all traffic",
        )]);
    }
    let (ingress, egress) = index(context).default_deny(context.inventory, &object.name);
    let missing: Vec<&str> = [(ingress, "ingress"), (egress, "egress")]
        .into_iter()
        .filter(|(denied, _)| !denied)
        .map(|(_, direction)| direction)
        .collect();
    if missing.is_empty() {
        return Some(vec![Outcome::with_status(
            Status::Pass,
            None,
            "policies with an empty podSelector isolate every pod for ingress and egress",
        )]);
    }
    Some(vec![Outcome::fail(
        "/metadata/name",
        format!(
            "namespace {}: no NetworkPolicy with an empty podSelector isolates its pods for {}",
            object.name,
            missing.join(" and ")
        ),
    )])
}
