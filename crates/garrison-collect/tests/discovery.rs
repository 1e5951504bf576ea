//! `garrison authz schema` live: a local HTTP server answers `/api`, `/apis`, each group
//! version and `/openapi/v3` (with hashed document URLs and the non-group-version entries a
//! real server lists) from the schema generator's snapshot fixture; the schema generated from
//! the documents read through kube-rs equals the one generated from the snapshot.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::path::Path;
use std::sync::{Arc, Mutex};

use garrison_cedar::generate::{ClusterApi, generate};
use garrison_collect::discovery::api_documents;
use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../garrison-cedar/tests/schema-snapshot"
);

fn read(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap())
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// URL path (and query) → document, as the API server would answer.
fn documents() -> BTreeMap<String, Value> {
    let mut served = BTreeMap::new();
    let mut groups: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    let discovery = Path::new(FIXTURE).join("k8s/discovery");
    for entry in std::fs::read_dir(&discovery).unwrap() {
        let document = read(&entry.unwrap().path());
        let group_version = document["groupVersion"].as_str().unwrap().to_string();
        let (group, version) = group_version.split_once('/').unwrap();
        groups
            .entry(group.to_string())
            .or_default()
            .push(json!({"groupVersion": group_version, "version": version}));
        served.insert(format!("/apis/{group_version}"), document);
    }
    assert!(served.len() >= 2, "the fixture has too few group versions");
    served.insert(
        "/api".to_string(),
        json!({"kind": "APIVersions", "versions": [], "serverAddressByClientCIDRs":
            [{"clientCIDR": "0.0.0.0/0", "serverAddress": "10.0.0.1:443"}]}),
    );
    served.insert(
        "/apis".to_string(),
        json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups.iter().map(|(name, versions)| json!({
            "name": name, "versions": versions, "preferredVersion": versions[0]})).collect::<Vec<_>>()}),
    );
    // The root lists every document with its hash, and documents that are not group versions.
    let mut paths = serde_json::Map::new();
    for name in ["apis", "version", ".well-known/openid-configuration"] {
        paths.insert(
            name.to_string(),
            json!({"serverRelativeURL": format!("/openapi/v3/{name}?hash=0000")}),
        );
    }
    let openapi = Path::new(FIXTURE).join("k8s/openapi/v3");
    for entry in std::fs::read_dir(&openapi).unwrap() {
        let path = entry.unwrap().path();
        let stem = path.file_name().unwrap().to_str().unwrap();
        let api_path = stem
            .strip_suffix("_openapi.json")
            .unwrap()
            .replace("__", "/");
        let url = format!("/openapi/v3/{api_path}?hash=5E2B{}", api_path.len());
        paths.insert(api_path, json!({"serverRelativeURL": url}));
        served.insert(url, read(&path));
    }
    served.insert("/openapi/v3".to_string(), json!({"paths": paths}));
    served
}

async fn serve(served: Arc<BTreeMap<String, Value>>, seen: Arc<Mutex<Vec<String>>>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let served = served.clone();
            let seen = seen.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |request: Request<Incoming>| {
                    let url = request.uri().to_string();
                    seen.lock().unwrap().push(url.clone());
                    let response = match served.get(&url) {
                        Some(document) => Response::builder()
                            .header("content-type", "application/json")
                            .body(Full::new(Bytes::from(document.to_string()))),
                        None => Response::builder()
                            .status(404)
                            .header("content-type", "application/json")
                            .body(Full::new(Bytes::from(
                                json!({"kind": "Status", "apiVersion": "v1", "metadata": {},
                                    "status": "Failure", "reason": "NotFound", "code": 404,
                                    "message": "the server could not find the requested resource"})
                                .to_string(),
                            ))),
                    };
                    async move { Ok::<_, Infallible>(response.unwrap()) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    format!("http://{address}")
}

#[tokio::test]
async fn the_live_schema_is_the_snapshot_schema() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let url = serve(Arc::new(documents()), seen.clone()).await;
    let client = kube::Client::try_from(kube::Config::new(url.parse().unwrap())).unwrap();
    let documents = api_documents(&client).await.unwrap();

    let names: Vec<&str> = documents
        .discovery
        .iter()
        .map(|(name, _)| name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "apis__networking.k8s.io__v1.json",
            "apis__stable.example.com__v1.json"
        ]
    );
    let names: Vec<&str> = documents
        .openapi
        .iter()
        .map(|(name, _)| name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "apis__networking.k8s.io__v1_openapi.json",
            "apis__stable.example.com__v1_openapi.json"
        ]
    );
    // The hashed URLs were followed, and nothing else was asked for.
    let seen = seen.lock().unwrap().clone();
    assert!(
        seen.iter().all(|url| !url.contains("/openapi/v3/apis?")
            && !url.contains("version?")
            && !url.contains(".well-known")),
        "{seen:?}"
    );

    let live =
        generate(&ClusterApi::from_documents(&documents.discovery, &documents.openapi).unwrap())
            .unwrap();
    let snapshot = generate(&ClusterApi::from_snapshot(Path::new(FIXTURE)).unwrap()).unwrap();
    assert_eq!(live.entity_types, snapshot.entity_types);
    assert!(!live.entity_types.is_empty());
    assert_eq!(live.warnings, snapshot.warnings);
    assert_eq!(live.json, snapshot.json);
    assert_eq!(live.text, snapshot.text);
}

#[tokio::test]
async fn a_missing_document_fails_the_read() {
    let mut served = documents();
    served.retain(|url, _| !url.starts_with("/openapi/v3/apis/stable.example.com"));
    let url = serve(Arc::new(served), Arc::new(Mutex::new(Vec::new()))).await;
    let client = kube::Client::try_from(kube::Config::new(url.parse().unwrap())).unwrap();
    let error = api_documents(&client).await.unwrap_err();
    assert_eq!(error.code, Some(404), "{}", error.message);
}
