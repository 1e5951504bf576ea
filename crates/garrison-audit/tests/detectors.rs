//! Each GuardDuty-type and CloudTrail detector on events written from the formats: the case it
//! exists for, and near misses that must not fire.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use garrison_audit::engine::{Config, Engine, Origin};
use garrison_audit::event::{AuditEvent, CloudTrailRecord};
use garrison_audit::{DETECTORS, find_detector};
use serde_json::{Value, json};

fn origin() -> Origin {
    Origin {
        file: Arc::from("test.jsonl"),
        line: 1,
    }
}

/// The ids of the detectors that fire on these events, in order, with duplicates.
fn fired(events: &[Value]) -> Vec<&'static str> {
    let config = Config::default();
    let mut engine = Engine::new(DETECTORS.to_vec(), &config);
    for event in events {
        let text = event.to_string();
        if event.get("eventSource").is_some() {
            let record: CloudTrailRecord<'_> = serde_json::from_str(&text).unwrap();
            engine.cloudtrail(&record, &origin());
        } else {
            let event = AuditEvent::parse(&text).unwrap();
            engine.audit(&event, &origin());
        }
    }
    engine.findings.iter().map(|f| f.check.id).collect()
}

fn id(name: &str) -> &'static str {
    find_detector(name)
        .unwrap_or_else(|| panic!("no detector {name}"))
        .meta
        .id
}

fn count(events: &[Value], name: &str) -> usize {
    let id = id(name);
    fired(events).iter().filter(|fired| **fired == id).count()
}

/// An audit event as the API server logs it (v1), with `patch` applied on top.
fn event(verb: &str, object: Value, patch: Value) -> Value {
    let mut event = json!({
        "kind": "Event",
        "apiVersion": "audit.k8s.io/v1",
        "level": "RequestResponse",
        "auditID": "4d1c1e52-0b5a-4a7e-9a43-3f1f2b7d0c11",
        "stage": "ResponseComplete",
        "requestURI": "/api/v1/namespaces/default/pods",
        "verb": verb,
        "user": {"username": "arn:aws:sts::111122223333:assumed-role/dev/alice", "groups": ["system:authenticated"]},
        "sourceIPs": ["203.0.113.7"],
        "userAgent": "kubectl/v1.33.0 (linux/amd64) kubernetes/abc",
        "objectRef": object,
        "responseStatus": {"metadata": {}, "code": 201},
        "requestReceivedTimestamp": "2026-11-29T10:00:00.000000Z",
        "stageTimestamp": "2026-11-29T10:00:00.010000Z",
        "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}
    });
    merge(&mut event, patch);
    event
}

fn merge(target: &mut Value, patch: Value) {
    match (target, patch) {
        (Value::Object(target), Value::Object(patch)) => {
            for (key, value) in patch {
                if value.is_null() {
                    target.remove(&key);
                } else {
                    merge(target.entry(key).or_insert(Value::Null), value);
                }
            }
        }
        (target, patch) => *target = patch,
    }
}

fn exec(namespace: &str, stage: &str) -> Value {
    event(
        "create",
        json!({"resource": "pods", "namespace": namespace, "name": "aws-node-x1", "subresource": "exec", "apiVersion": "v1"}),
        json!({"stage": stage, "requestURI": format!("/api/v1/namespaces/{namespace}/pods/aws-node-x1/exec?command=sh&stdin=true"), "responseStatus": {"code": 101}}),
    )
}

#[test]
fn exec_in_kube_system_pod() {
    let name = "gd-exec-in-kube-system-pod";
    // Started and completed stages of one exec: one finding.
    assert_eq!(
        count(
            &[
                exec("kube-system", "ResponseStarted"),
                exec("kube-system", "ResponseComplete")
            ],
            name
        ),
        1
    );
    assert_eq!(count(&[exec("default", "ResponseStarted")], name), 0);
    let logs = event(
        "get",
        json!({"resource": "pods", "namespace": "kube-system", "name": "aws-node-x1", "subresource": "log"}),
        json!({}),
    );
    assert_eq!(count(&[logs], name), 0);
}

