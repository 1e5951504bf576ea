use garrison_core::{Level, Object, SeedControl, Severity, Workload};

use crate::checks::run_as_user;
use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// Reports workloads with a container that may run as root: `runAsUser: 0` at the container or
    /// pod level, or `runAsNonRoot` not `true` for the container (its own setting wins over the
    /// pod's).
    ///
    /// ## Why it matters
    /// Root in a container is root on the node's kernel with a thin layer of namespaces around it.
    /// Every kernel or runtime escape is easier from UID 0, and files written to shared volumes
    /// are owned by root.
    ///
    /// ## How to fix
    /// Set `runAsNonRoot: true` in the pod's `securityContext` and a non-zero `runAsUser`, and build
    /// images with a `USER` other than root.
    ///
    /// ## References
    /// - Pod Security Standards, restricted: Running as Non-root, Running as Non-root user
    /// - EKS Best Practices Guide, Pod Security: run the application as a non-root user
    pub static META = CheckMeta {
        id: "EKS-PSS-008",
        name: "container-runs-as-root",
        title: "Container may run as root",
        severity: Severity::Medium,
        level: Level::Application,
        control: SeedControl::PodSecurity,
        cis: None,
        security_hub: None,
        pss: Some("runAsNonRoot"),
        remediation: "Set runAsNonRoot: true and a non-zero runAsUser in the pod's securityContext.",
    };
}

pub fn evaluate(_: &Context<'_>, workload: &Workload, _: &Object) -> Vec<Outcome> {
    let pod_non_root = workload
        .spec
        .security_context
        .as_ref()
        .and_then(|context| context.run_as_non_root);
    let mut outcomes = Vec::new();
    for container in workload.containers() {
        if let Some((0, pointer)) = run_as_user(workload, &container) {
            outcomes.push(Outcome::fail(
                pointer,
                format!("{} runs as UID 0 (runAsUser: 0)", container.describe()),
            ));
            continue;
        }
        let non_root = container
            .security_context
            .and_then(|context| context.run_as_non_root)
            .or(pod_non_root);
        match non_root {
            Some(true) => {}
            Some(false) => outcomes.push(Outcome::fail(
                container.field("securityContext/runAsNonRoot"),
                format!("{} sets runAsNonRoot: false", container.describe()),
            )),
            None => outcomes.push(Outcome::fail(
                container.field("securityContext/runAsNonRoot"),
                format!(
                    "{} does not set runAsNonRoot: true (neither does the pod)",
                    container.describe()
                ),
            )),
        }
    }
    outcomes
}
