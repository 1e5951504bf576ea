use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// Joins the AWS and Kubernetes planes: for each standard access entry with `kubernetesGroups`,
    /// asks garrison's RBAC evaluator whether a user in those groups may do every verb on every
    /// resource cluster-wide (`*` `*`), which is what `cluster-admin` grants. FAIL names the binding and
    /// role that grant it; PASS otherwise. Entries without groups are not reported.
    ///
    /// ## Why it matters
    /// A group name in an access entry looks harmless in the AWS console, while a ClusterRoleBinding
    /// in the cluster silently turns it into cluster-admin. Neither side alone shows the grant, and
    /// no other tool joins them.
    ///
    /// ## How to fix
    /// Bind the group to a narrower role, or use an access policy scoped to namespaces; keep
    /// cluster-admin grants on named break-glass principals.
    ///
    /// ## References
    /// - EKS documentation: Associate access policies with access entries
    /// - Kubernetes documentation: Using RBAC Authorization
    pub static META = CheckMeta {
        id: "EKS-CAM-007",
        name: "access-entry-group-admin",
        title: "Access-entry Kubernetes groups resolve to cluster-admin RBAC",
        severity: Severity::High,
        level: Level::Cluster,
        control: SeedControl::ClusterAccessManagement,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Bind access-entry groups to narrower roles.",
    };
}

pub fn evaluate(context: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    use garrison_authz::rbac::{Request, UserInfo};
    let mut results = Vec::new();
    let Some(entries) = access_entries(snapshot, &mut results) else {
        return vec![unknown(
            &cluster_resource(snapshot, None),
            "eks/access-entries/",
            &garrison_core::snapshot::Missing::NotCollected,
        )];
    };
    let index = crate::checks::rbac::index(context);
    let request = Request::resource("*", "*", "*");
    for entry in entries.iter().filter(|entry| !entry.entry.is_node()) {
        if entry.entry.kubernetes_groups.is_empty() {
            continue;
        }
        // A name no binding mentions: only the groups can grant anything.
        let user = UserInfo::impersonated(
            "garrison:access-entry-probe",
            &entry.entry.kubernetes_groups,
        );
        let groups = entry.entry.kubernetes_groups.join(", ");
        results.push(match index.authorizer.can_i(&user, &request) {
            Some(grant) => result(
                &entry.resource,
                Status::Fail,
                "/accessEntry/kubernetesGroups",
                format!(
                    "groups [{groups}] can do anything in the cluster through {} ({})",
                    grant.binding, grant.role
                ),
            ),
            None => result(
                &entry.resource,
                Status::Pass,
                "/accessEntry/kubernetesGroups",
                format!("groups [{groups}] do not amount to cluster-admin"),
            ),
        });
    }
    results
}
