use garrison_core::{Level, Object, SeedControl, Severity};

use super::{Permission, judge};
use crate::engine::{Context, Outcome};

const ADMISSION: &str = "admissionregistration.k8s.io";

declare_check! {
    /// ## What it does
    /// Reports each subject of a ClusterRoleBinding that can create, update, patch or delete
    /// ValidatingWebhookConfigurations or MutatingWebhookConfigurations, also when limited by
    /// `resourceNames` to some of them (the names are given). Webhook configurations are
    /// cluster-scoped, so only ClusterRoleBindings grant this.
    ///
    /// ## Why it matters
    /// A mutating webhook sees, and can change, every object it selects as it is created: it can
    /// add containers or host mounts to pods and read Secrets as they are written. Deleting or
    /// loosening a validating webhook switches off the policy it enforces. Whoever controls
    /// webhook configurations controls admission for the whole cluster.
    ///
    /// ## How to fix
    /// Remove write access to webhook configurations. Controllers that rotate their own
    /// webhook's CA bundle need `update`/`patch` on their own configuration only: limit the rule
    /// with `resourceNames`.
    ///
    /// ## References
    /// - CIS Amazon EKS Benchmark 4.1.11: minimize access to webhook configuration objects
    /// - Kubernetes documentation: Dynamic Admission Control
    pub static META = CheckMeta {
        id: "EKS-CIS-4.1.11",
        name: "webhook-configuration-access",
        title: "Subject can change admission webhook configurations",
        severity: Severity::High,
        level: Level::Cluster,
        control: SeedControl::CisBenchmark,
        cis: Some("4.1.11"),
        security_hub: None,
        pss: None,
        remediation: "Remove write verbs on webhook configurations, or limit them to the controller's own with resourceNames.",
    };
}

const PERMISSIONS: &[Permission] = &[
    Permission::cluster("create", ADMISSION, "validatingwebhookconfigurations").even_named(),
    Permission::cluster("update", ADMISSION, "validatingwebhookconfigurations").even_named(),
    Permission::cluster("patch", ADMISSION, "validatingwebhookconfigurations").even_named(),
    Permission::cluster("delete", ADMISSION, "validatingwebhookconfigurations").even_named(),
    Permission::cluster("create", ADMISSION, "mutatingwebhookconfigurations").even_named(),
    Permission::cluster("update", ADMISSION, "mutatingwebhookconfigurations").even_named(),
    Permission::cluster("patch", ADMISSION, "mutatingwebhookconfigurations").even_named(),
    Permission::cluster("delete", ADMISSION, "mutatingwebhookconfigurations").even_named(),
];

pub fn evaluate(context: &Context<'_>, object: &Object) -> Option<Vec<Outcome>> {
    judge(context, object, PERMISSIONS)
}
