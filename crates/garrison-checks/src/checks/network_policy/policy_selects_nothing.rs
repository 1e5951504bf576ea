use garrison_core::{Level, Object, SeedControl, Severity, Status};

use super::index;
use crate::checks::tenancy::namespace_index;
use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// Reports NetworkPolicies whose `podSelector` matches no workload of their namespace (pod
    /// templates of controllers and standalone Pods, by their labels). Not applicable when the
    /// input holds no workload of the namespace at all: a policy applied ahead of its workloads
    /// is normal.
    ///
    /// ## Why it matters
    /// A policy that selects nothing protects nothing. Most often a label typo, or a label
    /// changed in the Deployment but not in the policy, leaves open the workload the policy was
    /// written for, while the policy suggests it is protected.
    ///
    /// ## How to fix
    /// Fix the policy's `podSelector` so that it matches the labels of the pod template it is
    /// meant for (`kubectl get pods -l <selector>` must list them), or delete the policy.
    ///
    /// ## References
    /// - Kubernetes documentation: Network Policies, the NetworkPolicy resource (podSelector)
    pub static META = CheckMeta {
        id: "EKS-NP-008",
        name: "network-policy-selects-nothing",
        title: "NetworkPolicy selects no workload",
        severity: Severity::Low,
        level: Level::Infrastructure,
        control: SeedControl::NetworkPolicies,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Fix the policy's podSelector to match the intended pod labels, or delete it.",
    };
}

pub fn evaluate(context: &Context<'_>, object: &Object) -> Option<Vec<Outcome>> {
    if object.kind != "NetworkPolicy" {
        return None;
    }
    let namespace = object.namespace.as_deref().unwrap_or("default");
    let holds_workloads = namespace_index(context)
        .get(namespace)
        .is_some_and(|usage| usage.workloads > 0);
    if !holds_workloads {
        return Some(vec![Outcome::with_status(
            Status::NotApplicable,
            None,
            format!("the input holds no workload of namespace {namespace}"),
        )]);
    }
    let analysis = index(context).analysis(context.inventory);
    // A policy that does not convert (a bad selector, say) is not in the model.
    let policy = analysis
        .cluster
        .policies
        .iter()
        .find(|policy| policy.namespace == namespace && policy.name == object.name)?;
    if garrison_netpol::coverage::selects_something(&analysis.cluster, policy) {
        return Some(Vec::new());
    }
    Some(vec![Outcome::fail(
        "/spec/podSelector",
        format!(
            "the podSelector ({}) matches no workload of namespace {namespace}",
            describe(policy.selector.text())
        ),
    )])
}

fn describe(text: &str) -> String {
    if text.is_empty() {
        "empty".to_string()
    } else {
        text.to_string()
    }
}
