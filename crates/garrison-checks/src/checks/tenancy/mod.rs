//! Namespaces as the unit of tenancy: what each one holds besides its workloads.

pub mod namespace_not_a_boundary;
pub mod namespace_without_quota;

use std::collections::HashMap;

use crate::engine::Context;

/// Counts of what a namespace holds.
#[derive(Clone, Copy, Debug, Default)]
pub struct NamespaceUse {
    pub workloads: usize,
    pub role_bindings: usize,
    pub network_policies: usize,
    pub resource_quotas: usize,
    pub limit_ranges: usize,
}

/// [`NamespaceUse`] by namespace name, built once per scan.
pub type NamespaceIndex = HashMap<String, NamespaceUse>;

pub fn namespace_index<'a>(context: &Context<'a>) -> &'a NamespaceIndex {
    context.shared.namespaces.get_or_init(|| {
        let inventory = context.inventory;
        let mut index = NamespaceIndex::new();
        for workload in &inventory.workloads {
            if let Some(namespace) = &inventory.entry_object(workload).namespace {
                index.entry(namespace.clone()).or_default().workloads += 1;
            }
        }
        for object in &inventory.objects {
            let Some(namespace) = &object.namespace else {
                continue;
            };
            let field = match object.kind.as_str() {
                "RoleBinding" => |u: &mut NamespaceUse| u.role_bindings += 1,
                "NetworkPolicy" => |u: &mut NamespaceUse| u.network_policies += 1,
                "ResourceQuota" => |u: &mut NamespaceUse| u.resource_quotas += 1,
                "LimitRange" => |u: &mut NamespaceUse| u.limit_ranges += 1,
                _ => continue,
            };
            field(index.entry(namespace.clone()).or_default());
        }
        index
    })
}

/// `1 workload`, `3 workloads`.
pub(crate) fn workloads(count: usize) -> String {
    if count == 1 {
        "1 workload".to_string()
    } else {
        format!("{count} workloads")
    }
}
