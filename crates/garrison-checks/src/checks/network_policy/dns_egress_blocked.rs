use garrison_core::{Level, Object, SeedControl, Severity, Status, Workload};

use super::{workload_name, workload_view};
use crate::engine::{Context, Outcome};
use garrison_netpol::Protocol;

declare_check! {
    /// ## What it does
    /// For each workload whose egress a policy restricts (a default deny, or any policy with
    /// Egress in its policyTypes), asks whether its egress still allows DNS: UDP port 53 to the
    /// cluster DNS, the `kube-system` pods labelled `k8s-app: kube-dns` (CoreDNS on EKS; when the
    /// input holds none, a stand-in with those labels). FAIL when UDP 53 is denied; the message
    /// also says whether TCP 53 (used for large answers) is allowed. A workload whose egress is
    /// not restricted, or that uses the node's network, passes.
    ///
    /// ## Why it matters
    /// A default-deny egress policy without a DNS rule breaks every name lookup of the pod: it
    /// cannot reach Services by name, AWS APIs, or anything else. Such outages push teams to
    /// delete the default deny altogether.
    ///
    /// ## How to fix
    /// Next to the default deny, add an egress rule to `namespaceSelector` `kubernetes.io/metadata.name:
    /// kube-system` with `podSelector` `k8s-app: kube-dns`, on UDP and TCP port 53.
    ///
    /// ## References
    /// - EKS Best Practices Guide, Security: network policy (allow DNS egress alongside default deny)
    /// - Kubernetes documentation: Network Policies, default deny all egress traffic
    pub static META = CheckMeta {
        id: "EKS-NP-004",
        name: "dns-egress-blocked",
        title: "Restricted egress does not allow DNS",
        severity: Severity::Low,
        level: Level::Infrastructure,
        control: SeedControl::NetworkPolicies,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Allow egress to kube-system pods labelled k8s-app: kube-dns on UDP and TCP port 53.",
    };
}

pub fn evaluate(context: &Context<'_>, workload: &Workload, object: &Object) -> Vec<Outcome> {
    let view = match workload_view(context, workload, object) {
        Ok(view) => view,
        Err(outcomes) => return outcomes,
    };
    if view.host_network || !view.coverage.egress_protected {
        return Vec::new();
    }
    let dns = &view.coverage.dns;
    let tcp = dns.contains(Protocol::Tcp, 53);
    if dns.contains(Protocol::Udp, 53) {
        let tcp = if tcp { "allowed" } else { "denied" };
        return vec![Outcome::with_status(
            Status::Pass,
            None,
            format!("egress to kube-system/kube-dns on UDP 53 is allowed; TCP 53 is {tcp}"),
        )];
    }
    let tcp = if tcp {
        "TCP 53 is allowed"
    } else {
        "TCP 53 is denied too"
    };
    vec![Outcome::with_status(
        Status::Fail,
        None,
        format!(
            "the egress policies of {} deny DNS: UDP 53 to kube-system pods labelled k8s-app=kube-dns is not allowed ({tcp})",
            workload_name(object)
        ),
    )]
}