fn binding(kind: &str, role: &str, subjects: Value, code: u16) -> Value {
    let resource = if kind == "ClusterRoleBinding" {
        "clusterrolebindings"
    } else {
        "rolebindings"
    };
    let namespace = if kind == "RoleBinding" { "team-a" } else { "" };
    event(
        "create",
        json!({"resource": resource, "namespace": namespace, "name": "b1", "apiGroup": "rbac.authorization.k8s.io"}),
        json!({
            "responseStatus": {"code": code},
            "requestObject": {
                "kind": kind, "apiVersion": "rbac.authorization.k8s.io/v1",
                "metadata": {"name": "b1"},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
                "subjects": subjects
            }
        }),
    )
}

#[test]
fn admin_access_to_default_service_account() {
    let name = "gd-admin-to-default-service-account";
    let default_sa = json!([{"kind": "ServiceAccount", "name": "default", "namespace": "team-a"}]);
    assert_eq!(
        count(
            &[binding(
                "ClusterRoleBinding",
                "cluster-admin",
                default_sa.clone(),
                201
            )],
            name
        ),
        1
    );
    assert_eq!(
        count(
            &[binding("RoleBinding", "admin", default_sa.clone(), 201)],
            name
        ),
        1
    );
    // A narrower role, another service account, a refused request: no finding.
    assert_eq!(
        count(
            &[binding(
                "ClusterRoleBinding",
                "view",
                default_sa.clone(),
                201
            )],
            name
        ),
        0
    );
    let other = json!([{"kind": "ServiceAccount", "name": "deployer", "namespace": "team-a"}]);
    assert_eq!(
        count(
            &[binding("ClusterRoleBinding", "cluster-admin", other, 201)],
            name
        ),
        0
    );
    assert_eq!(
        count(
            &[binding(
                "ClusterRoleBinding",
                "cluster-admin",
                default_sa,
                403
            )],
            name
        ),
        0
    );
}

#[test]
fn anonymous_access_granted() {
    let name = "gd-anonymous-access-granted";
    let anonymous = json!([{"kind": "User", "name": "system:anonymous", "apiGroup": "rbac.authorization.k8s.io"}]);
    let unauthenticated = json!([{"kind": "Group", "name": "system:unauthenticated", "apiGroup": "rbac.authorization.k8s.io"}]);
    assert_eq!(
        count(
            &[binding(
                "ClusterRoleBinding",
                "view",
                anonymous.clone(),
                201
            )],
            name
        ),
        1
    );
    assert_eq!(
        count(
            &[binding("RoleBinding", "edit", unauthenticated, 201)],
            name
        ),
        1
    );
    let authenticated = json!([{"kind": "Group", "name": "system:authenticated", "apiGroup": "rbac.authorization.k8s.io"}]);
    assert_eq!(
        count(
            &[binding("ClusterRoleBinding", "view", authenticated, 201)],
            name
        ),
        0
    );
    assert_eq!(
        count(
            &[binding("ClusterRoleBinding", "view", anonymous, 403)],
            name
        ),
        0
    );
}

fn service(name: &str, namespace: &str, service_type: &str, selector: Value) -> Value {
    event(
        "create",
        json!({"resource": "services", "namespace": namespace, "name": name, "apiVersion": "v1"}),
        json!({"requestObject": {
            "kind": "Service", "apiVersion": "v1", "metadata": {"name": name, "namespace": namespace},
            "spec": {"type": service_type, "selector": selector, "ports": [{"port": 443, "targetPort": 8443}]}
        }}),
    )
}

