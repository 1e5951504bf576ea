//! The Kubernetes side against a local HTTP server that answers with the API's own JSON:
//! typed lists without item kinds, `limit`/`continue` pagination, a 403 Status for a
//! forbidden resource, 404 for custom resources the cluster does not serve, and the node
//! proxy's `configz`. The served objects are the demo snapshot's hand-written `k8s/` files,
//! so collect → scan can be compared with scanning those files directly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use garrison_collect::kubernetes::{self, RESOURCES};
use garrison_collect::{Options, Progress, Recorder};
use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/demo-snapshot");

/// What the fake API server serves and what it saw.
struct Api {
    /// Collection path → items (as the API holds them: without kind and apiVersion).
    collections: BTreeMap<String, (String, Vec<Value>)>,
    /// Node name → configz document.
    configz: BTreeMap<String, Value>,
    /// A collection path answered with 403.
    forbidden: Option<String>,
    /// Every request's path and query.
    requests: Mutex<Vec<String>>,
}

fn status(code: u16, reason: &str, message: &str) -> Response<Full<Bytes>> {
    let body = json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": message, "reason": reason, "code": code});
    Response::builder()
        .status(code)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body.to_string())))
        .unwrap()
}

fn query_value<'a>(query: &'a str, name: &str) -> Option<&'a str> {
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            out.push(u8::from_str_radix(&text[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

impl Api {
    fn answer(&self, request: &Request<Incoming>) -> Response<Full<Bytes>> {
        let path = request.uri().path().to_string();
        let query = request.uri().query().unwrap_or("").to_string();
        self.requests
            .lock()
            .unwrap()
            .push(format!("{path}?{query}"));
        if let Some(node) = path
            .strip_prefix("/api/v1/nodes/")
            .and_then(|rest| rest.strip_suffix("/proxy/configz"))
        {
            return match self.configz.get(node) {
                Some(config) => json_response(config),
                None => status(
                    403,
                    "Forbidden",
                    &format!(
                        "nodes \"{node}\" is forbidden: User \"collector\" cannot get resource \"nodes/proxy\" in API group \"\" at the cluster scope"
                    ),
                ),
            };
        }
        if self.forbidden.as_deref() == Some(path.as_str()) {
            let resource = path.rsplit('/').next().unwrap();
            return status(
                403,
                "Forbidden",
                &format!(
                    "{resource} is forbidden: User \"collector\" cannot list resource \"{resource}\" at the cluster scope"
                ),
            );
        }
        let Some((api_version, items)) = self.collections.get(&path) else {
            return status(
                404,
                "NotFound",
                "the server could not find the requested resource",
            );
        };
        let limit: usize = query_value(&query, "limit").unwrap().parse().unwrap();
        let start: usize = query_value(&query, "continue")
            .map(|token| {
                decode(token)
                    .strip_prefix("page+/=")
                    .unwrap()
                    .parse()
                    .unwrap()
            })
            .unwrap_or(0);
        let end = (start + limit).min(items.len());
        let kind = items
            .first()
            .and_then(|item| item.get("kind"))
            .and_then(Value::as_str)
            .map_or("List".to_string(), |kind| format!("{kind}List"));
        let page: Vec<Value> = items[start..end]
            .iter()
            .map(|item| {
                let mut item = item.clone();
                let object = item.as_object_mut().unwrap();
                object.remove("kind");
                object.remove("apiVersion");
                item
            })
            .collect();
        let mut metadata = json!({"resourceVersion": "4242"});
        if end < items.len() {
            // A token with characters that must be escaped in a query string.
            metadata["continue"] = json!(format!("page+/={end}"));
            metadata["remainingItemCount"] = json!(items.len() - end);
        }
        json_response(
            &json!({"kind": kind, "apiVersion": api_version, "metadata": metadata, "items": page}),
        )
    }
}

fn json_response(value: &Value) -> Response<Full<Bytes>> {
    Response::builder()
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(value.to_string())))
        .unwrap()
}

fn read(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap())
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// The demo snapshot's `k8s/` lists as the API would hold them, plus a Secret whose values
/// must never reach the snapshot.
fn demo_api(forbidden: Option<&str>) -> Api {
    let mut collections = BTreeMap::new();
    let k8s = Path::new(DEMO).join("k8s");
    for entry in std::fs::read_dir(&k8s).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            continue;
        }
        let stem = path.file_stem().unwrap().to_str().unwrap().to_string();
        let resource = RESOURCES
            .iter()
            .find(|resource| resource.name == stem)
            .unwrap_or_else(|| {
                panic!("the collector does not list {stem}, which the demo snapshot has")
            });
        let list = read(&path);
        let api_version = resource
            .path
            .strip_prefix("/api/")
            .or_else(|| resource.path.strip_prefix("/apis/"))
            .unwrap()
            .rsplit_once('/')
            .unwrap()
            .0
            .to_string();
        collections.insert(
            resource.path.to_string(),
            (api_version, list["items"].as_array().unwrap().clone()),
        );
    }
    for resource in RESOURCES.iter().filter(|resource| !resource.optional) {
        collections
            .entry(resource.path.to_string())
            .or_insert_with(|| ("v1".to_string(), Vec::new()));
    }
    let mut configz = BTreeMap::new();
    for entry in std::fs::read_dir(k8s.join("nodes")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap();
        let node = name.strip_suffix(".configz.json").unwrap().to_string();
        configz.insert(node, read(&path));
    }
    Api {
        collections,
        configz,
        forbidden: forbidden.map(str::to_string),
        requests: Mutex::new(Vec::new()),
    }
}

