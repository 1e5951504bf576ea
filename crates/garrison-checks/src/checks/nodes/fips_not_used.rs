use garrison_core::aws::eks::DescribeNodegroup;
use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};
use serde_json::Value;

use crate::checks::aws::*;
use crate::engine::{Context, Resource, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// Reports, for each managed node group (`eks/nodegroups/<name>.json`), whether its
    /// `amiType` is a FIPS variant (`BOTTLEROCKET_x86_64_FIPS`, `BOTTLEROCKET_ARM_64_FIPS`, …),
    /// and for each Auto Mode `NodeClass` whether `spec.advancedSecurity.fips` is `true`. PASS
    /// for FIPS nodes; an informational FAIL otherwise. UNKNOWN when neither node groups nor
    /// NodeClasses were collected. The check only matters where a compliance regime (FedRAMP,
    /// FIPS 140-3) requires validated cryptographic modules: disable it elsewhere.
    ///
    /// ## Why it matters
    /// Regulated workloads must use FIPS-validated cryptography end to end; a node whose kernel
    /// and TLS libraries are not validated breaks that requirement for every pod it runs, and
    /// is found only at audit time.
    ///
    /// ## How to fix
    /// Create node groups with a `*_FIPS` AMI type (or set `advancedSecurity.fips: true` on the
    /// Auto Mode NodeClass) and move the regulated workloads to them.
    ///
    /// ## References
    /// - Amazon EKS documentation: AMI types, Bottlerocket FIPS variants
    /// - Amazon EKS Auto Mode documentation: NodeClass advanced security
    pub static META = CheckMeta {
        id: "EKS-OS-004",
        name: "fips-not-used",
        title: "Nodes do not run a FIPS variant",
        severity: Severity::Info,
        level: Level::Infrastructure,
        control: SeedControl::ContainerOptimizedOs,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Where FIPS 140-3 is required, use *_FIPS AMI types or a FIPS NodeClass.",
    };
}

pub fn evaluate(context: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    let mut results = Vec::new();
    let node_groups =
        each_document::<DescribeNodegroup>(snapshot, "eks/nodegroups/", "Nodegroup", &mut results);
    for (document, resource) in node_groups.iter().flatten() {
        let group = &document.nodegroup;
        let resource = resource.clone().with_arn(group.nodegroup_arn.as_deref());
        let ami = group.ami_type.as_deref().unwrap_or("unknown");
        results.push(if ami.contains("_FIPS") {
            result(
                &resource,
                Status::Pass,
                "/nodegroup/amiType",
                format!("{ami} is a FIPS variant"),
            )
        } else {
            result(
                &resource,
                Status::Fail,
                "/nodegroup/amiType",
                format!("{ami} is not a FIPS variant"),
            )
        });
    }
    let mut node_classes = 0;
    for object in context.inventory.objects_of_kind("NodeClass") {
        node_classes += 1;
        let resource = Resource::new(
            "NodeClass",
            object.name.clone(),
            object.origin.file.name.to_string(),
        );
        let fips = object
            .value
            .pointer("/spec/advancedSecurity/fips")
            .and_then(Value::as_bool);
        results.push(if fips == Some(true) {
            result(
                &resource,
                Status::Pass,
                "/spec/advancedSecurity/fips",
                "the NodeClass launches FIPS nodes",
            )
        } else {
            result(
                &resource,
                Status::Fail,
                "/spec/advancedSecurity/fips",
                "the NodeClass does not set advancedSecurity.fips: its nodes are not FIPS variants",
            )
        });
    }
    if node_groups.is_none() && node_classes == 0 {
        results.push(unknown(
            &cluster_resource(snapshot, None),
            "eks/nodegroups/",
            &garrison_core::snapshot::Missing::NotCollected,
        ));
    }
    results
}
