//! The admission webhook over real TLS on loopback, with certificates made by the test and real
//! AdmissionReview JSON: Pod Security admission (exact denial text, warn-only namespaces,
//! exemptions, workloads warned, unchanged-image updates not evaluated, namespace label
//! changes), a Cedar forbid, image rules, and the HTTP errors (400, 413, 415).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use garrison_server::admission::{Admission, Listeners, Options, VALIDATE_PATH, serve};
use garrison_server::tls::{TlsFiles, reloading_server_config};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use serde_json::{Value, json};
use tokio::net::TcpStream;

fn authority(name: &str) -> CertifiedIssuer<'static, KeyPair> {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap()
}

fn leaf(issuer: &CertifiedIssuer<'static, KeyPair>) -> (String, String) {
    let mut params = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let key = KeyPair::generate().unwrap();
    let certificate = params.signed_by(&key, issuer).unwrap();
    (certificate.pem(), key.serialize_pem())
}

/// A TLS client trusting one CA; each call opens a connection.
struct Client {
    connector: tokio_rustls::TlsConnector,
    address: std::net::SocketAddr,
}

impl Client {
    fn new(address: std::net::SocketAddr, ca: &str) -> Client {
        let mut roots = rustls::RootCertStore::empty();
        for certificate in CertificateDer::pem_slice_iter(ca.as_bytes()) {
            roots.add(certificate.unwrap()).unwrap();
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        Client {
            connector: tokio_rustls::TlsConnector::from(Arc::new(config)),
            address,
        }
    }

    async fn sender(&self) -> Result<hyper::client::conn::http1::SendRequest<Full<Bytes>>, String> {
        let tcp = TcpStream::connect(self.address)
            .await
            .map_err(|e| e.to_string())?;
        let tls = self
            .connector
            .connect(ServerName::try_from("localhost").unwrap(), tcp)
            .await
            .map_err(|e| e.to_string())?;
        let (sender, connection) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tls))
                .await
                .map_err(|e| e.to_string())?;
        tokio::spawn(connection);
        Ok(sender)
    }

    /// POSTs `body` with `content_type`: (HTTP status, body).
    async fn post(&self, body: Vec<u8>, content_type: &str) -> (u16, String) {
        let mut sender = self.sender().await.unwrap();
        post(&mut sender, body, content_type).await
    }

    /// POSTs an AdmissionReview and returns its `response`, checking the envelope.
    async fn review(&self, review: &Value) -> Value {
        let (status, body) = self
            .post(review.to_string().into_bytes(), "application/json")
            .await;
        assert_eq!(status, 200, "{body}");
        let value: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(value["kind"], "AdmissionReview");
        assert_eq!(value["apiVersion"], review["apiVersion"]);
        assert_eq!(value["response"]["uid"], review["request"]["uid"]);
        value["response"].clone()
    }
}

async fn post(
    sender: &mut hyper::client::conn::http1::SendRequest<Full<Bytes>>,
    body: Vec<u8>,
    content_type: &str,
) -> (u16, String) {
    let request = hyper::Request::post(VALIDATE_PATH)
        .header("host", "localhost")
        .header("content-type", content_type)
        .body(Full::new(Bytes::from(body)))
        .unwrap();
    let response = sender.send_request(request).await.unwrap();
    let status = response.status().as_u16();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).to_string())
}

async fn get_plain(address: std::net::SocketAddr, path: &str) -> (u16, String) {
    let tcp = TcpStream::connect(address).await.unwrap();
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tcp))
            .await
            .unwrap();
    tokio::spawn(connection);
    let request = hyper::Request::get(path)
        .header("host", "localhost")
        .body(Full::new(Bytes::new()))
        .unwrap();
    let response = sender.send_request(request).await.unwrap();
    let status = response.status().as_u16();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

const NAMESPACES: &str = r#"
apiVersion: v1
kind: Namespace
metadata:
  name: secure
  labels:
    pod-security.kubernetes.io/enforce: restricted
    pod-security.kubernetes.io/audit: restricted
