use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// One result per core component found in the cluster (DaemonSets `aws-node`, `kube-proxy`,
    /// `eks-pod-identity-agent`, Deployments `coredns`, `ebs-csi-controller` in kube-system, and
    /// `amazon-guardduty/aws-guardduty-agent`): PASS when `eks/list-addons.json` lists the matching
    /// add-on, FAIL when the component is self-managed. NOT_APPLICABLE on Auto Mode clusters, where
    /// these run as part of EKS.
    ///
    /// ## Why it matters
    /// Self-managed copies of these components are patched only when someone remembers; managed
    /// add-ons get security fixes, compatibility checks on upgrade and health reporting.
    ///
    /// ## How to fix
    /// `aws eks create-addon --addon-name <name> --resolve-conflicts OVERWRITE` adopts the running
    /// component.
    ///
    /// ## References
    /// - EKS documentation: Amazon EKS add-ons
    /// - EKS Best Practices Guide, Cluster upgrades (use EKS add-ons)
    pub static META = CheckMeta {
        id: "EKS-MGD-002",
        name: "core-component-self-managed",
        title: "Core component runs without its EKS managed add-on",
        severity: Severity::Medium,
        level: Level::Cluster,
        control: SeedControl::ManagedComponents,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Install core components as EKS managed add-ons.",
    };
}

use garrison_core::aws::eks::ListAddons;

const COMPONENTS: [(&str, &str, &str, &str); 6] = [
    ("vpc-cni", "DaemonSet", "kube-system", "aws-node"),
    ("kube-proxy", "DaemonSet", "kube-system", "kube-proxy"),
    ("coredns", "Deployment", "kube-system", "coredns"),
    (
        "eks-pod-identity-agent",
        "DaemonSet",
        "kube-system",
        "eks-pod-identity-agent",
    ),
    (
        "aws-ebs-csi-driver",
        "Deployment",
        "kube-system",
        "ebs-csi-controller",
    ),
    (
        "aws-guardduty-agent",
        "DaemonSet",
        "amazon-guardduty",
        "aws-guardduty-agent",
    ),
];

pub fn evaluate(context: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    with_cluster(snapshot, |cluster, resource| {
        if cluster.auto_mode() == Some(true) {
            return vec![not_applicable(
                resource,
                "Auto Mode runs the core components itself",
            )];
        }
        with_document::<ListAddons>(snapshot, "eks/list-addons.json", resource, |addons| {
            let mut results = Vec::new();
            for (addon, kind, namespace, name) in COMPONENTS {
                let running = context
                    .inventory
                    .objects
                    .iter()
                    .any(|o| o.kind == kind && o.name == name && o.in_namespace(namespace));
                if !running {
                    continue;
                }
                let component =
                    crate::engine::Resource::new("Addon", addon, "aws/eks/list-addons.json");
                results.push(if addons.addons.iter().any(|a| a == addon) {
                    result(&component, Status::Pass, "/addons", format!("{namespace}/{name} is the managed add-on {addon}"))
                } else {
                    result(&component, Status::Fail, "/addons", format!("{kind} {namespace}/{name} runs, but the managed add-on {addon} is not installed"))
                });
            }
            results
        })
    })
}
