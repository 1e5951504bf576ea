use garrison_core::{Level, Object, SeedControl, Severity};
use serde_json::Value;

use super::{is_alb_ingress, service_type};
use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// Reports load balancers that do not terminate TLS. An Ingress passes with a `spec.tls`
    /// section or, for an ALB, an `alb.ingress.kubernetes.io/certificate-arn` annotation. Without
    /// them an ALB Ingress fails (the ALB itself serves HTTP); an Ingress of another controller is
    /// a warning, since the load balancer in front of that controller may terminate TLS. A Service
    /// of type `LoadBalancer` passes with the `service.beta.kubernetes.io/aws-load-balancer-ssl-cert`
    /// annotation, and is a warning without it (the pods behind it may terminate TLS themselves,
    /// which a manifest cannot show). Other Services are not judged.
    ///
    /// ## Why it matters
    /// Without TLS, credentials, session cookies and data cross the VPC and the internet in
    /// clear text, readable and modifiable by anyone on the path.
    ///
    /// ## How to fix
    /// Add an ACM certificate: the `certificate-arn` annotation (and `listen-ports` with HTTPS)
    /// on an ALB Ingress, `spec.tls` for other Ingress controllers, or the `ssl-cert` and
    /// `ssl-ports` annotations on an NLB Service.
    ///
    /// ## References
    /// - EKS Best Practices Guide, Data Encryption: encryption in transit
    /// - AWS Load Balancer Controller documentation: TLS annotations
    pub static META = CheckMeta {
        id: "EKS-ENC-010",
        name: "load-balancer-without-tls",
        title: "Load balancer does not terminate TLS",
        severity: Severity::Medium,
        level: Level::Application,
        control: SeedControl::Encryption,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Terminate TLS at the load balancer with an ACM certificate.",
    };
}

pub fn evaluate(_: &Context<'_>, object: &Object) -> Option<Vec<Outcome>> {
    if object.kind == "Ingress" {
        let has_tls = object
            .value
            .pointer("/spec/tls")
            .and_then(Value::as_array)
            .is_some_and(|tls| !tls.is_empty());
        let alb = is_alb_ingress(object);
        let has_certificate = alb
            && object
                .annotation("alb.ingress.kubernetes.io/certificate-arn")
                .is_some_and(|arn| !arn.is_empty());
        if has_tls || has_certificate {
            return Some(Vec::new());
        }
        return Some(vec![if alb {
            Outcome::fail(
                "/spec",
                "the ALB Ingress has no certificate-arn and no tls section: the ALB serves plain HTTP",
            )
        } else {
            Outcome::warn(
                "/spec",
                "the Ingress has no tls section: plain HTTP unless the load balancer in front of its controller terminates TLS",
            )
        }]);
    }
    if service_type(object) != "LoadBalancer" {
        return None;
    }
    if object
        .annotation("service.beta.kubernetes.io/aws-load-balancer-ssl-cert")
        .is_some_and(|arn| !arn.is_empty())
    {
        return Some(Vec::new());
    }
    Some(vec![Outcome::warn(
        "/spec/type",
        "the load balancer has no TLS certificate: traffic is in clear text unless the pods terminate TLS",
    )])
}