---
apiVersion: v1
kind: Namespace
metadata:
  name: relaxed
  labels:
    pod-security.kubernetes.io/enforce: privileged
    pod-security.kubernetes.io/warn: baseline
    pod-security.kubernetes.io/warn-version: v1.30
---
apiVersion: v1
kind: Namespace
metadata:
  name: platform
  labels:
    pod-security.kubernetes.io/enforce: restricted
---
apiVersion: v1
kind: Namespace
metadata:
  name: open
---
apiVersion: v1
kind: Namespace
metadata:
  name: legacy
  labels:
    pod-security.kubernetes.io/enforce: privileged
---
apiVersion: v1
kind: Pod
metadata:
  name: worker-b
  namespace: legacy
spec:
  containers:
  - name: app
    image: busybox
    securityContext:
      privileged: true
---
apiVersion: v1
kind: Pod
metadata:
  name: worker-a
  namespace: legacy
spec:
  containers:
  - name: app
    image: busybox
    securityContext:
      privileged: true
---
apiVersion: v1
kind: Pod
metadata:
  name: net
  namespace: legacy
spec:
  hostNetwork: true
  containers:
  - name: app
    image: busybox
"#;

const CONFIG: &str = r#"
apiVersion: pod-security.admission.config.k8s.io/v1
kind: PodSecurityConfiguration
defaults:
  enforce: baseline
  enforce-version: latest
exemptions:
  usernames: ["system:serviceaccount:kube-system:replicaset-controller"]
  runtimeClasses: ["kata"]
  namespaces: ["platform"]
---
apiVersion: garrison.dev/v1alpha1
kind: ImagePolicy
allowedRegistries: ["public.ecr.aws", "registry.k8s.io"]
requireDigest: false
"#;

const POLICY: &str = r#"@id("no-host-network-outside-kube-system")
@reason("host networking is reserved for the platform team")
forbid (
  principal,
  action == k8s::admission::Action::"create",
  resource is k8s::admission::Object
)
when { resource has podSpec && resource.podSpec.hostNetwork }
unless { resource in k8s::admission::Namespace::"kube-system" };
"#;

struct Server {
    client: Client,
    metrics: std::net::SocketAddr,
    dir: tempfile::TempDir,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    async fn start() -> Server {
        let dir = tempfile::tempdir().unwrap();
        let ca = authority("garrison test CA");
        let (cert, key) = leaf(&ca);
        let path = |name: &str| dir.path().join(name);
        std::fs::write(path("tls.crt"), &cert).unwrap();
        std::fs::write(path("tls.key"), &key).unwrap();
        std::fs::write(path("namespaces.yaml"), NAMESPACES).unwrap();
        std::fs::write(path("config.yaml"), CONFIG).unwrap();
        std::fs::create_dir(path("policies")).unwrap();
        std::fs::write(path("policies/network.cedar"), POLICY).unwrap();
        let options = Options {
            listen: "127.0.0.1:0".to_string(),
            metrics_listen: "127.0.0.1:0".to_string(),
            tls: TlsFiles {
                cert: path("tls.crt"),
                key: path("tls.key"),
                client_ca: None,
            },
            config: Some(path("config.yaml")),
            namespaces: vec![path("namespaces.yaml").display().to_string()],
            policies: Some(path("policies")),
            reload_interval: Duration::from_millis(50),
            request_timeout: Duration::from_secs(2),
            limits: garrison_server::tls::Limits::default(),
        };
        let admission = Arc::new(Admission::load(&options).unwrap());
        let (config, _certificate) = reloading_server_config(&options.tls).unwrap();
        let webhook = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let metrics = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = webhook.local_addr().unwrap();
        let metrics_address = metrics.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            serve(
                Listeners { webhook, metrics },
                config,
                admission,
                Duration::from_millis(50),
                Duration::from_secs(2),
                async {
                    let _ = stopped.await;
                },
            )
            .await
            .unwrap();
        });
        Server {
            client: Client::new(address, &ca.pem()),
            metrics: metrics_address,
            dir,
            stop: Some(stop),
            task,
        }
    }

    async fn stop(mut self) {
        let _ = self.stop.take().unwrap().send(());
        tokio::time::timeout(Duration::from_secs(15), self.task)
            .await
            .unwrap()
            .unwrap();
    }
}