/// Serves `api` on a loopback port; returns its URL.
async fn serve(api: Arc<Api>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let api = api.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |request: Request<Incoming>| {
                    let response = api.answer(&request);
                    async move { Ok::<_, Infallible>(response) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    format!("http://{address}")
}

async fn collect(api: Arc<Api>, out: &Path, node_config: bool) -> kubernetes::Collected {
    let url = serve(api).await;
    let config = kube::Config::new(url.parse().unwrap());
    let client = kube::Client::try_from(config).unwrap();
    let mut options = Options::new("prod-eks", out);
    options.aws = false;
    options.node_config = node_config;
    options.page_size = 3;
    let recorder = Recorder::new(out, Progress::new(false)).unwrap();
    let collected = kubernetes::collect(&client, &options, &recorder).await;
    recorder.finish("prod-eks", None, None).unwrap();
    collected
}

/// A copy of the demo snapshot's Kubernetes half: what was served, as files.
fn reference_snapshot(directory: &Path, collected_at: &Value) -> PathBuf {
    let root = directory.join("reference");
    std::fs::create_dir_all(root.join("k8s/nodes")).unwrap();
    for entry in std::fs::read_dir(Path::new(DEMO).join("k8s")).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::copy(&path, root.join("k8s").join(path.file_name().unwrap())).unwrap();
        }
    }
    for entry in std::fs::read_dir(Path::new(DEMO).join("k8s/nodes")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(
            &path,
            root.join("k8s/nodes").join(path.file_name().unwrap()),
        )
        .unwrap();
    }
    // The cluster's name, which names the cluster-level results, and the time of the
    // collection, which node ages are measured against.
    let manifest =
        json!({"cluster": "prod-eks", "collectedAt": collected_at, "calls": [], "failed": []});
    std::fs::write(root.join("manifest.json"), manifest.to_string()).unwrap();
    root
}

