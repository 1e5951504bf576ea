use garrison_core::{Level, Object, SeedControl, Severity, Workload};

use crate::checks::pss_control;
use crate::engine::{Context, Outcome};
use crate::pss::PssCheckId;

declare_check! {
    /// ## What it does
    /// Reports containers whose liveness, readiness or startup probes, or `postStart`/`preStop`
    /// hooks, set `httpGet.host` or `tcpSocket.host`. Judged by the Pod Security Standards engine (baseline
    /// control `hostProbesAndHostLifecycle`, policy v1.34 and later).
    ///
    /// ## Why it matters
    /// The kubelet runs probes and HTTP hooks from the node, with the node's network identity. A host
    /// field turns it into a proxy that reaches addresses the pod itself cannot: the instance metadata
    /// service, the API server's private endpoint, services behind security groups that trust the node.
    ///
    /// ## How to fix
    /// Remove the `host` field so the probe targets the pod's own IP; probe the pod, not another
    /// service.
    ///
    /// ## References
    /// - Pod Security Standards, baseline: Probes and Lifecycle Hooks (v1.34)
    /// - Kubernetes documentation: Configure Liveness, Readiness and Startup Probes
    pub static META = CheckMeta {
        id: "EKS-PSS-028",
        name: "probe-or-lifecycle-host",
        title: "Probe or lifecycle hook targets another host",
        severity: Severity::Medium,
        level: Level::Application,
        control: SeedControl::PodSecurity,
        cis: None,
        security_hub: None,
        pss: Some("hostProbesAndHostLifecycle"),
        remediation: "Remove host from the probe or lifecycle handler.",
    };
}

pub fn evaluate(_: &Context<'_>, workload: &Workload, object: &Object) -> Vec<Outcome> {
    pss_control(workload, object, PssCheckId::HostProbesAndHostLifecycle)
}