/// An AdmissionReview as the API server sends it; every field a test varies is a parameter.
#[allow(clippy::too_many_arguments)]
fn review(
    operation: &str,
    resource: (&str, &str, &str),
    kind: &str,
    namespace: &str,
    name: &str,
    user: &str,
    object: Value,
    old: Option<Value>,
) -> Value {
    let (group, version, plural) = resource;
    json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": format!("uid-{name}-{operation}"),
            "kind": {"group": group, "version": version, "kind": kind},
            "resource": {"group": group, "version": version, "resource": plural},
            "requestKind": {"group": group, "version": version, "kind": kind},
            "requestResource": {"group": group, "version": version, "resource": plural},
            "name": name,
            "namespace": namespace,
            "operation": operation,
            "userInfo": {"username": user, "groups": ["system:authenticated"]},
            "object": object,
            "oldObject": old,
            "dryRun": false,
            "options": {"apiVersion": "meta.k8s.io/v1", "kind": "CreateOptions"},
        }
    })
}

fn pod(namespace: &str, name: &str, image: &str, extra_spec: Value) -> Value {
    let mut spec = json!({"containers": [{"name": "app", "image": image}]});
    if let (Some(spec), Some(extra)) = (spec.as_object_mut(), extra_spec.as_object()) {
        for (key, value) in extra {
            spec.insert(key.clone(), value.clone());
        }
    }
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec,
    })
}

const POD: (&str, &str, &str) = ("", "v1", "pods");
const ALICE: &str = "alice@example.com";

