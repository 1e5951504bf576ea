use garrison_core::{Level, Object, SeedControl, Severity, Workload};

use crate::checks::lazy_containers;
use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// Reports containers that keep the `NET_RAW` capability: it is in the runtime's default set,
    /// so a container keeps it unless `capabilities.drop` lists `NET_RAW` or `ALL` (in any case),
    /// and one that adds it back in `capabilities.add` keeps it whatever it drops. Windows pods
    /// (`os.name: windows` or a `kubernetes.io/os: windows` node selector) are not judged.
    ///
    /// ## Why it matters
    /// `NET_RAW` lets a process open raw and packet sockets: forge packets with any source
    /// address, spoof ARP and DNS answers to other pods on the node's network, and sniff traffic
    /// that reaches the pod's interface. It is the capability behind most in-cluster
    /// man-in-the-middle attacks, and almost no application needs it (`ping` can use ICMP
    /// sockets without it).
    ///
    /// ## How to fix
    /// Add `NET_RAW` (or better `ALL`) to `securityContext.capabilities.drop` in every container,
    /// and remove it from `capabilities.add`.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 5.2.7: minimize the admission of containers with the NET_RAW capability
    /// - EKS Best Practices Guide, Pod Security: drop NET_RAW
    pub static META = CheckMeta {
        id: "EKS-PSS-033",
        name: "net-raw-capability",
        title: "Container keeps the NET_RAW capability",
        severity: Severity::Medium,
        level: Level::Application,
        control: SeedControl::PodSecurity,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Drop NET_RAW (or ALL) in every container's securityContext.capabilities.",
    };
}

fn is(name: &str, capability: &str) -> bool {
    let name = name.strip_prefix("CAP_").unwrap_or(name);
    name.eq_ignore_ascii_case(capability)
}

/// Windows pods have no Linux capabilities.
fn is_windows(workload: &Workload) -> bool {
    workload
        .spec
        .os
        .as_ref()
        .is_some_and(|os| os.name == "windows")
        || workload
            .spec
            .node_selector
            .as_ref()
            .and_then(|selector| selector.get("kubernetes.io/os"))
            .is_some_and(|os| os == "windows")
}

pub fn evaluate(_: &Context<'_>, workload: &Workload, _: &Object) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    if is_windows(workload) {
        return outcomes;
    }
    for container in lazy_containers(workload) {
        let capabilities = container
            .security_context
            .and_then(|context| context.capabilities.as_ref());
        let added = capabilities
            .and_then(|c| c.add.as_deref())
            .unwrap_or_default()
            .iter()
            .position(|name| is(name, "NET_RAW") || is(name, "ALL"));
        if let Some(index) = added {
            outcomes.push(Outcome::fail(
                container.field(
                    workload,
                    &format!("securityContext/capabilities/add/{index}"),
                ),
                format!("{} adds NET_RAW", container.describe()),
            ));
            continue;
        }
        let dropped = capabilities
            .and_then(|c| c.drop.as_deref())
            .unwrap_or_default()
            .iter()
            .any(|name| is(name, "NET_RAW") || is(name, "ALL"));
        if !dropped {
            outcomes.push(Outcome::fail(
                container.field(workload, "securityContext"),
                format!(
                    "{} keeps NET_RAW: capabilities.drop lists neither NET_RAW nor ALL",
                    container.describe()
                ),
            ));
        }
    }
    outcomes
}
