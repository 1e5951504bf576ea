//! The Kubernetes half: every kind the checks read, listed page by page (`limit`/`continue`)
//! into `k8s/<resource>.json`, and with `--with-node-config` each node's kubelet
//! configuration through the API server's node proxy.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use kube::Client;
use serde_json::{Map, Value};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::{CollectError, Options, Recorder};

/// A resource listed across all namespaces.
#[derive(Debug, Clone, Copy)]
pub struct Resource {
    /// The file stem below `k8s/` and the plural resource name.
    pub name: &'static str,
    /// The collection URL.
    pub path: &'static str,
    /// A custom resource, or a built-in one older clusters lack: a 404 means the cluster does
    /// not serve it, which is recorded as a note rather than a failure.
    pub optional: bool,
}

const fn builtin(name: &'static str, path: &'static str) -> Resource {
    Resource {
        name,
        path,
        optional: false,
    }
}

const fn optional(name: &'static str, path: &'static str) -> Resource {
    Resource {
        name,
        path,
        optional: true,
    }
}

/// What the checks read (research note §4.8): RBAC, workloads, network, storage, admission,
/// and the custom resources of EKS, Karpenter and the secrets operators.
pub const RESOURCES: &[Resource] = &[
    builtin("namespaces", "/api/v1/namespaces"),
    builtin("nodes", "/api/v1/nodes"),
    builtin("pods", "/api/v1/pods"),
    builtin("serviceaccounts", "/api/v1/serviceaccounts"),
    builtin("services", "/api/v1/services"),
    builtin("configmaps", "/api/v1/configmaps"),
    builtin("secrets", "/api/v1/secrets"),
    builtin("persistentvolumes", "/api/v1/persistentvolumes"),
    builtin("resourcequotas", "/api/v1/resourcequotas"),
    builtin("limitranges", "/api/v1/limitranges"),
    builtin("deployments", "/apis/apps/v1/deployments"),
    builtin("daemonsets", "/apis/apps/v1/daemonsets"),
    builtin("statefulsets", "/apis/apps/v1/statefulsets"),
    builtin("replicasets", "/apis/apps/v1/replicasets"),
    builtin("jobs", "/apis/batch/v1/jobs"),
    builtin("cronjobs", "/apis/batch/v1/cronjobs"),
    builtin("roles", "/apis/rbac.authorization.k8s.io/v1/roles"),
    builtin(
        "clusterroles",
        "/apis/rbac.authorization.k8s.io/v1/clusterroles",
    ),
    builtin(
        "rolebindings",
        "/apis/rbac.authorization.k8s.io/v1/rolebindings",
    ),
    builtin(
        "clusterrolebindings",
        "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
    ),
    builtin(
        "networkpolicies",
        "/apis/networking.k8s.io/v1/networkpolicies",
    ),
    builtin("ingresses", "/apis/networking.k8s.io/v1/ingresses"),
    builtin("storageclasses", "/apis/storage.k8s.io/v1/storageclasses"),
    builtin(
        "validatingwebhookconfigurations",
        "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations",
    ),
    builtin(
        "mutatingwebhookconfigurations",
        "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations",
    ),
    optional(
        "validatingadmissionpolicies",
        "/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies",
    ),
    optional(
        "validatingadmissionpolicybindings",
        "/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings",
    ),
    optional(
        "securitygrouppolicies",
        "/apis/vpcresources.k8s.aws/v1beta1/securitygrouppolicies",
    ),
    optional("nodeclasses", "/apis/eks.amazonaws.com/v1/nodeclasses"),
    optional("nodepools", "/apis/karpenter.sh/v1/nodepools"),
    optional(
        "secretproviderclasses",
        "/apis/secrets-store.csi.x-k8s.io/v1/secretproviderclasses",
    ),
    optional(
        "externalsecrets",
        "/apis/external-secrets.io/v1/externalsecrets",
    ),
    optional("secretstores", "/apis/external-secrets.io/v1/secretstores"),
    optional(
        "clustersecretstores",
        "/apis/external-secrets.io/v1/clustersecretstores",
    ),
    optional(
        "adminnetworkpolicies",
        "/apis/policy.networking.k8s.io/v1alpha1/adminnetworkpolicies",
    ),
    optional(
        "baselineadminnetworkpolicies",
        "/apis/policy.networking.k8s.io/v1alpha1/baselineadminnetworkpolicies",
    ),
];

/// The client for `--kubeconfig`/`--context`, or the usual inference (KUBECONFIG, in-cluster).
pub async fn client(options: &Options) -> Result<Client, CollectError> {
    let config = config(options.kubeconfig.as_deref(), options.context.as_deref()).await?;
    Client::try_from(config).map_err(|error| CollectError::KubeConfig(error.to_string()))
}