#[test]
fn exposed_dashboard() {
    let name = "gd-exposed-dashboard";
    let dashboard = json!({"k8s-app": "kubernetes-dashboard"});
    assert_eq!(
        count(
            &[service(
                "dash",
                "kubernetes-dashboard",
                "LoadBalancer",
                dashboard.clone()
            )],
            name
        ),
        1
    );
    assert_eq!(
        count(
            &[service(
                "kubernetes-dashboard",
                "kube-system",
                "LoadBalancer",
                json!({"app": "ui"})
            )],
            name
        ),
        1
    );
    assert_eq!(
        count(
            &[service(
                "dash",
                "kubernetes-dashboard",
                "ClusterIP",
                dashboard
            )],
            name
        ),
        0
    );
    assert_eq!(
        count(
            &[service(
                "web",
                "default",
                "LoadBalancer",
                json!({"app": "web"})
            )],
            name
        ),
        0
    );
}

#[test]
fn kubeflow_dashboard_exposed() {
    let name = "gd-kubeflow-dashboard-exposed";
    assert_eq!(
        count(
            &[service(
                "centraldashboard",
                "kubeflow",
                "LoadBalancer",
                json!({"app": "centraldashboard"})
            )],
            name
        ),
        1
    );
    assert_eq!(
        count(
            &[service(
                "gw",
                "kubeflow",
                "LoadBalancer",
                json!({"istio": "ingressgateway", "app": "istio-ingressgateway"})
            )],
            name
        ),
        1
    );
    assert_eq!(
        count(
            &[service(
                "centraldashboard",
                "kubeflow",
                "ClusterIP",
                json!({"app": "centraldashboard"})
            )],
            name
        ),
        0
    );
    assert_eq!(
        count(
            &[service(
                "gw",
                "istio-system",
                "LoadBalancer",
                json!({"app": "istio-ingressgateway"})
            )],
            name
        ),
        0
    );
}

fn pod(image: &str, privileged: bool, volumes: Value, mounts: Value) -> Value {
    event(
        "create",
        json!({"resource": "pods", "namespace": "default", "name": "p", "apiVersion": "v1"}),
        json!({"requestObject": {
            "kind": "Pod", "apiVersion": "v1", "metadata": {"name": "p"},
            "spec": {
                "containers": [{"name": "c", "image": image, "securityContext": {"privileged": privileged}, "volumeMounts": mounts}],
                "volumes": volumes
            }
        }}),
    )
}

#[test]
fn privileged_container_reports_an_image_once() {
    let name = "gd-privileged-container";
    let events = [
        pod("evil/miner:1", true, json!([]), json!([])),
        pod("evil/miner:1", true, json!([]), json!([])),
        pod("nginx:1.27", false, json!([]), json!([])),
    ];
    assert_eq!(count(&events, name), 1);
    // A Deployment's template counts too.
    let deployment = event(
        "create",
        json!({"resource": "deployments", "namespace": "default", "name": "d", "apiGroup": "apps"}),
        json!({"requestObject": {"kind": "Deployment", "spec": {"template": {"spec": {"containers": [
            {"name": "c", "image": "tools/debug:2", "securityContext": {"privileged": true}}
        ]}}}}}),
    );
    assert_eq!(count(&[deployment], name), 1);
    let refused = {
        let mut event = pod("evil/miner:1", true, json!([]), json!([]));
        event["responseStatus"]["code"] = json!(403);
        event
    };
    assert_eq!(count(&[refused], name), 0);
}

#[test]
fn container_with_sensitive_mount() {
    let name = "gd-container-with-sensitive-mount";
    let volumes = json!([{"name": "host-etc", "hostPath": {"path": "/etc"}}, {"name": "data", "hostPath": {"path": "/data"}}]);
    let writable = json!([{"name": "host-etc", "mountPath": "/host/etc"}]);
    let read_only = json!([{"name": "host-etc", "mountPath": "/host/etc", "readOnly": true}]);
    let harmless = json!([{"name": "data", "mountPath": "/data"}]);
    assert_eq!(
        count(&[pod("app:1", false, volumes.clone(), writable)], name),
        1
    );
    assert_eq!(
        count(&[pod("app:1", false, volumes.clone(), read_only)], name),
        0
    );
    assert_eq!(count(&[pod("app:1", false, volumes, harmless)], name), 0);
}

