use garrison_core::{Level, Object, SeedControl, Severity};

use super::{namespace_index, workloads};
use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// Reports namespaces that hold workloads but neither a ResourceQuota nor a LimitRange.
    /// Namespaces without workloads, and the EKS-managed ones, are not judged.
    ///
    /// ## Why it matters
    /// Without a quota, one namespace's runaway deployment, fork bomb of Jobs or compromised
    /// workload mining cryptocurrency can take every node's capacity (and, with the cluster
    /// autoscaler or Karpenter, the AWS bill); without a LimitRange, pods that set no limits run
    /// unbounded. Quotas also cap object counts such as Services of type LoadBalancer.
    ///
    /// ## How to fix
    /// Add a ResourceQuota (CPU, memory, pods, `services.loadbalancers`) and a LimitRange with
    /// default requests and limits to each application namespace.
    ///
    /// ## References
    /// - EKS Best Practices Guide, Multi-tenancy and Pod Security: set quotas and limit ranges
    /// - Kubernetes documentation: Resource Quotas, Limit Ranges
    pub static META = CheckMeta {
        id: "EKS-PSS-018",
        name: "namespace-without-quota",
        title: "Namespace without a ResourceQuota or LimitRange",
        severity: Severity::Low,
        level: Level::Application,
        control: SeedControl::PodSecurity,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Add a ResourceQuota and a LimitRange to the namespace.",
    };
}

pub fn evaluate(context: &Context<'_>, object: &Object) -> Option<Vec<Outcome>> {
    // EKS and its add-ons own these namespaces (see the `[eks-managed]` allow-list).
    if context.config.is_managed_namespace(Some(&object.name)) {
        return None;
    }
    let usage = namespace_index(context)
        .get(&object.name)
        .copied()
        .unwrap_or_default();
    if usage.workloads == 0 {
        return None;
    }
    if usage.resource_quotas + usage.limit_ranges > 0 {
        return Some(Vec::new());
    }
    Some(vec![Outcome::fail(
        "/metadata/name",
        format!(
            "namespace {} holds {} but has no ResourceQuota or LimitRange",
            object.name,
            workloads(usage.workloads)
        ),
    )])
}