fn pod_review(namespace: &str, name: &str, image: &str, extra_spec: Value) -> Value {
    review(
        "CREATE",
        POD,
        "Pod",
        namespace,
        name,
        ALICE,
        pod(namespace, name, image, extra_spec),
        None,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pod_security_admission_as_the_built_in_plugin() {
    let server = Server::start().await;
    let client = &server.client;
    let image = "registry.k8s.io/pause:3.10";

    // Denied under enforce=restricted, with upstream's exact message and status.
    let response = client
        .review(&pod_review("secure", "web", image, json!({})))
        .await;
    assert_eq!(response["allowed"], false);
    assert_eq!(
        response["status"]["message"],
        "pods \"web\" is forbidden: violates PodSecurity \"restricted:latest\": allowPrivilegeEscalation != false (container \"app\" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container \"app\" must set securityContext.capabilities.drop=[\"ALL\"]), runAsNonRoot != true (pod or container \"app\" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container \"app\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")"
    );
    assert_eq!(response["status"]["code"], 403);
    assert_eq!(response["status"]["reason"], "Forbidden");
    assert_eq!(response["status"]["details"]["kind"], "pods");
    assert_eq!(response["status"]["details"]["name"], "web");
    assert_eq!(
        response["auditAnnotations"]["enforce-policy"],
        "restricted:latest"
    );
    assert!(
        response["auditAnnotations"]["audit-violations"]
            .as_str()
            .unwrap()
            .starts_with(
                "would violate PodSecurity \"restricted:latest\": allowPrivilegeEscalation != false"
            )
    );
    // No warning on a denied request.
    assert!(response.get("warnings").is_none(), "{response}");

    // A pod named by generateName.
    let response = client
        .review(&pod_review("secure", "", image, json!({"hostPID": true})))
        .await;
    assert!(
        response["status"]["message"].as_str().unwrap().starts_with(
            "pods is forbidden: violates PodSecurity \"restricted:latest\": hostNamespaces"
                .replace("hostNamespaces", "host namespaces (hostPID=true)")
                .as_str()
        ),
        "{response}"
    );

    // A restricted-compliant pod is allowed, with the enforce policy recorded.
    let compliant = json!({
        "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [{"name": "app", "image": image, "securityContext": {
            "allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}}],
    });
    let response = client
        .review(&pod_review("secure", "ok", image, compliant.clone()))
        .await;
    assert_eq!(response["allowed"], true, "{response}");
    assert_eq!(
        response["auditAnnotations"],
        json!({"enforce-policy": "restricted:latest"})
    );

    // Warn-only namespace (enforce privileged, warn baseline at v1.30): allowed, with the
    // warning at the labelled version.
    let privileged = json!({"containers": [{"name": "app", "image": image,
        "securityContext": {"privileged": true}}]});
    let response = client
        .review(&pod_review("relaxed", "debug", image, privileged))
        .await;
    assert_eq!(response["allowed"], true, "{response}");
    assert_eq!(
        response["warnings"],
        json!([
            "would violate PodSecurity \"baseline:v1.30\": privileged (container \"app\" must not set securityContext.privileged=true)"
        ])
    );
    assert_eq!(
        response["auditAnnotations"],
        json!({"enforce-policy": "privileged:latest"})
    );
    // A namespace without labels gets the configured defaults (enforce baseline).
    let response = client
        .review(&pod_review(
            "open",
            "defaults",
            image,
            json!({"hostIPC": true}),
        ))
        .await;
    assert_eq!(response["allowed"], false);
    assert_eq!(
        response["status"]["message"],
        "pods \"defaults\" is forbidden: violates PodSecurity \"baseline:latest\": host namespaces (hostIPC=true)"
    );

    // Exemptions: namespace, user, runtime class.
    let response = client
        .review(&pod_review(
            "platform",
            "exempt-ns",
            image,
            json!({"hostPID": true}),
        ))
        .await;
    assert_eq!(response["allowed"], true);
    assert_eq!(response["auditAnnotations"], json!({"exempt": "namespace"}));
    let mut by_controller = pod_review("secure", "exempt-user", image, json!({"hostPID": true}));
    by_controller["request"]["userInfo"]["username"] =
        json!("system:serviceaccount:kube-system:replicaset-controller");
    let response = client.review(&by_controller).await;
    assert_eq!(response["allowed"], true);
    assert_eq!(response["auditAnnotations"], json!({"exempt": "user"}));
    let response = client
        .review(&pod_review(
            "secure",
            "exempt-class",
            image,
            json!({"hostPID": true, "runtimeClassName": "kata"}),
        ))
        .await;
    assert_eq!(response["allowed"], true);
    assert_eq!(
        response["auditAnnotations"],
        json!({"exempt": "runtimeClass"})
    );

    // A Deployment is warned and audited, never denied.
    let deployment = json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "api", "namespace": "secure"},
        "spec": {"selector": {"matchLabels": {"app": "api"}}, "template": {
            "metadata": {"labels": {"app": "api"}},
            "spec": {"containers": [{"name": "api", "image": image,
                "securityContext": {"privileged": true}}]}}},
    });
    let response = client
        .review(&review(
            "CREATE",
            ("apps", "v1", "deployments"),
            "Deployment",
            "secure",
            "api",
            ALICE,
            deployment,
            None,
        ))
        .await;
    assert_eq!(response["allowed"], true, "{response}");
    let warning = "would violate PodSecurity \"restricted:latest\": privileged (container \"api\" must not set securityContext.privileged=true), allowPrivilegeEscalation != false (container \"api\" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container \"api\" must set securityContext.capabilities.drop=[\"ALL\"]), runAsNonRoot != true (pod or container \"api\" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container \"api\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")";
    assert_eq!(response["warnings"], json!([warning]));
    assert_eq!(
        response["auditAnnotations"],
        json!({"audit-violations": warning})
    );

    // Pod updates: an update that changes no image is allowed without evaluation (no
    // enforce-policy annotation); one that changes the image is evaluated and denied.
    let old = pod("secure", "web", image, json!({}));
    let mut relabelled = old.clone();
    relabelled["metadata"]["labels"] = json!({"tier": "frontend"});
    let response = client
        .review(&review(
            "UPDATE",
            POD,
            "Pod",
            "secure",
            "web",
            ALICE,
            relabelled,
            Some(old.clone()),
        ))
        .await;
    assert_eq!(response, json!({"uid": "uid-web-UPDATE", "allowed": true}));
    let new_image = pod("secure", "web", "registry.k8s.io/pause:3.11", json!({}));
    let response = client
        .review(&review(
            "UPDATE",
            POD,
            "Pod",
            "secure",
            "web",
            ALICE,
            new_image,
            Some(old.clone()),
        ))
        .await;
    assert_eq!(response["allowed"], false);
    // Ignored subresources are never judged.
    let mut status_update = review(
        "UPDATE",
        POD,
        "Pod",
        "secure",
        "web",
        ALICE,
        pod("secure", "web", "registry.k8s.io/pause:3.11", json!({})),
        Some(old),
    );
    status_update["request"]["subResource"] = json!("status");
    let response = client.review(&status_update).await;
    assert_eq!(response["allowed"], true);

    // A namespace whose enforce label tightens gets warnings naming its existing pods.
    let legacy = |level: &str| {
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "legacy",
            "labels": {"pod-security.kubernetes.io/enforce": level}}})
    };
    let response = client
        .review(&review(
            "UPDATE",
            ("", "v1", "namespaces"),
            "Namespace",
            "legacy",
            "legacy",
            ALICE,
            legacy("baseline"),
            Some(legacy("privileged")),
        ))
        .await;
    assert_eq!(response["allowed"], true);
    assert_eq!(
        response["warnings"],
        json!([
            "existing pods in namespace \"legacy\" violate the new PodSecurity enforce level \"baseline:latest\"",
            "net: host namespaces",
            "worker-a (and 1 other pod): privileged",
        ])
    );
    // An invalid label on a namespace create is refused as the API server words it.
    let response = client
        .review(&review(
            "CREATE",
            ("", "v1", "namespaces"),
            "Namespace",
            "typo",
            "typo",
            ALICE,
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "typo",
                "labels": {"pod-security.kubernetes.io/enforce": "restricetd"}}}),
            None,
        ))
        .await;
    assert_eq!(response["allowed"], false);
    assert_eq!(response["status"]["code"], 422);
    assert_eq!(
        response["status"]["message"],
        "Namespace \"typo\" is invalid: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: \"restricetd\": must be one of privileged, baseline, restricted"
    );

    // v1beta1 is answered in v1beta1.
    let mut beta = pod_review("secure", "beta", image, compliant);
    beta["apiVersion"] = json!("admission.k8s.io/v1beta1");
    let response = client.review(&beta).await;
    assert_eq!(response["allowed"], true);

    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cedar_forbids_image_rules_and_http_errors() {
    let server = Server::start().await;
    let client = &server.client;

    // A Cedar forbid denies, naming the policy and its reason. `legacy` enforces privileged,
    // so Pod Security admits the pod.
    let response = client
        .review(&pod_review(
            "legacy",
            "sniffer",
            "public.ecr.aws/x/y:1",
            json!({"hostNetwork": true}),
        ))
        .await;
    assert_eq!(response["allowed"], false, "{response}");
    let message = response["status"]["message"].as_str().unwrap();
    assert!(
        message.starts_with(
            "denied by Cedar policy \"no-host-network-outside-kube-system\" (network.cedar:1): host networking is reserved for the platform team"
        ),
        "{message}"
    );
    assert_eq!(response["status"]["code"], 403);

    // Image rules: a registry that is not allowed.
    let response = client
        .review(&pod_review(
            "legacy",
            "hub",
            "docker.io/library/nginx:1.27",
            json!({}),
        ))
        .await;
    assert_eq!(response["allowed"], false);
    assert_eq!(
        response["status"]["message"],
        "denied by garrison image rules: container \"app\" image \"docker.io/library/nginx:1.27\" comes from registry \"docker.io\", which is not allowed"
    );
    // Private ECR is always allowed once a list is given.
    let response = client
        .review(&pod_review(
            "legacy",
            "ecr",
            "111122223333.dkr.ecr.eu-west-1.amazonaws.com/app:1",
            json!({}),
        ))
        .await;
    assert_eq!(response["allowed"], true, "{response}");

    // A kind no rule is about is allowed, untouched.
    let config_map = review(
        "CREATE",
        ("", "v1", "configmaps"),
        "ConfigMap",
        "secure",
        "settings",
        ALICE,
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"}}),
        None,
    );
    let response = client.review(&config_map).await;
    assert_eq!(
        response,
        json!({"uid": "uid-settings-CREATE", "allowed": true})
    );

    // Pod Security judges creates and updates only: a delete (no object) is allowed untouched.
    let delete = review(
        "DELETE",
        POD,
        "Pod",
        "secure",
        "gone",
        ALICE,
        Value::Null,
        Some(pod(
            "secure",
            "gone",
            "docker.io/library/nginx:1.27",
            json!({"hostPID": true}),
        )),
    );
    let response = client.review(&delete).await;
    assert_eq!(response, json!({"uid": "uid-gone-DELETE", "allowed": true}));

    // Malformed JSON: 400 with a clear error.
    let (status, body) = client
        .post(b"{\"apiVersion\": ".to_vec(), "application/json")
        .await;
    assert_eq!(status, 400);
    assert!(body.contains("not an AdmissionReview"), "{body}");
    let (status, body) = client
        .post(
            json!({"apiVersion": "v1", "kind": "Pod"})
                .to_string()
                .into_bytes(),
            "application/json",
        )
        .await;
    assert_eq!(status, 400);
    assert!(body.contains("expected kind AdmissionReview"), "{body}");
    // Wrong content type: 415.
    let (status, _) = client
        .post(config_map.to_string().into_bytes(), "application/yaml")
        .await;
    assert_eq!(status, 415);
    // Over 3 MiB: 413.
    let mut big = config_map.clone();
    big["request"]["object"]["data"] = json!({"blob": "x".repeat(3 * 1024 * 1024 + 1)});
    let (status, _) = client
        .post(big.to_string().into_bytes(), "application/json")
        .await;
    assert_eq!(status, 413);
    // Just under the limit is judged (on the blocking pool).
    let mut large = config_map.clone();
    large["request"]["object"]["data"] = json!({"blob": "x".repeat(2 * 1024 * 1024)});
    let (status, _) = client
        .post(large.to_string().into_bytes(), "application/json")
        .await;
    assert_eq!(status, 200);

    // A policy file replaced by one that does not validate: the previous set stays in force,
    // and the failure is counted. (Written aside and renamed, as a deployment would, so that the
    // poll never sees a half-written file.)
    let staged = server.dir.path().join("network.cedar.new");
    std::fs::write(
        &staged,
        "forbid (principal, action, resource) when { resource.podSpec.noSuchField };\n",
    )
    .unwrap();
    std::fs::rename(&staged, server.dir.path().join("policies/network.cedar")).unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    let response = client
        .review(&pod_review(
            "legacy",
            "sniffer-2",
            "public.ecr.aws/x/y:1",
            json!({"hostNetwork": true}),
        ))
        .await;
    assert_eq!(response["allowed"], false, "{response}");
    assert!(
        response["status"]["message"]
            .as_str()
            .unwrap()
            .contains("no-host-network-outside-kube-system")
    );

    // Metrics and health.
    let (status, text) = get_plain(server.metrics, "/metrics").await;
    assert_eq!(status, 200);
    assert!(
        text.contains("garrison_admission_reviews_total{decision=\"deny\",rule=\"cedar\"} 2"),
        "{text}"
    );
    assert!(
        text.contains("garrison_admission_invalid_requests_total 4"),
        "{text}"
    );
    assert_eq!(get_plain(server.metrics, "/readyz").await.0, 200);
    assert_eq!(get_plain(server.metrics, "/healthz").await.0, 200);

    server.stop().await;
}

