use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};
use serde_json::Value;

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// Looks for what issues certificates for traffic inside the cluster: the AWS Private CA
    /// issuer for cert-manager (an `AWSPCAClusterIssuer` or `AWSPCAIssuer`, or the
    /// `aws-privateca-issuer` Deployment), or an Istio `PeerAuthentication` that makes mutual
    /// TLS `STRICT`. PASS naming what was found; FAIL (informational) when there is none;
    /// UNKNOWN when no Kubernetes objects were collected. A PeerAuthentication in `PERMISSIVE`
    /// mode does not count: it still accepts plaintext.
    ///
    /// ## Why it matters
    /// Traffic between pods crosses the VPC unencrypted unless the applications or a mesh
    /// encrypt it; anyone who can capture it on a node, or a pod with `hostNetwork`, reads the
    /// requests and the credentials in them. A private CA gives workloads certificates that
    /// chain to a root the organisation controls, and mutual TLS lets services authenticate
    /// each other.
    ///
    /// ## How to fix
    /// Install cert-manager with the `aws-privateca-issuer` plugin and an `AWSPCAClusterIssuer`
    /// backed by AWS Private CA, or a service mesh with `STRICT` mutual TLS.
    ///
    /// ## References
    /// - EKS Best Practices Guide, Network security: encryption in transit, ACM Private CA with cert-manager
    /// - AWS Private CA documentation: securing Kubernetes with cert-manager
    pub static META = CheckMeta {
        id: "EKS-ENC-011",
        name: "no-private-ca-issuer",
        title: "No private CA issuer or strict mutual TLS for in-cluster traffic",
        severity: Severity::Info,
        level: Level::Cluster,
        control: SeedControl::Encryption,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Issue in-cluster certificates from AWS Private CA (cert-manager) or enforce mesh mTLS.",
    };
}

/// The kinds whose bodies the check reads.
pub const KINDS: &[&str] = &["AWSPCAClusterIssuer", "AWSPCAIssuer", "PeerAuthentication"];

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
    let found: Vec<String> = context
        .inventory
        .objects
        .iter()
        .filter(|object| match object.kind.as_str() {
            "AWSPCAClusterIssuer" | "AWSPCAIssuer" => true,
            "Deployment" => object.name == "aws-privateca-issuer",
            "PeerAuthentication" => {
                object
                    .value
                    .pointer("/spec/mtls/mode")
                    .and_then(Value::as_str)
                    == Some("STRICT")
            }
            _ => false,
        })
        .map(|object| match &object.namespace {
            Some(namespace) => format!("{} {namespace}/{}", object.kind, object.name),
            None => format!("{} {}", object.kind, object.name),
        })
        .collect();
    vec![if found.is_empty() {
        result(
            &resource,
            Status::Fail,
            "",
            "no AWS Private CA issuer and no STRICT mutual TLS: in-cluster traffic is encrypted only where applications do it themselves",
        )
    } else {
        result(
            &resource,
            Status::Pass,
            "",
            format!("in-cluster certificates or mTLS from {}", found.join(", ")),
        )
    }]
}
