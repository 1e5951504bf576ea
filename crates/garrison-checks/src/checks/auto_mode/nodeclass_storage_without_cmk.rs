use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// One result per `NodeClass`: PASS when `spec.ephemeralStorage.kmsKeyID` names a customer key,
    /// FAIL otherwise (volumes are still encrypted, with the AWS-managed key).
    ///
    /// ## Why it matters
    /// A customer-managed key lets you restrict and audit who can read node volumes and their
    /// snapshots, which policy often requires.
    ///
    /// ## How to fix
    /// Set `spec.ephemeralStorage.kmsKeyID` to a customer-managed key the Auto Mode node role can
    /// use.
    ///
    /// ## References
    /// - EKS documentation: Automate cluster infrastructure with EKS Auto Mode
    /// - EKS documentation: Create a Node Class for Amazon EKS
    pub static META = CheckMeta {
        id: "EKS-AUTO-005",
        name: "nodeclass-storage-without-cmk",
        title: "Auto Mode NodeClass ephemeral storage uses the default key",
        severity: Severity::Low,
        level: Level::Infrastructure,
        control: SeedControl::AutoMode,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Set a customer-managed kmsKeyID for NodeClass ephemeral storage.",
    };
}

fn node_classes<'a>(context: &'a Context<'_>) -> impl Iterator<Item = &'a garrison_core::Object> {
    context
        .inventory
        .objects
        .iter()
        .filter(|o| o.kind == "NodeClass" && o.api_version.starts_with("eks.amazonaws.com/"))
}

pub fn evaluate(context: &Context<'_>, _: &Snapshot) -> Vec<ResourceOutcome> {
    node_classes(context)
        .map(|class| {
            let resource = crate::engine::Resource::new(
                "NodeClass",
                class.name.clone(),
                class.origin.file.name.to_string(),
            );
            match class
                .value
                .pointer("/spec/ephemeralStorage/kmsKeyID")
                .and_then(serde_json::Value::as_str)
            {
                Some(key) => result(
                    &resource,
                    Status::Pass,
                    "/spec/ephemeralStorage/kmsKeyID",
                    format!("ephemeral storage is encrypted with {key}"),
                ),
                None => result(
                    &resource,
                    Status::Fail,
                    "/spec/ephemeralStorage",
                    "ephemeral storage uses the AWS-managed key",
                ),
            }
        })
        .collect()
}