#[test]
fn a_bad_config_is_refused_at_start_naming_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.yaml");
    std::fs::write(
        &config,
        "apiVersion: pod-security.admission.config.k8s.io/v1\nkind: PodSecurityConfiguration\ndefaults:\n  enforce: strict\n",
    )
    .unwrap();
    let error = garrison_server::admission::config::AdmissionConfig::load(&config).unwrap_err();
    let text = error.to_string();
    assert!(text.contains("config.yaml:1"), "{text}");
    assert!(text.contains("defaults.enforce"), "{text}");
    assert!(text.contains("\"strict\""), "{text}");
    assert!(Path::new(&config).exists());
}

/// A body over the limit is refused before it is read; the server must still let the client
/// finish writing and read its 413, rather than closing on unread bytes (the kernel would then
/// reset the connection and the client would see a broken pipe instead of the answer). The
/// body is four times the limit so that the client is still writing when the answer comes,
/// and it is sent many times on fresh connections because the reset wins only some races.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_body_is_always_answered_413() {
    let server = Server::start().await;
    let oversized = vec![b' '; 4 * garrison_server::admission::MAX_BODY_BYTES];
    for attempt in 0..40 {
        let mut sender = server.client.sender().await.unwrap();
        let request = hyper::Request::post(VALIDATE_PATH)
            .header("host", "localhost")
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(oversized.clone())))
            .unwrap();
        let response = sender
            .send_request(request)
            .await
            .unwrap_or_else(|error| panic!("attempt {attempt}: no answer: {error}"));
        assert_eq!(response.status().as_u16(), 413, "attempt {attempt}");
        assert_eq!(
            response.headers().get("connection").map(|v| v.as_bytes()),
            Some(&b"close"[..]),
            "attempt {attempt}"
        );
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certificate_is_reloaded_when_its_files_change() {
    let dir = tempfile::tempdir().unwrap();
    let old_ca = authority("old CA");
    let (cert, key) = leaf(&old_ca);
    let files = TlsFiles {
        cert: dir.path().join("tls.crt"),
        key: dir.path().join("tls.key"),
        client_ca: None,
    };
    std::fs::write(&files.cert, cert).unwrap();
    std::fs::write(&files.key, key).unwrap();
    let (config, certificate) = reloading_server_config(&files).unwrap();
    let admission = Arc::new(Admission::new(Default::default(), Default::default(), None));
    let webhook = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let metrics = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = webhook.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(serve(
        Listeners { webhook, metrics },
        config,
        admission,
        Duration::from_secs(60),
        Duration::from_secs(2),
        async {
            let _ = stopped.await;
        },
    ));
    let old_client = Client::new(address, &old_ca.pem());
    // A connection opened before the renewal stays up across it.
    let mut open = old_client.sender().await.unwrap();
    let body = || {
        review(
            "CREATE",
            ("", "v1", "configmaps"),
            "ConfigMap",
            "default",
            "x",
            ALICE,
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}),
            None,
        )
        .to_string()
        .into_bytes()
    };
    assert_eq!(post(&mut open, body(), "application/json").await.0, 200);
    assert!(certificate.reload_if_changed().is_none());

    // A half-written renewal (a key that does not parse) is refused; the old pair stays.
    std::fs::write(&files.key, "-----BEGIN PRIVATE KEY-----\nbroken\n").unwrap();
    assert!(matches!(certificate.reload_if_changed(), Some(Err(_))));
    assert!(old_client.sender().await.is_ok());

    // The renewed pair, from another CA: new handshakes get it.
    let new_ca = authority("new CA");
    let (cert, key) = leaf(&new_ca);
    std::fs::write(&files.cert, cert).unwrap();
    std::fs::write(&files.key, key).unwrap();
    assert!(matches!(certificate.reload_if_changed(), Some(Ok(()))));
    let new_client = Client::new(address, &new_ca.pem());
    assert_eq!(new_client.post(body(), "application/json").await.0, 200);
    // A client that only trusts the old CA (and has no session to resume) is refused now.
    assert!(Client::new(address, &old_ca.pem()).sender().await.is_err());
    assert_eq!(post(&mut open, body(), "application/json").await.0, 200);

    let _ = stop.send(());
    drop(open);
    tokio::time::timeout(Duration::from_secs(15), task)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}
