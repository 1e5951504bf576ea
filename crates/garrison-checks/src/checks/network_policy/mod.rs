//! network_policy checks, and the NetworkPolicy analysis their coverage checks share, built
//! once per scan and only as far as the checks need it.
//!
//! First a pass over the objects' kinds finds the namespaces that have NetworkPolicies and
//! whether admin policies exist. A workload of a namespace without policies (and no admin
//! policy) is open in every direction, which needs no model at all: most workloads of most
//! inputs are answered so. Only when a check asks about a namespace with policies is the model
//! of those namespaces (and `kube-system`, for the cluster DNS) built, with garrison-netpol, and
//! each of their workloads analysed once, on its own: no connection between all pairs is
//! computed.

pub mod allow_all_policy;
pub mod dns_egress_blocked;
pub mod enforcement_disabled;
pub mod metadata_egress;
pub mod namespace_default_deny;
pub mod namespace_without_policy;
pub mod pod_security_group_mode;
pub mod pod_security_group_open;
pub mod pod_security_groups_not_enforced;
pub mod policies_not_enforced;
pub mod policy_selects_nothing;
pub mod workload_open_ingress;

use garrison_core::{Object, Status, Workload};

use crate::engine::{Context, Outcome};

/// What the policies leave open for a workload, or the outcome saying why the question does
/// not apply to it (a PodTemplate runs nothing).
pub(crate) fn workload_view(
    context: &Context<'_>,
    workload: &Workload,
    object: &Object,
) -> Result<WorkloadView, Vec<Outcome>> {
    let not_applicable =
        |message: &str| vec![Outcome::with_status(Status::NotApplicable, None, message)];
    if object.kind == "PodTemplate" {
        return Err(not_applicable("a PodTemplate runs no pod"));
    }
    index(context)
        .workload(
            context.inventory,
            workload.object,
            object.namespace.as_deref().unwrap_or("default"),
            workload.spec.host_network == Some(true),
        )
        .ok_or_else(|| not_applicable("the workload is not in the NetworkPolicy model"))
}

/// `Deployment payments/api`.
/// A workload of a namespace that no NetworkPolicy (and no admin policy) covers is open in
/// every direction, as all its neighbours are: EKS-NP-002 and EKS-NP-003 report that once for
/// the namespace, so the per-workload coverage checks say not applicable instead of failing
/// every workload of it again.
pub(crate) fn namespace_reported(context: &Context<'_>, object: &Object) -> Option<Vec<Outcome>> {
    let namespace = object.namespace.as_deref().unwrap_or("default");
    if index(context).analysed(namespace) {
        return None;
    }
    Some(vec![Outcome::with_status(
        Status::NotApplicable,
        None,
        format!(
            "no NetworkPolicy covers namespace {namespace}: EKS-NP-002 and EKS-NP-003 report it for the namespace"
        ),
    )])
}

pub(crate) fn workload_name(object: &Object) -> String {
    format!(
        "{} {}/{}",
        object.kind,
        object.namespace.as_deref().unwrap_or("default"),
        object.name
    )
}

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use garrison_core::Inventory;
use garrison_netpol::coverage::{self, WorkloadCoverage};
use garrison_netpol::{Analyzer, Cluster};

/// Which namespaces need the model; the model, once built.
#[derive(Debug, Default)]
pub struct NetpolIndex {
    /// Namespaces with at least one NetworkPolicy.
    with_policies: BTreeSet<String>,
    /// Whether an AdminNetworkPolicy or BaselineAdminNetworkPolicy exists: they select pods
    /// of any namespace, so then every workload is analysed.
    admin: bool,
    analysis: OnceLock<Analysis>,
}

/// The model of the namespaces with policies, and what each of their workloads has open.
#[derive(Debug)]
pub struct Analysis {
    pub cluster: Cluster,
    /// By the model's pod index.
    workloads: Vec<WorkloadCoverage>,
    /// By namespace: whether default-deny policies isolate every pod for (ingress, egress).
    default_deny: BTreeMap<String, (bool, bool)>,
}

