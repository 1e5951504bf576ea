//! How applications are reachable: Services and Ingresses that put them on the network.

pub mod external_ips;
pub mod external_name_service;
pub mod ingress_nginx_snippets;
pub mod internet_facing_load_balancer;
pub mod load_balancer_without_tls;
pub mod node_port_service;

use garrison_core::Object;
use serde_json::Value;

/// `spec.type` of a Service (`ClusterIP` when absent).
pub(crate) fn service_type(object: &Object) -> &str {
    object
        .value
        .pointer("/spec/type")
        .and_then(Value::as_str)
        .unwrap_or("ClusterIP")
}

/// Whether an Ingress is served by the AWS Load Balancer Controller (an ALB).
pub(crate) fn is_alb_ingress(object: &Object) -> bool {
    let class = object
        .value
        .pointer("/spec/ingressClassName")
        .and_then(Value::as_str)
        .or_else(|| object.annotation("kubernetes.io/ingress.class"));
    class == Some("alb")
        || object
            .metadata()
            .and_then(|metadata| metadata.get("annotations"))
            .and_then(Value::as_object)
            .is_some_and(|annotations| {
                annotations
                    .keys()
                    .any(|key| key.starts_with("alb.ingress.kubernetes.io/"))
            })
}

/// Escapes a key for a JSON pointer segment.
pub(crate) fn segment(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}
