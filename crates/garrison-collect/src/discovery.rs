//! A cluster's discovery and OpenAPI v3 documents, read live for `garrison authz schema`: the
//! `APIResourceList` of every group version (`/api/V`, `/apis/G/V`, found through `/api` and
//! `/apis`) and the OpenAPI document of every group version `/openapi/v3` lists.
//!
//! Each document is named as a snapshot names its file (`k8s/discovery/apis__apps__v1.json`,
//! `k8s/openapi/v3/apis__apps__v1_openapi.json`, after the Kubernetes repository's `api/`
//! directory) and the lists are in file-name order, so the documents read live are exactly
//! those `kubectl get --raw` would have saved into a snapshot, in the order it is read.

use kube::Client;
use serde_json::Value;

use crate::kubernetes::{RequestError, get};

/// Discovery and OpenAPI documents by snapshot file name, each list in name order.
#[derive(Debug, Clone, Default)]
pub struct ApiDocuments {
    /// `api__v1.json`, `apis__apps__v1.json`, ...: `APIResourceList`s.
    pub discovery: Vec<(String, Value)>,
    /// `api__v1_openapi.json`, `apis__apps__v1_openapi.json`, ...: OpenAPI v3 documents.
    pub openapi: Vec<(String, Value)>,
}

/// The snapshot file stem of an API path: `apis/apps/v1` → `apis__apps__v1`.
pub fn file_stem(path: &str) -> String {
    path.trim_start_matches('/').replace('/', "__")
}

fn strings<'a>(value: &'a Value, pointer: &str) -> impl Iterator<Item = &'a str> {
    value
        .pointer(pointer)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
}

/// A group version's API path, when `path` (a key of `/openapi/v3`'s `paths`) is one:
/// `api/v1` or `apis/GROUP/VERSION`; not `api`, `apis`, `version` or `.well-known/...`.
fn group_version_path(path: &str) -> bool {
    let parts: Vec<&str> = path.split('/').collect();
    matches!(parts.as_slice(), ["api", version] if !version.is_empty())
        || matches!(parts.as_slice(), ["apis", group, version] if !group.is_empty() && !version.is_empty())
}

/// Reads the documents through `client`. Any failed request fails the whole read: a schema
/// generated from part of the API would silently lack kinds.
pub async fn api_documents(client: &Client) -> Result<ApiDocuments, RequestError> {
    let mut paths = Vec::new();
    let core = get(client, "/api").await?;
    paths.extend(strings(&core, "/versions").map(|version| format!("api/{version}")));
    let groups = get(client, "/apis").await?;
    for group in groups
        .get("groups")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        paths.extend(
            group
                .get("versions")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|version| version.get("groupVersion")?.as_str())
                .map(|group_version| format!("apis/{group_version}")),
        );
    }
    let mut documents = ApiDocuments::default();
    for path in paths {
        let document = get(client, &format!("/{path}")).await?;
        documents
            .discovery
            .push((format!("{}.json", file_stem(&path)), document));
    }
    let root = get(client, "/openapi/v3").await?;
    let listed = root
        .get("paths")
        .and_then(Value::as_object)
        .ok_or_else(|| RequestError {
            code: None,
            message: "/openapi/v3 did not list paths".to_string(),
        })?;
    for (path, entry) in listed {
        if !group_version_path(path) {
            continue;
        }
        // The listed URL carries the document's hash, which makes it cacheable.
        let url = entry
            .get("serverRelativeURL")
            .and_then(Value::as_str)
            .map_or_else(|| format!("/openapi/v3/{path}"), str::to_string);
        let document = get(client, &url).await?;
        documents
            .openapi
            .push((format!("{}_openapi.json", file_stem(path)), document));
    }
    documents.discovery.sort_by(|a, b| a.0.cmp(&b.0));
    documents.openapi.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(documents)
}

/// [`api_documents`] for the cluster of `kubeconfig`/`context` (or the usual inference), on a
/// short-lived runtime.
pub fn api_documents_blocking(
    kubeconfig: Option<&std::path::Path>,
    context: Option<&str>,
) -> Result<ApiDocuments, crate::CollectError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(crate::CollectError::Runtime)?;
    runtime.block_on(async {
        let config = crate::kubernetes::config(kubeconfig, context).await?;
        let client = Client::try_from(config)
            .map_err(|error| crate::CollectError::KubeConfig(error.to_string()))?;
        api_documents(&client)
            .await
            .map_err(|error| crate::CollectError::Api(error.message))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_group_version_paths_are_documents() {
        assert!(group_version_path("api/v1"));
        assert!(group_version_path("apis/apps/v1"));
        assert!(group_version_path("apis/stable.example.com/v1"));
        for path in [
            "api",
            "apis",
            "version",
            ".well-known/openid-configuration",
            "logs",
        ] {
            assert!(!group_version_path(path), "{path}");
        }
        assert_eq!(
            file_stem("/apis/networking.k8s.io/v1"),
            "apis__networking.k8s.io__v1"
        );
    }
}
