use garrison_core::{Level, Object, SeedControl, Severity, Workload};

use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// Reports workloads with a container (init, regular or ephemeral) that sets
    /// `securityContext.privileged: true`, or a Windows container that sets
    /// `securityContext.windowsOptions.hostProcess: true`.
    ///
    /// ## Why it matters
    /// A privileged container has every capability and every device of the node. Escaping to the
    /// node is a matter of mounting its disk; on EKS that also means the node's IAM role through
    /// the instance metadata service, and the kubelet's credentials.
    ///
    /// ## How to fix
    /// Remove `privileged: true`. Grant the one capability the process needs with
    /// `capabilities.add` instead, or move node-level work to an EKS add-on or a DaemonSet in a
    /// namespace reserved for platform components.
    ///
    /// ## References
    /// - Pod Security Standards, baseline: Privileged Containers
    /// - CIS Amazon EKS Benchmark 4.2.1
    /// - EKS Best Practices Guide, Pod Security
    pub static META = CheckMeta {
        id: "EKS-PSS-003",
        name: "privileged-container",
        title: "Privileged container",
        severity: Severity::High,
        level: Level::Application,
        control: SeedControl::PodSecurity,
        cis: Some("4.2.1"),
        security_hub: None,
        pss: Some("privileged"),
        remediation: "Remove securityContext.privileged; add only the capabilities the process needs.",
    };
}

pub fn evaluate(_: &Context<'_>, workload: &Workload, _: &Object) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    for container in workload.containers() {
        let Some(context) = container.security_context else {
            continue;
        };
        if context.privileged == Some(true) {
            outcomes.push(Outcome::fail(
                container.field("securityContext/privileged"),
                format!("{} runs privileged", container.describe()),
            ));
        }
        let host_process = context
            .windows_options
            .as_ref()
            .and_then(|options| options.host_process);
        if host_process == Some(true) {
            outcomes.push(Outcome::fail(
                container.field("securityContext/windowsOptions/hostProcess"),
                format!(
                    "{} is a Windows HostProcess container",
                    container.describe()
                ),
            ));
        }
    }
    outcomes
}
