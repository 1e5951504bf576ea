//! Admission's namespace labels from a kube-rs watch, against a local HTTP server that answers
//! as the API server does: a NamespaceList (the first list fails with 500, to be retried), then
//! a watch stream of newline-delimited WatchEvents the test writes to. `/readyz` waits for the
//! first complete list; a MODIFIED event that tightens a namespace's enforce label changes the
//! verdict on the next pod; a namespace the watch never delivered is a failed lookup.
#![cfg(feature = "kube")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use garrison_server::admission::config::AdmissionConfig;
use garrison_server::admission::{Admission, live, metrics_router};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::{Bytes, Frame, Incoming};
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::sync::{Semaphore, broadcast};

type Body = BoxBody<Bytes, Infallible>;

/// The fake API server.
struct Api {
    /// The NamespaceList items.
    namespaces: Vec<Value>,
    /// List requests wait for a permit (the test decides when the first list completes).
    list_gate: Semaphore,
    /// How many list requests were made (the first one is answered 500).
    lists: AtomicUsize,
    /// How many watch streams are open.
    watching: AtomicUsize,
    /// WatchEvent lines for the open watch streams.
    events: broadcast::Sender<String>,
    /// Every request's path and query.
    requests: std::sync::Mutex<Vec<String>>,
}

fn full(status: u16, value: &Value) -> Response<Body> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(value.to_string())).boxed())
        .unwrap()
}

impl Api {
    async fn answer(self: Arc<Self>, request: Request<Incoming>) -> Response<Body> {
        let path = request.uri().path().to_string();
        let query = request.uri().query().unwrap_or("").to_string();
        self.requests
            .lock()
            .unwrap()
            .push(format!("{path}?{query}"));
        if path != "/api/v1/namespaces" {
            return full(
                404,
                &json!({"kind": "Status", "apiVersion": "v1", "metadata": {},
                    "status": "Failure", "message": "the server could not find the requested resource",
                    "reason": "NotFound", "code": 404}),
            );
        }
        if query.split('&').any(|pair| pair == "watch=true") {
            let receiver = self.events.subscribe();
            self.watching.fetch_add(1, Ordering::SeqCst);
            let lines = futures::stream::unfold(receiver, |mut receiver| async move {
                let line = receiver.recv().await.ok()?;
                Some((
                    Ok::<_, Infallible>(Frame::data(Bytes::from(line + "\n"))),
                    receiver,
                ))
            });
            return Response::builder()
                .header("content-type", "application/json")
                .body(StreamBody::new(lines).boxed())
                .unwrap();
        }
        if self.lists.fetch_add(1, Ordering::SeqCst) == 0 {
            return full(
                500,
                &json!({"kind": "Status", "apiVersion": "v1", "metadata": {},
                    "status": "Failure", "message": "etcdserver: request timed out",
                    "reason": "InternalError", "code": 500}),
            );
        }
        let _permit = self.list_gate.acquire().await.unwrap();
        full(
            200,
            &json!({"kind": "NamespaceList", "apiVersion": "v1",
                "metadata": {"resourceVersion": "100"}, "items": self.namespaces}),
        )
    }
}

