use garrison_core::ecr::SigningConfigurationDocument;
use garrison_core::{Level, Object, SeedControl, Severity, Snapshot, Status};
use serde_json::Value;

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// Looks for an admission control that verifies image signatures and blocks unsigned
    /// images:
    /// - a Kyverno `ClusterPolicy` or `Policy` with a `verifyImages` rule, enforcing when the
    ///   rule's `failureAction` (Kyverno 1.13+) or else the policy's
    ///   `spec.validationFailureAction` is `Enforce` (Kyverno's default is `Audit`);
    /// - a Kyverno `ImageValidatingPolicy` whose `spec.validationActions` include `Deny`;
    /// - a Gatekeeper `RatifyVerification` constraint (Ratify), enforcing unless its
    ///   `spec.enforcementAction` is `dryrun` or `warn`;
    /// - a Sigstore policy-controller `ClusterImagePolicy`, enforcing unless `spec.mode` is `warn`.
    ///
    /// PASS when one enforces; WARN when verification is only audited; FAIL when there is none.
    /// The registry's `aws/ecr/get-signing-configuration.json` is named in the message when ECR
    /// signs pushed images with AWS Signer but nothing verifies them. UNKNOWN when no Kubernetes
    /// objects were collected.
    ///
    /// ## Why it matters
    /// Scanning and registry allow-lists judge where an image comes from, not who built it: a
    /// leaked push credential or a compromised pipeline can publish an image under a trusted
    /// name. Verifying signatures at admission ties what runs to the build system's key.
    ///
    /// ## How to fix
    /// Sign images in the pipeline (ECR managed signing with AWS Signer, Notation or cosign) and
    /// enforce verification at admission: a Kyverno `verifyImages` rule with `failureAction:
    /// Enforce`, Ratify with Gatekeeper, or the Sigstore policy-controller.
    ///
    /// ## References
    /// - EKS Best Practices Guide, Image Security: consider using signed images
    /// - Amazon ECR documentation: managed signing
    /// - Kyverno documentation: verify images rules
    pub static META = CheckMeta {
        id: "EKS-IMG-008",
        name: "image-signature-verification-missing",
        title: "Image signatures are not verified at admission",
        severity: Severity::Medium,
        level: Level::Cluster,
        control: SeedControl::ImageSecurity,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Enforce image signature verification at admission (Kyverno verifyImages, Ratify, policy-controller).",
    };
}

/// The kinds that verify image signatures.
pub const KINDS: &[&str] = &[
    "ClusterPolicy",
    "Policy",
    "ImageValidatingPolicy",
    "RatifyVerification",
    "ClusterImagePolicy",
];

const SIGNING: &str = "ecr/get-signing-configuration.json";

/// Whether `object` verifies signatures: `Some(true)` enforcing, `Some(false)` audit only.
fn verification(object: &Object) -> Option<bool> {
    let spec = object.value.get("spec")?;
    let text = |value: Option<&Value>| value.and_then(Value::as_str).map(str::to_ascii_lowercase);
    match (object.kind.as_str(), object.group()) {
        ("ClusterPolicy" | "Policy", "kyverno.io") => {
            let policy_action = text(spec.get("validationFailureAction"));
            let mut found = None;
            for rule in spec.get("rules")?.as_array()? {
                for verify in rule
                    .get("verifyImages")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let action = text(verify.get("failureAction")).or(policy_action.clone());
                    let enforcing = action.as_deref() == Some("enforce");
                    found = Some(found.unwrap_or(false) || enforcing);
                }
            }
            found
        }
        ("ImageValidatingPolicy", _) => Some(
            spec.get("validationActions")
                .and_then(Value::as_array)
                .is_some_and(|actions| actions.iter().any(|a| a.as_str() == Some("Deny"))),
        ),
        ("RatifyVerification", _) => Some(!matches!(
            text(spec.get("enforcementAction")).as_deref(),
            Some("dryrun" | "warn")
        )),
        ("ClusterImagePolicy", _) => Some(text(spec.get("mode")).as_deref() != Some("warn")),
        _ => None,
    }
}

pub fn evaluate(context: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    let resource = cluster_resource(snapshot, None);
    if context.inventory.objects.is_empty() {
        return vec![ResourceOutcome::new(
            &resource,
            crate::engine::Outcome::with_status(
                Status::Unknown,
                None,
                "no Kubernetes objects were collected",
            ),
        )];
    }
    let mut enforcing = Vec::new();
    let mut auditing = Vec::new();
    for object in context
        .inventory
        .objects
        .iter()
        .filter(|object| KINDS.contains(&object.kind.as_str()))
    {
        let name = match &object.namespace {
            Some(namespace) => format!("{} {namespace}/{}", object.kind, object.name),
            None => format!("{} {}", object.kind, object.name),
        };
        match verification(object) {
            Some(true) => enforcing.push(name),
            Some(false) => auditing.push(name),
            None => {}
        }
    }
    let signing = snapshot
        .document::<SigningConfigurationDocument>(SIGNING)
        .ok()
        .and_then(|document| document.signing_configuration)
        .filter(|configuration| !configuration.rules.is_empty())
        .map(|configuration| {
            format!(
                "; ECR signs pushed images ({} rule(s) in aws/{SIGNING}) but nothing checks the signatures",
                configuration.rules.len()
            )
        })
        .unwrap_or_default();
    vec![if !enforcing.is_empty() {
        result(
            &resource,
            Status::Pass,
            "",
            format!(
                "image signatures are verified at admission by {}",
                enforcing.join(", ")
            ),
        )
    } else if !auditing.is_empty() {
        result(
            &resource,
            Status::Warn,
            "",
            format!(
                "image signatures are verified in audit mode only, by {}: unsigned images are admitted{signing}",
                auditing.join(", ")
            ),
        )
    } else {
        result(
            &resource,
            Status::Fail,
            "",
            format!("no admission policy verifies image signatures{signing}"),
        )
    }]
}
