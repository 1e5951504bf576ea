use garrison_core::{Level, Object, SeedControl, Severity};

use super::{namespace_index, workloads};
use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// Reports namespaces that hold workloads but nothing that makes the namespace a boundary:
    /// no RoleBinding (access granted per namespace), no NetworkPolicy (traffic controlled per
    /// namespace), and no ResourceQuota or LimitRange (capacity shared per namespace). Namespaces
    /// without workloads, and the EKS-managed ones, are not judged. This is CIS 4.5.1, a manual
    /// recommendation, reported at severity info.
    ///
    /// ## Why it matters
    /// A namespace separates names, not access: until RBAC, network and resource policies are
    /// scoped to it, a compromise of one workload reaches every other one as easily as if they
    /// shared a namespace, and a team's access cannot be granted without granting the whole
    /// cluster.
    ///
    /// ## How to fix
    /// Give each application or team its own namespace and scope to it: RoleBindings for the
    /// people and pipelines that deploy there, a default-deny NetworkPolicy with the allowed
    /// flows, and a ResourceQuota and LimitRange.
    ///
    /// ## References
    /// - CIS Amazon EKS Benchmark 4.5.1: create administrative boundaries between resources using namespaces
    /// - EKS Best Practices Guide, Multi-tenancy: namespaces as soft tenancy boundaries
    pub static META = CheckMeta {
        id: "EKS-CIS-4.5.1",
        name: "namespace-not-a-boundary",
        title: "Namespace is not used as an administrative boundary",
        severity: Severity::Info,
        level: Level::Application,
        control: SeedControl::CisBenchmark,
        cis: Some("4.5.1"),
        security_hub: None,
        pss: None,
        remediation: "Scope RoleBindings, NetworkPolicies and a ResourceQuota to the namespace.",
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
    let scoped =
        usage.role_bindings + usage.network_policies + usage.resource_quotas + usage.limit_ranges;
    if scoped > 0 {
        return Some(Vec::new());
    }
    Some(vec![Outcome::fail(
        "/metadata/name",
        format!(
            "namespace {} holds {} but no RoleBinding, NetworkPolicy, ResourceQuota or LimitRange is scoped to it",
            object.name,
            workloads(usage.workloads)
        ),
    )])
}
