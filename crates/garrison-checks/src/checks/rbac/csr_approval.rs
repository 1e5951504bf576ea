use garrison_core::{Level, Object, SeedControl, Severity};

use super::{Permission, binding_view, capability};
use crate::engine::{Context, Outcome};

const CERTIFICATES: &str = "certificates.k8s.io";

declare_check! {
    /// ## What it does
    /// Reports each subject of a ClusterRoleBinding that can approve certificate signing
    /// requests: `update` or `patch` on `certificatesigningrequests/approval` together with
    /// `approve` on `signers` (for any signer, or the ones its `resourceNames` list, which are
    /// given). The API server requires both; either alone is not reported.
    ///
    /// ## Why it matters
    /// An approved CSR for the `kubernetes.io/kube-apiserver-client` signer is a client
    /// certificate for any user and any groups the requester chose, `system:masters` included,
    /// valid until it expires and impossible to revoke. Approving for the kubelet signers lets a
    /// subject impersonate nodes.
    ///
    /// ## How to fix
    /// Leave approval to the controllers that need it. Where a controller must approve, limit
    /// `approve` on `signers` to its own signer name with `resourceNames`.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 5.1: minimize access to certificate signing request approval (Prowler rbac_minimize_csr_approval_access)
    /// - Kubernetes documentation: Certificates and Certificate Signing Requests, authorization
    pub static META = CheckMeta {
        id: "EKS-RBAC-CSR",
        name: "csr-approval-access",
        title: "Subject can approve certificate signing requests",
        severity: Severity::Medium,
        level: Level::Cluster,
        control: SeedControl::CisBenchmark,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Remove approval of certificatesigningrequests and approve on signers from the bound role.",
    };
}

const APPROVAL: &[Permission] = &[
    Permission::cluster(
        "update",
        CERTIFICATES,
        "certificatesigningrequests/approval",
    )
    .even_named(),
    Permission::cluster("patch", CERTIFICATES, "certificatesigningrequests/approval").even_named(),
];

const SIGNERS: &[Permission] =
    &[Permission::cluster("approve", CERTIFICATES, "signers").even_named()];

pub fn evaluate(context: &Context<'_>, object: &Object) -> Option<Vec<Outcome>> {
    let view = match binding_view(context, object) {
        Err(unknown) => return Some(vec![unknown]),
        Ok(None) => return None,
        Ok(Some(view)) => view,
    };
    let approval = view.hits(APPROVAL);
    let signers = view.hits(SIGNERS);
    if approval.is_empty() || signers.is_empty() {
        return Some(Vec::new());
    }
    let hits: Vec<_> = approval.into_iter().chain(signers).collect();
    let rules: Vec<_> = hits.iter().map(|hit| hit.rule.clone()).collect();
    Some(view.fail_each_subject(
        &format!(
            "approve certificate signing requests ({})",
            capability(&hits)
        ),
        &rules,
    ))
}