fn anonymous(verb: &str, object: Value, uri: &str, code: u16) -> Value {
    event(
        verb,
        object,
        json!({"user": {"username": "system:anonymous", "groups": ["system:unauthenticated"]}, "requestURI": uri, "responseStatus": {"code": code}}),
    )
}

#[test]
fn successful_anonymous_access_by_tactic() {
    let secrets = anonymous(
        "list",
        json!({"resource": "secrets", "namespace": "default"}),
        "/api/v1/namespaces/default/secrets",
        200,
    );
    let pods = anonymous("list", json!({"resource": "pods"}), "/api/v1/pods", 200);
    let create_binding = anonymous(
        "create",
        json!({"resource": "clusterrolebindings", "name": "x", "apiGroup": "rbac.authorization.k8s.io"}),
        "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
        201,
    );
    let delete_deployment = anonymous(
        "delete",
        json!({"resource": "deployments", "namespace": "default", "name": "web"}),
        "/apis/apps/v1/namespaces/default/deployments/web",
        200,
    );
    let delete_webhook = anonymous(
        "delete",
        json!({"resource": "validatingwebhookconfigurations", "name": "policy"}),
        "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/policy",
        200,
    );
    let nodes_url = anonymous("get", Value::Null, "/api", 200);
    let healthz = anonymous("get", Value::Null, "/healthz", 200);
    let version = anonymous("get", Value::Null, "/version", 200);
    let forbidden = anonymous(
        "list",
        json!({"resource": "secrets"}),
        "/api/v1/secrets",
        403,
    );

    assert_eq!(
        count(
            &[secrets.clone(), forbidden.clone()],
            "gd-credential-access-anonymous"
        ),
        1
    );
    assert_eq!(
        count(
            &[pods.clone(), nodes_url, healthz.clone(), version.clone()],
            "gd-discovery-anonymous"
        ),
        2
    );
    assert_eq!(
        count(
            std::slice::from_ref(&create_binding),
            "gd-persistence-anonymous"
        ),
        1
    );
    assert_eq!(
        count(
            std::slice::from_ref(&delete_deployment),
            "gd-impact-anonymous"
        ),
        1
    );
    assert_eq!(
        count(
            std::slice::from_ref(&delete_webhook),
            "gd-defense-evasion-anonymous"
        ),
        1
    );
    // Each request has exactly one tactic.
    for request in [
        &secrets,
        &pods,
        &create_binding,
        &delete_deployment,
        &delete_webhook,
    ] {
        let anonymous_ids: Vec<&str> = fired(std::slice::from_ref(request))
            .into_iter()
            .filter(|id| id.starts_with("EKS-GDAUDIT"))
            .collect();
        assert_eq!(anonymous_ids.len(), 1, "{request}: {anonymous_ids:?}");
    }
    // Health probes, /version, refused requests and authenticated users: none.
    let mut authenticated = pods;
    authenticated["user"]["username"] = json!("alice");
    for quiet in [healthz, version, forbidden, authenticated] {
        let ids: Vec<&str> = fired(std::slice::from_ref(&quiet))
            .into_iter()
            .filter(|id| id.starts_with("EKS-GDAUDIT"))
            .collect();
        assert!(ids.is_empty(), "{quiet}: {ids:?}");
    }
}

/// A CloudTrail record of the EKS API, as in the EKS user guide's samples.
fn trail(name: &str, parameters: Value, error: Option<&str>) -> Value {
    let mut record = json!({
        "eventVersion": "1.09",
        "userIdentity": {"type": "AssumedRole", "principalId": "AROAEXAMPLE:mallory", "arn": "arn:aws:sts::111122223333:assumed-role/ops/mallory", "accountId": "111122223333"},
        "eventTime": "2026-11-29T10:00:00Z",
        "eventSource": "eks.amazonaws.com",
        "eventName": name,
        "awsRegion": "eu-west-1",
        "sourceIPAddress": "198.51.100.9",
        "userAgent": "aws-cli/2.17.0",
        "requestParameters": parameters,
        "responseElements": null,
        "requestID": "0a1b2c3d-1111-2222-3333-444455556666",
        "eventID": "9f8e7d6c-1111-2222-3333-444455556666",
        "readOnly": false,
        "eventType": "AwsApiCall",
        "recipientAccountId": "111122223333"
    });
    if let Some(error) = error {
        record["errorCode"] = json!(error);
    }
    record
}