async fn serve_api(api: Arc<Api>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let api = api.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |request| {
                    let api = api.clone();
                    async move { Ok::<_, Infallible>(api.answer(request).await) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    format!("http://{address}")
}

fn namespace(name: &str, enforce: &str, resource_version: &str) -> Value {
    json!({"metadata": {"name": name, "resourceVersion": resource_version,
        "uid": format!("uid-{name}"),
        "labels": {"kubernetes.io/metadata.name": name,
            "pod-security.kubernetes.io/enforce": enforce}},
        "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}})
}

fn event(kind: &str, object: &Value) -> String {
    let mut object = object.clone();
    object["kind"] = json!("Namespace");
    object["apiVersion"] = json!("v1");
    json!({"type": kind, "object": object}).to_string()
}

/// A pod that baseline admits and restricted denies (no securityContext at all).
fn pod_review(namespace: &str) -> Value {
    json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {
        "uid": "0f5c8f7e-1b7e-4a43-9c1e-000000000001",
        "kind": {"group": "", "version": "v1", "kind": "Pod"},
        "resource": {"group": "", "version": "v1", "resource": "pods"},
        "requestKind": {"group": "", "version": "v1", "kind": "Pod"},
        "requestResource": {"group": "", "version": "v1", "resource": "pods"},
        "name": "web", "namespace": namespace, "operation": "CREATE",
        "userInfo": {"username": "alice", "groups": ["system:authenticated"]},
        "object": {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "web", "namespace": namespace},
            "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]}},
        "oldObject": null, "dryRun": false,
        "options": {"apiVersion": "meta.k8s.io/v1", "kind": "CreateOptions"}}})
}

fn deployment_review(namespace: &str) -> Value {
    json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {
        "uid": "0f5c8f7e-1b7e-4a43-9c1e-000000000002",
        "kind": {"group": "apps", "version": "v1", "kind": "Deployment"},
        "resource": {"group": "apps", "version": "v1", "resource": "deployments"},
        "name": "web", "namespace": namespace, "operation": "CREATE",
        "userInfo": {"username": "alice"},
        "object": {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": namespace},
            "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]}}}}}})
}

fn respond(admission: &Admission, review: &Value) -> Value {
    let (response, _) = admission.review(review.to_string().as_bytes()).unwrap();
    response["response"].clone()
}

async fn readyz(address: std::net::SocketAddr) -> u16 {
    let tcp = tokio::net::TcpStream::connect(address).await.unwrap();
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(tcp))
        .await
        .unwrap();
    tokio::spawn(connection);
    let request = Request::get("/readyz")
        .header("host", "localhost")
        .body(Full::new(Bytes::new()))
        .unwrap();
    sender
        .send_request(request)
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Polls `condition` every 20 ms for up to 10 s.
async fn eventually(what: &str, mut condition: impl AsyncFnMut() -> bool) {
    for _ in 0..500 {
        if condition().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("timed out waiting for {what}");
}

const RESTRICTED_DENIAL: &str = "pods \"web\" is forbidden: violates PodSecurity \"restricted:latest\": allowPrivilegeEscalation != false (container \"app\" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container \"app\" must set securityContext.capabilities.drop=[\"ALL\"]), runAsNonRoot != true (pod or container \"app\" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container \"app\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")";

#[tokio::test]
async fn namespace_labels_follow_the_watch() {
    let team = namespace("team", "baseline", "90");
    let (events, _) = broadcast::channel(16);
    let api = Arc::new(Api {
        namespaces: vec![team.clone()],
        list_gate: Semaphore::new(0),
        lists: AtomicUsize::new(0),
        watching: AtomicUsize::new(0),
        events,
        requests: std::sync::Mutex::new(Vec::new()),
    });
    let url = serve_api(api.clone()).await;

    let mut admission = Admission::new(AdmissionConfig::default(), Default::default(), None);
    live::expect_watch(&mut admission);
    let admission = Arc::new(admission);
    let watch = live::spawn(&admission, kube::Config::new(url.parse().unwrap())).unwrap();
    let metrics = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let metrics_address = metrics.local_addr().unwrap();
    tokio::spawn(garrison_server::tls::serve_plain(
        metrics,
        metrics_router(admission.clone()),
        std::future::pending(),
    ));

    // The first list failed and was retried; the second is held: not ready yet.
    eventually("the failed list to be retried", async || {
        api.lists.load(Ordering::SeqCst) >= 2
    })
    .await;
    assert_eq!(readyz(metrics_address).await, 503);
    api.list_gate.add_permits(1000);
    eventually("/readyz after the first list", async || {
        readyz(metrics_address).await == 200
    })
    .await;

    // Listed as baseline: the pod is admitted.
    let allowed = respond(&admission, &pod_review("team"));
    assert_eq!(allowed["allowed"], true, "{allowed}");
    assert_eq!(
        allowed["auditAnnotations"]["enforce-policy"],
        "baseline:latest"
    );

    // A namespace the watch never delivered: the plugin's failed lookup.
    let lookup = respond(&admission, &pod_review("elsewhere"));
    assert_eq!(lookup["allowed"], false, "{lookup}");
    assert_eq!(
        lookup["status"],
        json!({"metadata": {}, "status": "Failure",
            "message": "Internal error occurred: failed to lookup namespace \"elsewhere\"",
            "reason": "InternalError",
            "details": {"causes": [{"message": "failed to lookup namespace \"elsewhere\""}]},
            "code": 500})
    );
    assert_eq!(
        lookup["auditAnnotations"]["error"],
        "Internal error occurred: failed to lookup namespace \"elsewhere\": namespaces \"elsewhere\" not found"
    );
    let workload = respond(&admission, &deployment_review("elsewhere"));
    assert_eq!(workload["allowed"], true, "{workload}");
    assert_eq!(
        workload["auditAnnotations"],
        json!({"error": "failed to lookup namespace \"elsewhere\": namespaces \"elsewhere\" not found"})
    );

    // The watch delivers a tightened enforce label, then a new namespace.
    eventually("the watch stream", async || {
        api.watching.load(Ordering::SeqCst) >= 1
    })
    .await;
    let requests = api.requests.lock().unwrap().clone();
    assert!(
        requests.iter().any(
            |request| request.contains("watch=true") && request.contains("resourceVersion=100")
        ),
        "the watch did not start from the list's resourceVersion: {requests:?}"
    );
    api.events
        .send(event("MODIFIED", &namespace("team", "restricted", "101")))
        .unwrap();
    api.events
        .send(event("ADDED", &namespace("elsewhere", "privileged", "102")))
        .unwrap();
    eventually("the MODIFIED event to reach admission", async || {
        respond(&admission, &pod_review("team"))["allowed"] == false
    })
    .await;
    let denied = respond(&admission, &pod_review("team"));
    assert_eq!(denied["status"]["code"], 403);
    assert_eq!(denied["status"]["message"], RESTRICTED_DENIAL);
    eventually("the ADDED event to reach admission", async || {
        respond(&admission, &pod_review("elsewhere"))["allowed"] == true
    })
    .await;
    assert_eq!(
        respond(&admission, &pod_review("elsewhere"))["auditAnnotations"]["enforce-policy"],
        "privileged:latest"
    );
    watch.abort();
}