/// What the checks learn about one workload.
#[derive(Clone, Debug)]
pub struct WorkloadView {
    pub coverage: WorkloadCoverage,
    pub host_network: bool,
}

pub fn index<'a>(context: &Context<'a>) -> &'a NetpolIndex {
    context.shared.netpol.get_or_init(|| {
        let mut index = NetpolIndex::default();
        for object in &context.inventory.objects {
            match (object.group(), object.kind.as_str()) {
                ("networking.k8s.io", "NetworkPolicy") => {
                    index.with_policies.insert(
                        object
                            .namespace
                            .clone()
                            .unwrap_or_else(|| "default".to_string()),
                    );
                }
                (
                    "policy.networking.k8s.io",
                    "AdminNetworkPolicy" | "BaselineAdminNetworkPolicy",
                ) => index.admin = true,
                _ => {}
            }
        }
        index
    })
}

impl NetpolIndex {
    /// Whether any policy of any tier may select workloads of `namespace`.
    pub fn analysed(&self, namespace: &str) -> bool {
        self.admin || self.with_policies.contains(namespace)
    }

    /// Whether `namespace` has at least one NetworkPolicy.
    pub fn has_policies(&self, namespace: &str) -> bool {
        self.with_policies.contains(namespace)
    }

    /// The model, built on first use.
    pub fn analysis(&self, inventory: &Inventory) -> &Analysis {
        self.analysis.get_or_init(|| self.build(inventory))
    }

    fn build(&self, inventory: &Inventory) -> Analysis {
        let mut scope = self.with_policies.clone();
        scope.insert(coverage::DNS_NAMESPACE.to_string());
        if self.admin {
            for entry in &inventory.workloads {
                let object = inventory.entry_object(entry);
                scope.insert(
                    object
                        .namespace
                        .clone()
                        .unwrap_or_else(|| "default".to_string()),
                );
            }
        }
        let mut cluster = Cluster::from_inventory_in(inventory, &scope);
        let dns = coverage::prepare(&mut cluster);
        // Sequential: this runs inside a scan's parallel tasks while holding a `OnceLock`.
        let workloads = {
            let analyzer = Analyzer::new_sequential(&cluster);
            (0..cluster.pods.len())
                .map(|pod| coverage::workload(&analyzer, pod, &dns))
                .collect()
        };
        let default_deny = self
            .with_policies
            .iter()
            .map(|namespace| {
                (
                    namespace.clone(),
                    coverage::default_deny(&cluster, namespace),
                )
            })
            .collect();
        Analysis {
            cluster,
            workloads,
            default_deny,
        }
    }

    /// What the workload at inventory object `object`, in `namespace`, has open. `None` when
    /// the model leaves it out (its pod spec does not decode).
    pub fn workload(
        &self,
        inventory: &Inventory,
        object: usize,
        namespace: &str,
        host_network: bool,
    ) -> Option<WorkloadView> {
        if !self.analysed(namespace) {
            return Some(WorkloadView {
                coverage: WorkloadCoverage::unprotected(),
                host_network,
            });
        }
        let analysis = self.analysis(inventory);
        let pod = *analysis.cluster.pod_of_object.get(&object)?;
        Some(WorkloadView {
            coverage: analysis.workloads.get(pod)?.clone(),
            host_network: analysis.cluster.pods.get(pod)?.host_network,
        })
    }

    /// Whether default-deny policies isolate every pod of `namespace`, for (ingress, egress).
    pub fn default_deny(&self, inventory: &Inventory, namespace: &str) -> (bool, bool) {
        if !self.has_policies(namespace) {
            return (false, false);
        }
        self.analysis(inventory)
            .default_deny
            .get(namespace)
            .copied()
            .unwrap_or_default()
    }
}