#[test]
fn access_entry_cluster_admin() {
    let name = "ct-access-entry-cluster-admin";
    let associate = |policy: &str, scope: &str| {
        trail(
            "AssociateAccessPolicy",
            json!({"name": "prod", "principalArn": "arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fmallory",
                   "policyArn": format!("arn:aws:eks::aws:cluster-access-policy/{policy}"),
                   "accessScope": {"type": scope}}),
            None,
        )
    };
    assert_eq!(
        count(&[associate("AmazonEKSClusterAdminPolicy", "cluster")], name),
        1
    );
    assert_eq!(
        count(&[associate("AmazonEKSAdminPolicy", "cluster")], name),
        1
    );
    assert_eq!(
        count(&[associate("AmazonEKSAdminPolicy", "namespace")], name),
        0
    );
    assert_eq!(
        count(&[associate("AmazonEKSViewPolicy", "cluster")], name),
        0
    );
    let mut denied = associate("AmazonEKSClusterAdminPolicy", "cluster");
    denied["errorCode"] = json!("AccessDeniedException");
    assert_eq!(count(&[denied], name), 0);
    // The finding names the decoded principal and the cluster.
    let config = Config::default();
    let mut engine = Engine::new(DETECTORS.to_vec(), &config);
    let text = associate("AmazonEKSClusterAdminPolicy", "cluster").to_string();
    engine.cloudtrail(&serde_json::from_str(&text).unwrap(), &origin());
    assert_eq!(&*engine.findings[0].object.name, "prod");
    assert!(
        engine.findings[0]
            .message
            .contains("arn:aws:iam::111122223333:role/mallory")
    );
    assert!(engine.findings[0].message.contains("198.51.100.9"));
}

#[test]
fn public_endpoint_enabled() {
    let name = "ct-public-endpoint-enabled";
    let update = |config: Value| {
        trail(
            "UpdateClusterConfig",
            json!({"name": "prod", "resourcesVpcConfig": config}),
            None,
        )
    };
    assert_eq!(
        count(&[update(json!({"endpointPublicAccess": true}))], name),
        1
    );
    assert_eq!(
        count(&[update(json!({"publicAccessCidrs": ["0.0.0.0/0"]}))], name),
        1
    );
    assert_eq!(
        count(
            &[update(
                json!({"endpointPublicAccess": false, "endpointPrivateAccess": true})
            )],
            name
        ),
        0
    );
    assert_eq!(
        count(
            &[update(json!({"publicAccessCidrs": ["192.0.2.0/24"]}))],
            name
        ),
        0
    );
    let create = trail(
        "CreateCluster",
        json!({"name": "new", "resourcesVpcConfig": {"subnetIds": ["subnet-1"], "endpointPublicAccess": true}}),
        None,
    );
    assert_eq!(count(&[create], name), 1);
    assert_eq!(
        count(
            &[trail(
                "UpdateClusterConfig",
                json!({"name": "prod", "resourcesVpcConfig": {"endpointPublicAccess": true}}),
                Some("InvalidParameterException")
            )],
            name
        ),
        0
    );
}

#[test]
fn logging_disabled() {
    let name = "ct-logging-disabled";
    let logging = |setups: Value| {
        trail(
            "UpdateClusterConfig",
            json!({"name": "prod", "logging": {"clusterLogging": setups}}),
            None,
        )
    };
    assert_eq!(
        count(
            &[logging(
                json!([{"types": ["audit", "authenticator"], "enabled": false}])
            )],
            name
        ),
        1
    );
    assert_eq!(
        count(
            &[logging(
                json!([{"types": ["audit", "api"], "enabled": true}])
            )],
            name
        ),
        0
    );
    assert_eq!(
        count(
            &[trail(
                "UpdateClusterConfig",
                json!({"name": "prod", "resourcesVpcConfig": {"endpointPrivateAccess": true}}),
                None
            )],
            name
        ),
        0
    );
}