/// The client configuration of `kubeconfig` (a file) and `context`, or, with neither, the
/// usual inference: `KUBECONFIG` or `~/.kube/config`, else the in-cluster service account.
pub async fn config(
    kubeconfig: Option<&std::path::Path>,
    context: Option<&str>,
) -> Result<kube::Config, CollectError> {
    let kube_options = kube::config::KubeConfigOptions {
        context: context.map(str::to_string),
        ..Default::default()
    };
    let config = match kubeconfig {
        Some(path) => {
            let kubeconfig = kube::config::Kubeconfig::read_from(path).map_err(|error| {
                CollectError::KubeConfig(format!("{}: {error}", path.display()))
            })?;
            kube::Config::from_custom_kubeconfig(kubeconfig, &kube_options)
                .await
                .map_err(|error| error.to_string())
        }
        None if context.is_some() => kube::Config::from_kubeconfig(&kube_options)
            .await
            .map_err(|error| error.to_string()),
        None => kube::Config::infer()
            .await
            .map_err(|error| error.to_string()),
    };
    config.map_err(CollectError::KubeConfig)
}

/// [`config`] on a short-lived runtime, for callers outside one.
pub fn config_blocking(
    kubeconfig: Option<&std::path::Path>,
    context: Option<&str>,
) -> Result<kube::Config, CollectError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(CollectError::Runtime)?
        .block_on(config(kubeconfig, context))
}

/// What the AWS side needs from the Kubernetes objects.
#[derive(Debug, Clone, Default)]
pub struct Collected {
    /// The IAM role ARNs ServiceAccounts name in `eks.amazonaws.com/role-arn` (IRSA).
    pub service_account_roles: Vec<String>,
    /// The images of every container, init and ephemeral container of the listed objects
    /// (Pods and the workload controllers' templates): the ECR scan results to read.
    pub images: BTreeSet<String>,
    /// Whether the Kubernetes side was listed (without it, `images` is empty for lack of data,
    /// not because nothing runs).
    pub listed: bool,
}

/// Adds to `images` the `image` of each container found anywhere in `value`
/// (`containers`, `initContainers`, `ephemeralContainers`, at any depth: Pods, templates of
/// Deployments and the rest, CronJobs' job templates).
pub fn container_images(value: &Value, images: &mut BTreeSet<String>) {
    match value {
        Value::Object(members) => {
            for (key, member) in members {
                if matches!(
                    key.as_str(),
                    "containers" | "initContainers" | "ephemeralContainers"
                ) && let Some(containers) = member.as_array()
                {
                    images.extend(
                        containers
                            .iter()
                            .filter_map(|container| container.get("image")?.as_str())
                            .map(str::to_string),
                    );
                }
                container_images(member, images);
            }
        }
        Value::Array(items) => {
            for item in items {
                container_images(item, images);
            }
        }
        _ => {}
    }
}

/// The annotation by which a ServiceAccount names its IAM role (IRSA).
pub const ROLE_ARN_ANNOTATION: &str = "eks.amazonaws.com/role-arn";

/// The distinct role ARNs of a ServiceAccountList's [`ROLE_ARN_ANNOTATION`]s.
pub fn service_account_roles(list: &Value) -> Vec<String> {
    let mut roles: Vec<String> = list
        .get("items")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|account| {
            account
                .pointer("/metadata/annotations")?
                .get(ROLE_ARN_ANNOTATION)?
                .as_str()
        })
        .map(str::trim)
        .filter(|arn| arn.starts_with("arn:"))
        .map(str::to_string)
        .collect();
    roles.sort();
    roles.dedup();
    roles
}

/// Lists every resource of [`RESOURCES`] (and node configurations when asked), at most
/// `options.concurrency` at a time.
pub async fn collect(client: &Client, options: &Options, recorder: &Recorder) -> Collected {
    let mut collected = Collected {
        listed: true,
        ..Collected::default()
    };
    let permits = Arc::new(Semaphore::new(options.concurrency.max(1)));
    let mut tasks = JoinSet::new();
    let mut nodes = None;
    for resource in RESOURCES {
        let client = client.clone();
        let permits = permits.clone();
        let page_size = options.page_size.max(1);
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await;
            (resource, list(&client, resource.path, page_size).await)
        });
    }
    while let Some(joined) = tasks.join_next().await {
        let Ok((resource, listed)) = joined else {
            continue;
        };
        let file = format!("k8s/{}.json", resource.name);
        let call = format!("k8s:List {}", resource.name);
        match listed {
            Ok(mut list) => {
                if resource.name == "secrets" {
                    redact_secrets(&mut list);
                }
                if resource.name == "nodes" {
                    nodes = Some(node_names(&list));
                }
                if resource.name == "serviceaccounts" {
                    collected.service_account_roles = service_account_roles(&list);
                }
                if resource.name != "secrets" {
                    container_images(&list, &mut collected.images);
                }
                recorder.write(&call, &file, &list);
            }
            Err(error) if resource.optional && error.code == Some(404) => {
                recorder.note(&call, &file, "not served by this cluster (404)");
            }
            Err(error) => recorder.fail(&call, &file, &error.message),
        }
    }
    if options.node_config {
        node_configs(client, nodes.unwrap_or_default(), &permits, recorder).await;
    }
    collected
}

