//! Gaps in network-policy coverage, as [`Finding`]s: namespaces without a default deny, workloads
//! any peer may reach, egress to the instance metadata service, and policies that select
//! nothing.

use garrison_core::{CheckMeta, Finding, Level, ObjectRef, SeedControl, Severity, Status};

use crate::conn::{ConnSet, parse_cidr};
use crate::eval::{Analyzer, Direction, Peer};

/// The EC2 instance metadata service, where a node's IAM role credentials are served.
pub const INSTANCE_METADATA: &str = "169.254.169.254";

pub static DEFAULT_DENY: CheckMeta = CheckMeta {
    id: "EKS-NP-003",
    name: "namespace-default-deny",
    title: "Namespace has no default-deny NetworkPolicy",
    severity: Severity::Medium,
    level: Level::Application,
    control: SeedControl::NetworkPolicies,
    cis: Some("4.3.2"),
    security_hub: None,
    pss: None,
    remediation: "Add a NetworkPolicy with `podSelector: {}` and policyTypes Ingress and Egress to the namespace, then allow what each workload needs.",
    doc: "## What it does\nReports namespaces with workloads where no NetworkPolicy with an empty podSelector isolates every pod for ingress, or for egress.\n\n## Why it matters\nWithout a default deny, a pod that no policy selects accepts and opens connections to and from anything, and a new workload starts unprotected.\n\n## How to fix\nAdd a NetworkPolicy with `podSelector: {}` and `policyTypes: [Ingress, Egress]` to the namespace, then allow what each workload needs.\n\n## References\n- Kubernetes: Network Policies, default policies\n- CIS Amazon EKS Benchmark 4.3.2\n",
};

pub static OPEN_WORKLOAD: CheckMeta = CheckMeta {
    id: "EKS-NP-005",
    name: "workload-reachable-from-everywhere",
    title: "Workload accepts every connection from every peer",
    severity: Severity::Medium,
    level: Level::Application,
    control: SeedControl::NetworkPolicies,
    cis: Some("4.3.2"),
    security_hub: None,
    pss: None,
    remediation: "Select the workload with a NetworkPolicy that allows ingress only from the peers and ports it serves.",
    doc: "## What it does\nReports workloads whose ingress allows all connections from every workload of the cluster and every external address.\n\n## Why it matters\nAny compromised pod, and any address that can route to the pod, can reach every port of it.\n\n## How to fix\nSelect the workload with a NetworkPolicy that allows ingress only from the peers and ports it serves.\n\n## References\n- Kubernetes: Network Policies\n- CIS Amazon EKS Benchmark 4.3.2\n",
};

pub static METADATA_EGRESS: CheckMeta = CheckMeta {
    id: "EKS-NP-007",
    name: "egress-to-instance-metadata",
    title: "Workload may connect to the instance metadata service",
    severity: Severity::High,
    level: Level::Application,
    control: SeedControl::NetworkPolicies,
    cis: None,
    security_hub: None,
    pss: None,
    remediation: "Restrict egress with an ipBlock whose except lists 169.254.169.254/32, or allow egress only to named peers.",
    doc: "## What it does\nReports workloads whose egress allows connections to 169.254.169.254, the EC2 instance metadata service.\n\n## Why it matters\nThe metadata service hands out the node's IAM role credentials; a pod that reaches it can act as the node unless IMDSv2's hop limit stops it.\n\n## How to fix\nRestrict egress with an ipBlock whose except lists 169.254.169.254/32, or allow egress only to named peers; set the hop limit to 1 on the nodes.\n\n## References\n- Amazon EKS Best Practices: restrict access to the instance profile assigned to the worker node\n",
};