#[tokio::test]
async fn collect_then_scan_gives_the_findings_of_the_served_objects() {
    let directory = tempfile::tempdir().unwrap();
    let api = Arc::new(demo_api(None));
    let out = directory.path().join("collected");
    let collected = collect(api.clone(), &out, true).await;

    // Pagination was used: some list needed a second page, asked for with the escaped token.
    let requests = api.requests.lock().unwrap().clone();
    assert!(
        requests
            .iter()
            .any(|request| request.starts_with("/api/v1/pods?")
                && request.contains("continue=page%2B%2F%3D3")),
        "{requests:?}"
    );
    let pods = read(&out.join("k8s/pods.json"));
    let served = read(&Path::new(DEMO).join("k8s/pods.json"));
    assert!(
        served["items"].as_array().unwrap().len() > 3,
        "the demo pods no longer need two pages"
    );
    assert_eq!(
        pods["items"].as_array().unwrap().len(),
        served["items"].as_array().unwrap().len()
    );
    assert_eq!(pods["kind"], "PodList");
    assert!(pods["metadata"].get("continue").is_none());
    // The image of every container of every page is known to the AWS side (for its scan).
    let mut served_images = std::collections::BTreeSet::new();
    kubernetes::container_images(&served, &mut served_images);
    assert!(served_images.len() > 3, "{served_images:?}");
    assert!(
        served_images.is_subset(&collected.images),
        "{served_images:?} not all in {:?}",
        collected.images
    );
    assert!(collected.listed);

    // Custom resources the server does not know are noted, not failed.
    let failed = common::failed(&out);
    assert!(
        failed
            .iter()
            .all(|(file, _)| file.starts_with("k8s/nodes/")),
        "only the node without a served configz may fail: {failed:?}"
    );

    let collected_at = read(&out.join("manifest.json"))["collectedAt"].clone();
    assert!(collected_at.is_string());
    let reference = reference_snapshot(directory.path(), &collected_at);
    let collected = common::scan(&out);
    let expected = common::scan(&reference);
    assert!(
        expected.len() > 50,
        "too few findings to compare: {}",
        expected.len()
    );
    common::assert_same(&collected, &expected);
}

#[tokio::test]
async fn a_forbidden_resource_is_recorded_as_failed_and_the_rest_is_collected() {
    let directory = tempfile::tempdir().unwrap();
    let api = Arc::new(demo_api(Some(
        "/apis/rbac.authorization.k8s.io/v1/clusterroles",
    )));
    let out = directory.path().join("collected");
    collect(api, &out, false).await;

    assert!(!out.join("k8s/clusterroles.json").exists());
    let failed = common::failed(&out);
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0].0, "k8s/clusterroles.json");
    assert!(
        failed[0]
            .1
            .starts_with("Forbidden: clusterroles is forbidden"),
        "{}",
        failed[0].1
    );
    assert!(out.join("k8s/clusterrolebindings.json").exists());
    assert!(out.join("k8s/pods.json").exists());
    // Without --with-node-config the node proxy is never asked.
    assert!(!out.join("k8s/nodes").exists());
}

#[tokio::test]
async fn no_secret_value_reaches_the_snapshot() {
    let directory = tempfile::tempdir().unwrap();
    let mut api = demo_api(None);
    let secret_values = ["c3VwZXItc2VjcmV0LXBhc3N3b3Jk", "plain-text-token-value"];
    let secret = json!({
        "kind": "Secret", "apiVersion": "v1",
        "metadata": {"name": "db-credentials", "namespace": "payments",
            "annotations": {"kubectl.kubernetes.io/last-applied-configuration":
                format!("{{\"data\":{{\"password\":\"{}\"}}}}", secret_values[0])},
            "managedFields": [{"manager": "kubectl", "fieldsV1": {"f:data": {"f:password": {}}}}]},
        "type": "Opaque",
        "data": {"password": secret_values[0]},
        "stringData": {"token": secret_values[1]}
    });
    api.collections
        .get_mut("/api/v1/secrets")
        .unwrap()
        .1
        .push(secret);
    let out = directory.path().join("collected");
    collect(Arc::new(api), &out, false).await;

    // No file anywhere in the snapshot holds a value.
    let mut files = vec![out.clone()];
    let mut checked = 0;
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(
                std::fs::read_dir(&path)
                    .unwrap()
                    .map(|entry| entry.unwrap().path()),
            );
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for value in secret_values {
            assert!(
                !text.contains(value),
                "{} holds a Secret value",
                path.display()
            );
        }
        checked += 1;
    }
    assert!(checked > 10);
    // The keys are kept: checks may look at which keys a Secret has.
    let secrets = read(&out.join("k8s/secrets.json"));
    let collected = secrets["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|secret| secret["metadata"]["name"] == "db-credentials")
        .unwrap();
    assert_eq!(collected["data"], json!({"password": ""}));
    assert_eq!(collected["stringData"], json!({"token": ""}));
    assert_eq!(collected["type"], "Opaque");
}
