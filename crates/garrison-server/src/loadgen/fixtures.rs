//! The admission workload every admission load tool and bench shares: 100 namespaces labelled
//! enforce=restricted / warn=restricted / audit=baseline, 100 Cedar forbids (one per namespace,
//! on host networking), an image rule allowing two registries, and AdmissionReviews of about
//! 3 KB that cycle through a compliant Pod (allowed), a Pod that violates restricted (denied
//! with the upstream message) and a Deployment that is warned about.

use serde_json::json;

use crate::admission::pod_security::{NamespaceInfo, NamespaceMap};

/// The `--config` file: the image rule.
pub const CONFIG: &str = "apiVersion: garrison.dev/v1alpha1\nkind: ImagePolicy\nallowedRegistries: [\"registry.k8s.io\", \"public.ecr.aws\"]\n";

/// The Pod Security labels of `team-0` … `team-99`.
pub fn namespaces() -> NamespaceMap {
    let mut namespaces = NamespaceMap::new();
    for team in 0..100 {
        namespaces.insert(
            format!("team-{team}"),
            NamespaceInfo {
                labels: [
                    ("pod-security.kubernetes.io/enforce", "restricted"),
                    ("pod-security.kubernetes.io/warn", "restricted"),
                    ("pod-security.kubernetes.io/audit", "baseline"),
                ]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
                pods: Vec::new(),
            },
        );
    }
    namespaces
}

/// The Cedar admission policies: one forbid per namespace.
pub fn policies() -> String {
    let mut text = String::new();
    for team in 0..100 {
        text.push_str(&format!(
            "forbid(principal, action == k8s::admission::Action::\"create\", resource is k8s::admission::Object)\n  when {{ resource in k8s::admission::Namespace::\"team-{team}\" && resource has podSpec && resource.podSpec.hostNetwork }};\n"
        ));
    }
    text
}

/// A realistic pod spec; `secure` meets restricted.
fn pod_spec(secure: bool) -> serde_json::Value {
    let context = if secure {
        json!({"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}, "readOnlyRootFilesystem": true})
    } else {
        json!({})
    };
    json!({
        "securityContext": if secure { json!({"runAsNonRoot": true, "runAsUser": 10001, "seccompProfile": {"type": "RuntimeDefault"}}) } else { json!({}) },
        "serviceAccountName": "web",
        "containers": [{
            "name": "web",
            "image": "registry.k8s.io/e2e-test-images/agnhost:2.53",
            "args": ["netexec", "--http-port=8080"],
            "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
            "env": [{"name": "MODE", "value": "production"}, {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}],
            "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "256Mi"}},
            "readinessProbe": {"httpGet": {"path": "/healthz", "port": 8080}, "periodSeconds": 5},
            "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080}, "periodSeconds": 10},
            "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}, {"name": "kube-api-access", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "readOnly": true}],
            "securityContext": context,
            "terminationMessagePath": "/dev/termination-log",
            "terminationMessagePolicy": "File",
            "imagePullPolicy": "IfNotPresent"
        }],
        "volumes": [{"name": "tmp", "emptyDir": {}}, {"name": "kube-api-access", "projected": {"sources": [{"serviceAccountToken": {"path": "token", "expirationSeconds": 3607}}, {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}}]}}],
        "restartPolicy": "Always",
        "dnsPolicy": "ClusterFirst",
        "schedulerName": "default-scheduler",
        "terminationGracePeriodSeconds": 30,
        "tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}]
    })
}

/// The AdmissionReview number `index`: a compliant Pod, a violating Pod or a Deployment, in
/// namespace `team-{index % 100}`.
pub fn review(index: usize) -> String {
    let namespace = format!("team-{}", index % 100);
    let (kind, resource, group, object) = match index % 3 {
        0 => (
            "Pod",
            "pods",
            "",
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": format!("web-{index}"), "namespace": namespace, "labels": {"app": "web"}}, "spec": pod_spec(true)}),
        ),
        1 => (
            "Pod",
            "pods",
            "",
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": format!("web-{index}"), "namespace": namespace, "labels": {"app": "web"}}, "spec": pod_spec(false)}),
        ),
        _ => (
            "Deployment",
            "deployments",
            "apps",
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": format!("web-{index}"), "namespace": namespace}, "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": pod_spec(false)}}}),
        ),
    };
    let version = "v1";
    json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": format!("705ab4f5-6393-11e8-b7cc-{index:012}"),
            "kind": {"group": group, "version": version, "kind": kind},
            "resource": {"group": group, "version": version, "resource": resource},
            "requestKind": {"group": group, "version": version, "kind": kind},
            "requestResource": {"group": group, "version": version, "resource": resource},
            "name": format!("web-{index}"),
            "namespace": namespace,
            "operation": "CREATE",
            "userInfo": {"username": "system:serviceaccount:kube-system:replicaset-controller-x", "uid": "6f1c7a3e", "groups": ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"]},
            "object": object,
            "oldObject": null,
            "dryRun": false,
            "options": {"apiVersion": "meta.k8s.io/v1", "kind": "CreateOptions"}
        }
    })
    .to_string()
}
