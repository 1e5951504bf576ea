use garrison_core::{Level, Object, SeedControl, Severity};
use serde_json::Value;

use super::segment;
use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// Reports Ingresses with ingress-nginx snippet annotations: any
    /// `nginx.ingress.kubernetes.io/*-snippet` (`configuration-snippet`, `server-snippet`,
    /// `auth-snippet`, `stream-snippet`, ...). Ingresses without them pass.
    ///
    /// ## Why it matters
    /// A snippet is raw NGINX configuration pasted into the controller, which runs with a service
    /// account that reads every Secret in the cluster. Whoever can create an Ingress can make
    /// the controller serve its token or any Secret (CVE-2021-25742), and snippets have been the
    /// vector of several later ingress-nginx injection flaws. Recent controller versions disable
    /// them by default (`allow-snippet-annotations: false`).
    ///
    /// ## How to fix
    /// Replace the snippet with the dedicated annotation for the feature, or with configuration
    /// the platform team owns in the controller's ConfigMap; keep `allow-snippet-annotations`
    /// off.
    ///
    /// ## References
    /// - CVE-2021-25742: ingress-nginx custom snippets allow retrieval of service account tokens and Secrets
    /// - ingress-nginx documentation: annotations risk levels
    pub static META = CheckMeta {
        id: "EKS-NET-011",
        name: "ingress-nginx-snippet",
        title: "Ingress injects raw NGINX configuration",
        severity: Severity::High,
        level: Level::Application,
        control: SeedControl::NetworkPolicies,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Remove the snippet annotation; use dedicated annotations or controller config.",
    };
}

pub fn evaluate(_: &Context<'_>, object: &Object) -> Option<Vec<Outcome>> {
    let annotations = object
        .metadata()
        .and_then(|metadata| metadata.get("annotations"))
        .and_then(Value::as_object);
    let outcomes = annotations
        .into_iter()
        .flatten()
        .filter(|(key, _)| {
            key.strip_prefix("nginx.ingress.kubernetes.io/")
                .is_some_and(|name| name.ends_with("-snippet"))
        })
        .map(|(key, _)| {
            Outcome::fail(
                format!("/metadata/annotations/{}", segment(key)),
                format!("annotation {key} pastes raw configuration into the NGINX controller"),
            )
        })
        .collect();
    Some(outcomes)
}