#[test]
fn encryption_config_changed() {
    let name = "ct-encryption-config-changed";
    let parameters = json!({"clusterName": "prod", "encryptionConfig": [{"resources": ["secrets"], "provider": {"keyArn": "arn:aws:kms:eu-west-1:111122223333:key/abcd"}}]});
    assert_eq!(
        count(
            &[trail("AssociateEncryptionConfig", parameters.clone(), None)],
            name
        ),
        1
    );
    assert_eq!(
        count(
            &[trail(
                "AssociateEncryptionConfig",
                parameters,
                Some("ResourceInUseException")
            )],
            name
        ),
        0
    );
    assert_eq!(
        count(
            &[trail("DescribeCluster", json!({"name": "prod"}), None)],
            name
        ),
        0
    );
}

#[test]
fn authentication_mode_changed() {
    let name = "ct-authentication-mode-changed";
    let update = trail(
        "UpdateClusterConfig",
        json!({"name": "prod", "accessConfig": {"authenticationMode": "API_AND_CONFIG_MAP"}}),
        None,
    );
    assert_eq!(count(&[update], name), 1);
    assert_eq!(
        count(
            &[trail(
                "UpdateClusterConfig",
                json!({"name": "prod", "logging": {"clusterLogging": []}}),
                None
            )],
            name
        ),
        0
    );
    // Another service's record is ignored altogether.
    let mut iam = trail(
        "UpdateClusterConfig",
        json!({"name": "prod", "accessConfig": {"authenticationMode": "API"}}),
        None,
    );
    iam["eventSource"] = json!("iam.amazonaws.com");
    assert!(fired(&[iam]).is_empty());
}

#[test]
fn findings_carry_user_source_and_object() {
    let config = Config::default();
    let mut engine = Engine::new(DETECTORS.to_vec(), &config);
    let text = exec("kube-system", "ResponseStarted").to_string();
    engine.audit(&AuditEvent::parse(&text).unwrap(), &origin());
    let finding = engine
        .findings
        .iter()
        .find(|f| f.check.name == "gd-exec-in-kube-system-pod")
        .unwrap();
    assert_eq!(&*finding.object.kind, "Pod");
    assert_eq!(finding.object.namespace.as_deref(), Some("kube-system"));
    assert_eq!(&*finding.object.name, "aws-node-x1/exec");
    assert_eq!(finding.object.source.as_deref(), Some("test.jsonl"));
    for part in [
        "alice",
        "203.0.113.7",
        "kubectl/v1.33.0",
        "command \"sh\"",
        "4d1c1e52",
    ] {
        assert!(
            finding.message.contains(part),
            "{part} not in {}",
            finding.message
        );
    }
}

#[test]
fn every_detector_is_documented_and_unique() {
    let mut ids = std::collections::HashSet::new();
    let mut names = std::collections::HashSet::new();
    for detector in DETECTORS {
        let body = garrison_audit::docs::body(detector);
        let mut at = 0;
        for section in garrison_audit::docs::SECTIONS {
            let found = body[at..]
                .find(section)
                .unwrap_or_else(|| panic!("{}: no section {section:?} in order", detector.meta.id));
            at += found + section.len();
        }
        assert!(
            ids.insert(detector.meta.id),
            "duplicate id {}",
            detector.meta.id
        );
        assert!(
            names.insert(detector.meta.name),
            "duplicate name {}",
            detector.meta.name
        );
    }
}