/// A failed request: the HTTP status when there was one, and the API's own message.
#[derive(Debug, Clone)]
pub struct RequestError {
    pub code: Option<u16>,
    pub message: String,
}

impl From<kube::Error> for RequestError {
    fn from(error: kube::Error) -> RequestError {
        match error {
            kube::Error::Api(status) => {
                let status = *status;
                RequestError {
                    code: Some(status.code),
                    message: if status.reason.is_empty() {
                        status.message
                    } else {
                        format!("{}: {}", status.reason, status.message)
                    },
                }
            }
            other => RequestError {
                code: None,
                message: other.to_string(),
            },
        }
    }
}

/// GETs `path`, retrying throttling (429) and server errors with backoff.
pub(crate) async fn get(client: &Client, path: &str) -> Result<Value, RequestError> {
    let mut delay = Duration::from_millis(200);
    let mut attempt = 1;
    loop {
        let request = http::Request::get(path)
            .body(Vec::new())
            .map_err(|error| RequestError {
                code: None,
                message: format!("bad request path {path}: {error}"),
            })?;
        match client
            .request::<Value>(request)
            .await
            .map_err(RequestError::from)
        {
            Err(error)
                if attempt < 4 && error.code.is_some_and(|code| code == 429 || code >= 500) =>
            {
                tokio::time::sleep(delay).await;
                delay *= 2;
                attempt += 1;
            }
            result => return result,
        }
    }
}

/// Lists a collection page by page and returns one List holding every item, as
/// `kubectl get -A -o json` would (items keep the API's form; the loader fills their kind
/// from the list's).
pub async fn list(client: &Client, path: &str, page_size: u32) -> Result<Value, RequestError> {
    let mut items = Vec::new();
    let mut head: Option<Map<String, Value>> = None;
    let mut token: Option<String> = None;
    loop {
        let url = match &token {
            None => format!("{path}?limit={page_size}"),
            Some(token) => format!("{path}?limit={page_size}&continue={}", encode_query(token)),
        };
        let Value::Object(mut page) = get(client, &url).await? else {
            return Err(RequestError {
                code: None,
                message: format!("{path} did not return a JSON object"),
            });
        };
        if let Some(Value::Array(page_items)) = page.remove("items") {
            items.extend(page_items);
        }
        token = page
            .get("metadata")
            .and_then(|metadata| metadata.get("continue"))
            .and_then(Value::as_str)
            .filter(|token| !token.is_empty())
            .map(str::to_string);
        if head.is_none() {
            head = Some(page);
        }
        if token.is_none() {
            break;
        }
    }
    let mut list = head.unwrap_or_default();
    if let Some(Value::Object(metadata)) = list.get_mut("metadata") {
        metadata.remove("continue");
        metadata.remove("remainingItemCount");
    }
    list.insert("items".to_string(), Value::Array(items));
    Ok(Value::Object(list))
}

/// Percent-encodes a continue token for a query string (tokens are base64 and may hold `+`,
/// `/` and `=`).
fn encode_query(value: &str) -> String {
    let mut encoded = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

/// Keeps a Secret's metadata, type and the *names* of its data keys; every value is
/// replaced by an empty string, and the copies of the values that `kubectl apply` leaves in
/// an annotation and in managed fields are dropped.
pub fn redact_secrets(list: &mut Value) {
    let Some(items) = list.get_mut("items").and_then(Value::as_array_mut) else {
        return;
    };
    for item in items {
        let Value::Object(secret) = item else {
            continue;
        };
        for member in ["data", "stringData"] {
            if let Some(Value::Object(data)) = secret.get_mut(member) {
                for value in data.values_mut() {
                    *value = Value::String(String::new());
                }
            } else {
                secret.remove(member);
            }
        }
        secret.retain(|key, _| {
            matches!(
                key.as_str(),
                "apiVersion" | "kind" | "metadata" | "type" | "immutable" | "data" | "stringData"
            )
        });
        if let Some(Value::Object(metadata)) = secret.get_mut("metadata") {
            metadata.remove("managedFields");
            if let Some(Value::Object(annotations)) = metadata.get_mut("annotations") {
                annotations.remove("kubectl.kubernetes.io/last-applied-configuration");
            }
        }
    }
}

fn node_names(list: &Value) -> Vec<String> {
    list.get("items")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|node| node.pointer("/metadata/name")?.as_str())
        .map(str::to_string)
        .collect()
}

