use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// Joins three facts that are each reported on their own (EKS-NET-002, EKS-CAM-001, EKS-CAM-008)
    /// into the attack path of research §6.2: the public endpoint admits the whole internet, the
    /// cluster still honours the aws-auth ConfigMap, and aws-auth maps an IAM principal to
    /// `system:masters`. FAIL when all three hold, naming each fact; PASS when at least one does not
    /// (saying which); UNKNOWN when the cluster description is missing.
    ///
    /// ## Why it matters
    /// Together they mean that anyone, from anywhere, who obtains credentials for the mapped IAM
    /// principal (a leaked CI key is enough) is cluster administrator in a way no RBAC change can
    /// revoke. Each fact alone is a weakness; the combination is a direct takeover path.
    ///
    /// ## How to fix
    /// Break any link: restrict `publicAccessCidrs` (or make the endpoint private), switch the
    /// authentication mode to `API`, or remove the `system:masters` mapping. Removing the mapping is
    /// the link that matters most.
    ///
    /// ## References
    /// - garrison research note eks-posture §6.2 (severity escalation through joined conditions)
    /// - EKS documentation: Cluster API server endpoint
    /// - EKS documentation: Grant IAM users access to Kubernetes with EKS access entries
    pub static META = CheckMeta {
        id: "EKS-PATH-001",
        name: "public-endpoint-to-system-masters",
        title: "Internet-reachable API with an irrevocable system:masters mapping",
        severity: Severity::Critical,
        level: Level::Cluster,
        control: SeedControl::ClusterAccessManagement,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Remove system:masters mappings, restrict the endpoint, or use authentication mode API.",
    };
}

use garrison_core::Object;

/// The principals aws-auth maps to system:masters, as EKS-CAM-008 reports them.
fn masters_mappings(context: &Context<'_>) -> Vec<String> {
    let aws_auth: Option<&Object> =
        context.inventory.objects.iter().find(|o| {
            o.kind == "ConfigMap" && o.name == "aws-auth" && o.in_namespace("kube-system")
        });
    let Some(aws_auth) = aws_auth else {
        return Vec::new();
    };
    crate::checks::access::aws_auth_system_masters::evaluate(context, aws_auth)
        .unwrap_or_default()
        .into_iter()
        .filter(|outcome| outcome.status == Status::Fail)
        .map(|outcome| outcome.message)
        .collect()
}

pub fn evaluate(context: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    with_cluster(snapshot, |cluster, resource| {
        let vpc = cluster.resources_vpc_config.clone().unwrap_or_default();
        let world_open = vpc.endpoint_public_access == Some(true)
            && vpc
                .public_access_cidrs
                .as_ref()
                .is_none_or(|cidrs| cidrs.iter().any(|c| c == "0.0.0.0/0" || c == "::/0"));
        let mode = cluster
            .access_config
            .as_ref()
            .and_then(|a| a.authentication_mode.clone())
            .unwrap_or_else(|| "CONFIG_MAP".to_string());
        let honours_aws_auth = mode != "API";
        let masters = masters_mappings(context);
        let facts = [
            (
                world_open,
                "the public endpoint admits the whole internet (EKS-NET-002)".to_string(),
                "the endpoint is not open to the whole internet",
            ),
            (
                honours_aws_auth,
                format!("authentication mode {mode} honours aws-auth (EKS-CAM-001)"),
                "authentication mode API ignores aws-auth",
            ),
            (
                !masters.is_empty(),
                format!("{} (EKS-CAM-008)", masters.join("; ")),
                "aws-auth maps no principal to system:masters",
            ),
        ];
        if facts.iter().all(|(holds, ..)| *holds) {
            let joined: Vec<String> = facts.into_iter().map(|(_, fact, _)| fact).collect();
            vec![result(
                resource,
                Status::Fail,
                "/cluster",
                format!("attack path: {}", joined.join(" + ")),
            )]
        } else {
            let broken: Vec<&str> = facts
                .iter()
                .filter(|(holds, ..)| !holds)
                .map(|(_, _, broken)| *broken)
                .collect();
            vec![result(
                resource,
                Status::Pass,
                "/cluster",
                format!("the path is broken: {}", broken.join("; ")),
            )]
        }
    })
}