#[test]
fn every_detector_file_is_registered() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/detectors");
    let registry = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/registry.rs"),
    )
    .unwrap();
    let mut files = 0;
    for family in ["falco", "guardduty", "cloudtrail", "stateful"] {
        for entry in std::fs::read_dir(root.join(family)).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            let Some(module) = name.strip_suffix(".rs").filter(|m| *m != "mod") else {
                continue;
            };
            files += 1;
            assert!(
                registry.contains(&format!("&{family}::{module}::DETECTOR")),
                "{family}/{name} is not in registry.rs"
            );
        }
    }
    assert_eq!(files, DETECTORS.len());
}

/// A completed request by `user` at `second` seconds past 10:00.
fn by(user: &str, second: u32, verb: &str, object: Value, code: u16) -> Value {
    let time = format!(
        "2026-11-29T{:02}:{:02}:{:02}.000000Z",
        10 + second / 3600,
        second / 60 % 60,
        second % 60
    );
    event(
        verb,
        object,
        json!({"user": {"username": user}, "stageTimestamp": time, "responseStatus": {"code": code}}),
    )
}

fn secret_read(user: &str, second: u32, namespace: &str) -> Value {
    by(
        user,
        second,
        "get",
        json!({"resource": "secrets", "namespace": namespace, "name": "db", "apiVersion": "v1"}),
        200,
    )
}

#[test]
fn secrets_read_across_namespaces() {
    let name = "secrets-read-across-namespaces";
    let sweep: Vec<Value> = (0..5)
        .map(|n| secret_read("mallory", n * 10, &format!("team-{n}")))
        .collect();
    assert_eq!(count(&sweep, name), 1);
    let finding = {
        let config = Config::default();
        let mut engine = Engine::new(vec![find_detector(name).unwrap()], &config);
        for event in &sweep {
            engine.audit(&AuditEvent::parse(&event.to_string()).unwrap(), &origin());
        }
        engine.findings.remove(0)
    };
    assert!(
        finding
            .message
            .contains("mallory read Secrets in 5 namespaces")
            && finding
                .message
                .contains("team-0, team-1, team-2, team-3, team-4"),
        "{}",
        finding.message
    );
    // Four namespaces, or many reads in one namespace: not a sweep.
    assert_eq!(count(&sweep[..4], name), 0);
    let one_namespace: Vec<Value> = (0..20)
        .map(|n| secret_read("mallory", n, "team-0"))
        .collect();
    assert_eq!(count(&one_namespace, name), 0);
    // Five namespaces, but spread over more than the 10-minute window.
    let slow: Vec<Value> = (0..5)
        .map(|n| secret_read("mallory", n * 200, &format!("team-{n}")))
        .collect();
    assert_eq!(count(&slow, name), 0);
    // Five principals, one namespace each.
    let many: Vec<Value> = (0..5)
        .map(|n| secret_read(&format!("app-{n}"), n, &format!("team-{n}")))
        .collect();
    assert_eq!(count(&many, name), 0);
    // Refused reads do not count.
    let refused: Vec<Value> = (0..5)
        .map(|n| {
            by(
                "mallory",
                n,
                "get",
                json!({"resource": "secrets", "namespace": format!("team-{n}"), "name": "db"}),
                403,
            )
        })
        .collect();
    assert_eq!(count(&refused, name), 0);
    // A list across all namespaces reads them all at once.
    let all = by("mallory", 0, "list", json!({"resource": "secrets"}), 200);
    assert_eq!(count(&[all], name), 1);
}

#[test]
fn stateful_thresholds_come_from_the_configuration() {
    let file: garrison_audit::ConfigFile = serde_json::from_value(
        json!({"secrets_namespaces": 2, "secrets_window_seconds": 5, "max_principals": 3}),
    )
    .unwrap();
    let config = Config::with(file);
    let detector = find_detector("secrets-read-across-namespaces").unwrap();
    let run = |events: &[Value]| {
        let mut engine = Engine::new(vec![detector], &config);
        for event in events {
            engine.audit(&AuditEvent::parse(&event.to_string()).unwrap(), &origin());
        }
        engine.findings.len()
    };
    assert_eq!(
        run(&[secret_read("m", 0, "a"), secret_read("m", 4, "b")]),
        1
    );
    assert_eq!(
        run(&[secret_read("m", 0, "a"), secret_read("m", 6, "b")]),
        0
    );
    // Only three principals are remembered: the first is forgotten by the time it comes back.
    let mut events = vec![secret_read("m", 0, "a")];
    events.extend((1..=4).map(|n| secret_read(&format!("other-{n}"), 1, "x")));
    events.push(secret_read("m", 2, "b"));
    assert_eq!(run(&events), 0);
}