pub static EMPTY_POLICY: CheckMeta = CheckMeta {
    id: "EKS-NP-008",
    name: "policy-selects-nothing",
    title: "NetworkPolicy selects no workload",
    severity: Severity::Low,
    level: Level::Application,
    control: SeedControl::NetworkPolicies,
    cis: None,
    security_hub: None,
    pss: None,
    remediation: "Fix the policy's podSelector so that it matches the pod labels it is meant for, or delete it.",
    doc: "## What it does\nReports NetworkPolicies whose podSelector matches no workload of their namespace.\n\n## Why it matters\nA policy that selects nothing protects nothing: usually a label typo leaves the workload it was written for open.\n\n## How to fix\nFix the policy's podSelector so that it matches the pod labels it is meant for, or delete it.\n\n## References\n- Kubernetes: Network Policies, podSelector\n",
};

/// Every coverage check.
pub static CHECKS: [&CheckMeta; 5] = [
    &DEFAULT_DENY,
    &OPEN_WORKLOAD,
    &METADATA_EGRESS,
    &EMPTY_POLICY,
    &ENFORCEMENT,
];

fn finding(
    check: &'static CheckMeta,
    status: Status,
    object: ObjectRef,
    message: String,
) -> Finding {
    Finding {
        check,
        status,
        object,
        pointer: None,
        message,
        suppressed: None,
    }
}

fn reference(
    kind: &str,
    namespace: Option<&str>,
    name: &str,
    source: Option<(&str, u32)>,
) -> ObjectRef {
    ObjectRef {
        kind: kind.into(),
        namespace: namespace.map(Into::into),
        name: name.into(),
        arn: None,
        source: source.map(|(file, _)| file.into()),
        line: source.map(|(_, line)| line),
    }
}

/// Every coverage finding, PASS and FAIL, sorted by check then object.
pub fn findings(analyzer: &Analyzer<'_>) -> Vec<Finding> {
    let cluster = analyzer.cluster;
    let mut out = Vec::new();
    // Namespaces with workloads, and their default-deny policies.
    let mut namespaces: Vec<&str> = cluster
        .pods
        .iter()
        .enumerate()
        .filter(|(index, _)| !cluster.is_ingress_controller(*index))
        .map(|(_, pod)| pod.namespace.as_str())
        .collect();
    namespaces.sort_unstable();
    namespaces.dedup();
    for namespace in namespaces {
        let deny = |direction: Direction| {
            cluster.policies.iter().any(|policy| {
                policy.namespace == namespace
                    && policy.selector.is_everything()
                    && match direction {
                        Direction::Ingress => policy.isolates_ingress,
                        Direction::Egress => policy.isolates_egress,
                    }
            })
        };
        let missing: Vec<&str> = [Direction::Ingress, Direction::Egress]
            .into_iter()
            .filter(|direction| !deny(*direction))
            .map(Direction::name)
            .collect();
        let object = reference("Namespace", None, namespace, None);
        out.push(if missing.is_empty() {
            finding(
                &DEFAULT_DENY,
                Status::Pass,
                object,
                "every pod is isolated for ingress and egress".to_string(),
            )
        } else {
            finding(
                &DEFAULT_DENY,
                Status::Fail,
                object,
                format!(
                    "no NetworkPolicy with an empty podSelector isolates pods for {}",
                    missing.join(" and ")
                ),
            )
        });
    }
    let metadata = parse_cidr(&format!("{INSTANCE_METADATA}/32")).map(|(low, _)| low);
    for (index, pod) in cluster.pods.iter().enumerate() {
        if cluster.is_ingress_controller(index) {
            continue;
        }
        let object = cluster_object(analyzer, index);
        // Reachable from everywhere: its ingress allows every other workload and every external
        // block on every port (whatever the sources' egress policies say).
        // A pod no policy of any tier constrains on ingress is open without asking each peer.
        let unconstrained = !analyzer.protected(index, Direction::Ingress);
        let from_pods = unconstrained
            || (0..cluster.pods.len())
                .filter(|other| *other != index && !cluster.is_ingress_controller(*other))
                .all(|other| analyzer.ingress_allowed(Peer::Pod(other), index).is_all());
        let from_ips = unconstrained
            || analyzer
                .ip_blocks(Direction::Ingress)
                .iter()
                .all(|(low, high)| {
                    analyzer
                        .ingress_allowed(Peer::Ip(*low, *high), index)
                        .is_all()
                });
        out.push(if from_pods && from_ips {
            finding(
                &OPEN_WORKLOAD,
                Status::Fail,
                object.clone(),
                format!(
                    "{} accepts all connections from every workload and external address",
                    pod.display()
                ),
            )
        } else {
            finding(
                &OPEN_WORKLOAD,
                Status::Pass,
                object.clone(),
                "ingress is restricted".to_string(),
            )
        });
        if let Some(address) = metadata {
            let conns = analyzer.allowed(Peer::Pod(index), Peer::Ip(address, address));
            out.push(if conns.is_empty() {
                finding(
                    &METADATA_EGRESS,
                    Status::Pass,
                    object,
                    format!("egress to {INSTANCE_METADATA} is denied"),
                )
            } else {
                finding(
                    &METADATA_EGRESS,
                    Status::Fail,
                    object,
                    format!(
                        "{} may connect to {INSTANCE_METADATA} ({})",
                        pod.display(),
                        describe(&conns)
                    ),
                )
            });
        }
    }
    for policy in &cluster.policies {
        let selected = cluster
            .pods
            .iter()
            .any(|pod| pod.namespace == policy.namespace && policy.selector.matches(&pod.labels));
        let object = reference(
            "NetworkPolicy",
            Some(&policy.namespace),
            &policy.name,
            Some((&policy.source.file, policy.source.line)),
        );
        out.push(if selected {
            finding(
                &EMPTY_POLICY,
                Status::Pass,
                object,
                "selects at least one workload".to_string(),
            )
        } else {
            finding(
                &EMPTY_POLICY,
                Status::Fail,
                object,
                "the podSelector matches no workload in the namespace".to_string(),
            )
        });
    }
    out.sort_by(|a, b| {
        (a.check.id, a.object.display_name()).cmp(&(b.check.id, b.object.display_name()))
    });
    out
}