/// `GET /api/v1/nodes/<node>/proxy/configz` for each node into `k8s/nodes/<node>.configz.json`.
async fn node_configs(
    client: &Client,
    nodes: Vec<String>,
    permits: &Arc<Semaphore>,
    recorder: &Recorder,
) {
    let mut tasks = JoinSet::new();
    for node in nodes {
        let client = client.clone();
        let permits = permits.clone();
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await;
            let path = format!("/api/v1/nodes/{}/proxy/configz", encode_query(&node));
            let config = get(&client, &path).await;
            (node, config)
        });
    }
    while let Some(joined) = tasks.join_next().await {
        let Ok((node, config)) = joined else {
            continue;
        };
        let file = format!("k8s/nodes/{}.configz.json", crate::safe_file_name(&node));
        recorder.save(
            "k8s:GetNodeConfigz",
            &file,
            config.map_err(|error| error.message),
        );
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    #[test]
    fn secret_values_and_their_copies_are_dropped() {
        let mut list = json!({"kind": "SecretList", "apiVersion": "v1", "items": [{
            "metadata": {"name": "db", "namespace": "app", "annotations": {
                "kubectl.kubernetes.io/last-applied-configuration": "{\"data\":{\"password\":\"aHVudGVyMg==\"}}",
                "team": "payments"}, "managedFields": [{"manager": "kubectl"}]},
            "type": "Opaque",
            "data": {"password": "aHVudGVyMg==", "user": "YWRtaW4="},
            "stringData": {"token": "plain"},
            "extra": "aHVudGVyMg=="
        }]});
        redact_secrets(&mut list);
        let text = list.to_string();
        assert!(!text.contains("aHVudGVyMg=="), "{text}");
        assert!(!text.contains("YWRtaW4="), "{text}");
        assert!(!text.contains("plain"), "{text}");
        let secret = &list["items"][0];
        assert_eq!(secret["data"], json!({"password": "", "user": ""}));
        assert_eq!(
            secret["metadata"]["annotations"],
            json!({"team": "payments"})
        );
        assert_eq!(secret["type"], "Opaque");
    }

    #[test]
    fn images_of_every_kind_of_container_at_any_depth_are_found() {
        let cronjobs = json!({"items": [{"spec": {"jobTemplate": {"spec": {"template": {"spec": {
            "initContainers": [{"name": "init", "image": "busybox:1.36"}],
            "containers": [{"name": "job", "image": "1.dkr.ecr.us-east-1.amazonaws.com/job:v1"}]
        }}}}}}]});
        let pods = json!({"items": [{"spec": {
            "containers": [{"name": "a", "image": "nginx"}, {"name": "b"}],
            "ephemeralContainers": [{"name": "debug", "image": "busybox:1.36"}]
        }}]});
        let mut images = BTreeSet::new();
        container_images(&cronjobs, &mut images);
        container_images(&pods, &mut images);
        assert_eq!(
            images.into_iter().collect::<Vec<_>>(),
            [
                "1.dkr.ecr.us-east-1.amazonaws.com/job:v1",
                "busybox:1.36",
                "nginx"
            ]
        );
    }

    #[test]
    fn service_account_roles_are_the_distinct_annotated_arns() {
        let list = json!({"items": [
            {"metadata": {"name": "a", "annotations": {ROLE_ARN_ANNOTATION: "arn:aws:iam::111122223333:role/app"}}},
            {"metadata": {"name": "b", "annotations": {ROLE_ARN_ANNOTATION: " arn:aws:iam::111122223333:role/app "}}},
            {"metadata": {"name": "c", "annotations": {ROLE_ARN_ANNOTATION: "not-an-arn"}}},
            {"metadata": {"name": "d", "annotations": {"team": "x"}}},
            {"metadata": {"name": "e"}},
            {"metadata": {"name": "f", "annotations": {ROLE_ARN_ANNOTATION: "arn:aws:iam::111122223333:role/ci/deployer"}}}
        ]});
        assert_eq!(
            service_account_roles(&list),
            [
                "arn:aws:iam::111122223333:role/app",
                "arn:aws:iam::111122223333:role/ci/deployer"
            ]
        );
    }

    #[test]
    fn continue_tokens_are_encoded() {
        assert_eq!(encode_query("eyJ2+/="), "eyJ2%2B%2F%3D");
    }
}