fn pods_list(user: &str, second: u32, code: u16) -> Value {
    by(
        user,
        second,
        "list",
        json!({"resource": "pods", "namespace": "kube-system", "apiVersion": "v1"}),
        code,
    )
}

#[test]
fn forbidden_burst_then_success() {
    let name = "forbidden-burst-then-success";
    let mut probe: Vec<Value> = (0..5).map(|n| pods_list("mallory", n, 403)).collect();
    probe.push(pods_list("mallory", 10, 200));
    assert_eq!(count(&probe, name), 1);
    // The burst is forgotten once reported: another success does not report again.
    let mut twice = probe.clone();
    twice.push(pods_list("mallory", 11, 200));
    assert_eq!(count(&twice, name), 1);
    // Forbidden requests with no success after them.
    assert_eq!(count(&probe[..5], name), 0);
    // Four refusals are not a burst.
    let mut few: Vec<Value> = (0..4).map(|n| pods_list("mallory", n, 403)).collect();
    few.push(pods_list("mallory", 10, 200));
    assert_eq!(count(&few, name), 0);
    // The success comes after the window has passed.
    let mut late: Vec<Value> = (0..5).map(|n| pods_list("mallory", n, 403)).collect();
    late.push(pods_list("mallory", 400, 200));
    assert_eq!(count(&late, name), 0);
    // Someone else's success.
    let mut other: Vec<Value> = (0..5).map(|n| pods_list("mallory", n, 403)).collect();
    other.push(pods_list("alice", 10, 200));
    assert_eq!(count(&other, name), 0);
    // Other errors (404, 401) are not refusals.
    let mut not_found: Vec<Value> = (0..5).map(|n| pods_list("mallory", n, 404)).collect();
    not_found.push(pods_list("mallory", 10, 200));
    assert_eq!(count(&not_found, name), 0);
}

fn exec_by(user: &str, second: u32, pod: &str) -> Value {
    let mut event = by(
        user,
        second,
        "create",
        json!({"resource": "pods", "namespace": "shop", "name": pod, "subresource": "exec"}),
        101,
    );
    merge(
        &mut event,
        json!({"stage": "ResponseStarted", "requestURI": format!("/api/v1/namespaces/shop/pods/{pod}/exec?command=id")}),
    );
    event
}

#[test]
fn first_exec_by_principal() {
    let name = "first-exec-by-principal";
    assert_eq!(count(&[exec_by("alice", 0, "web-1")], name), 1);
    // Later execs by alice, and the ResponseComplete stage of the first: no new finding; bob's
    // first exec is one.
    let mut complete = exec_by("alice", 0, "web-1");
    merge(&mut complete, json!({"stage": "ResponseComplete"}));
    let events = [
        exec_by("alice", 0, "web-1"),
        complete,
        exec_by("alice", 30, "web-2"),
        exec_by("bob", 40, "web-1"),
        exec_by("alice", 50, "web-1"),
    ];
    assert_eq!(count(&events, name), 2);
    // Not an exec: logs and attach.
    let logs = by(
        "carol",
        0,
        "get",
        json!({"resource": "pods", "namespace": "shop", "name": "web-1", "subresource": "log"}),
        200,
    );
    let mut attach = exec_by("carol", 0, "web-1");
    merge(&mut attach, json!({"objectRef": {"subresource": "attach"}}));
    assert_eq!(count(&[logs, attach], name), 0);
}