fn describe(conns: &ConnSet) -> String {
    conns.to_string()
}

fn cluster_object(analyzer: &Analyzer<'_>, pod: usize) -> ObjectRef {
    let pod = &analyzer.cluster.pods[pod];
    reference(
        &pod.kind,
        Some(&pod.namespace),
        &pod.name,
        Some((&pod.source.file, pod.source.line)),
    )
}

pub static ENFORCEMENT: CheckMeta = CheckMeta {
    id: "EKS-NP-006",
    name: "network-policies-not-enforced",
    title: "NetworkPolicies exist but nothing enforces them",
    severity: Severity::High,
    level: Level::Cluster,
    control: SeedControl::NetworkPolicies,
    cis: Some("4.3.2"),
    security_hub: None,
    pss: None,
    remediation: "Enable network policy in the Amazon VPC CNI add-on (`enableNetworkPolicy: \"true\"`) or run another policy engine.",
    doc: "## What it does\nReports a cluster that has NetworkPolicies (or admin network policies) when nothing in it enforces them: neither the Amazon VPC CNI with `enableNetworkPolicy` (its network policy agent) nor another policy engine (Calico, Cilium, Antrea, kube-router, Weave Net).\n\n## Why it matters\nThe API server accepts NetworkPolicies whether or not a network plugin enforces them; without enforcement every policy is silently ignored and every pod is open.\n\n## How to fix\nSet `enableNetworkPolicy: \"true\"` in the vpc-cni add-on configuration (VPC CNI 1.14 or later, EC2 Linux nodes), or install a policy engine.\n\n## References\n- Amazon EKS User Guide: Limit pod traffic with Kubernetes network policies\n- CIS Amazon EKS Benchmark 4.3.2\n",
};

/// DaemonSets of network plugins that enforce NetworkPolicies themselves.
const POLICY_ENGINES: &[&str] = &[
    "calico-node",
    "cilium",
    "antrea-agent",
    "kube-router",
    "weave-net",
    "canal",
];

/// Whether anything enforces the cluster's policies: the VPC CNI add-on's `enableNetworkPolicy`
/// (in a snapshot), the network policy agent in `aws-node`, or another engine's DaemonSet.
/// `None` when the input has no policy to enforce.
pub fn enforcement(
    inventory: &garrison_core::Inventory,
    cluster: &crate::Cluster,
) -> Option<Finding> {
    if cluster.policies.is_empty() && cluster.admin.is_empty() && cluster.baseline.is_none() {
        return None;
    }
    let mut evidence = Vec::new();
    let mut against = Vec::new();
    if let Some(snapshot) = &inventory.snapshot
        && let Ok(addon) = snapshot.aws("eks/addons/vpc-cni.json")
    {
        let configuration = addon
            .pointer("/addon/configurationValues")
            .and_then(serde_json::Value::as_str)
            .and_then(|text| serde_json::from_str::<serde_json::Value>(text).ok());
        let enabled = configuration
            .as_ref()
            .and_then(|values| values.get("enableNetworkPolicy"))
            .is_some_and(|value| value.as_str() == Some("true") || value.as_bool() == Some(true));
        if enabled {
            evidence.push("the vpc-cni add-on sets enableNetworkPolicy".to_string());
        } else {
            against.push(
                "the vpc-cni add-on does not set enableNetworkPolicy to \"true\"".to_string(),
            );
        }
    }
    for entry in &inventory.workloads {
        let object = inventory.entry_object(entry);
        if object.kind != "DaemonSet" {
            continue;
        }
        // A spec that does not decode is reported by the scan; it tells nothing here.
        let Ok(workload) = inventory.decode(entry) else {
            continue;
        };
        if object.name == "aws-node" {
            let agent = workload
                .spec
                .containers
                .iter()
                .find(|c| c.name == "aws-network-policy-agent");
            let enabled = agent.is_some_and(|agent| {
                agent
                    .args
                    .iter()
                    .flatten()
                    .any(|arg| arg == "--enable-network-policy=true")
            });
            if enabled {
                evidence.push(
                    "aws-node runs the network policy agent with --enable-network-policy=true"
                        .to_string(),
                );
            } else {
                against.push("aws-node does not run the network policy agent with --enable-network-policy=true".to_string());
            }
        } else if POLICY_ENGINES.contains(&object.name.as_str()) {
            evidence.push(format!(
                "DaemonSet {}/{} enforces policies",
                object.namespace.as_deref().unwrap_or("default"),
                object.name
            ));
        }
    }
    let object = reference(
        "Cluster",
        None,
        inventory
            .snapshot
            .as_ref()
            .and_then(|snapshot| snapshot.cluster_arn())
            .and_then(|arn| arn.rsplit('/').next())
            .unwrap_or("cluster"),
        None,
    );
    let policies =
        cluster.policies.len() + cluster.admin.len() + usize::from(cluster.baseline.is_some());
    Some(if !evidence.is_empty() {
        finding(
            &ENFORCEMENT,
            Status::Pass,
            object,
            format!("{policies} policies; {}", evidence.join("; ")),
        )
    } else if !against.is_empty() {
        finding(
            &ENFORCEMENT,
            Status::Fail,
            object,
            format!(
                "{policies} policies and nothing enforces them: {}",
                against.join("; ")
            ),
        )
    } else {
        finding(
            &ENFORCEMENT,
            Status::Unknown,
            object,
            format!(
                "{policies} policies; the input shows no network plugin (no vpc-cni add-on data, no aws-node or policy-engine DaemonSet) to tell whether they are enforced"
            ),
        )
    })
}
