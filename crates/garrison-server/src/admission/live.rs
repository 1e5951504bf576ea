//! Namespace labels from the API server: a kube-rs watcher on Namespaces feeds the same store
//! the `--namespaces` files feed (an `ArcSwap` of the whole map, so a review reads it without a
//! lock). Each change publishes a new map; a (re)list is buffered and swapped in whole when it
//! completes, so a review never sees a half-listed cluster.
//!
//! Until the first list completes the webhook is not ready (`/readyz` answers 503). A failed
//! list or watch is logged and retried with kube-rs's default backoff (exponential, 0.8 s up
//! to 30 s, jittered); the last complete map stays in force meanwhile.
//!
//! The pods of a namespace are not watched: a change of a namespace's enforce label is not
//! checked against its existing pods here (the built-in plugin lists them on each such change).

use std::sync::Arc;
use std::sync::atomic::Ordering;

use futures::StreamExt;
use k8s_openapi::api::core::v1::Namespace;
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Api, Client};

use super::Admission;
use super::pod_security::{NamespaceInfo, NamespaceMap};

/// Watches Namespaces through `client` and publishes their labels to `admission` until the
/// task is dropped. Marks `admission` ready when the first list is complete.
pub async fn watch_namespaces(admission: Arc<Admission>, client: Client) {
    let api: Api<Namespace> = Api::all(client);
    let events = watcher(api, watcher::Config::default()).default_backoff();
    let mut events = std::pin::pin!(events);
    let mut current = NamespaceMap::new();
    let mut listing: Option<NamespaceMap> = None;
    let mut listed = false;
    while let Some(event) = events.next().await {
        match event {
            Ok(watcher::Event::Init) => listing = Some(NamespaceMap::new()),
            Ok(watcher::Event::InitApply(namespace)) => {
                insert(listing.get_or_insert_with(NamespaceMap::new), namespace);
            }
            Ok(watcher::Event::InitDone) => {
                current = listing.take().unwrap_or_default();
                publish(&admission, &current);
                if !listed {
                    listed = true;
                    admission.ready.store(true, Ordering::Relaxed);
                    tracing::info!(namespaces = current.len(), "namespaces listed; ready");
                } else {
                    tracing::info!(namespaces = current.len(), "namespaces listed again");
                }
            }
            Ok(watcher::Event::Apply(namespace)) => {
                insert(&mut current, namespace);
                publish(&admission, &current);
            }
            Ok(watcher::Event::Delete(namespace)) => {
                if let Some(name) = namespace.metadata.name {
                    current.remove(&name);
                    publish(&admission, &current);
                }
            }
            Err(error) => {
                tracing::warn!(%error, "namespace watch failed; retrying with backoff");
            }
        }
    }
}

fn insert(map: &mut NamespaceMap, namespace: Namespace) {
    let Some(name) = namespace.metadata.name else {
        return;
    };
    let labels = namespace.metadata.labels.unwrap_or_default();
    map.insert(
        name,
        NamespaceInfo {
            labels,
            pods: Vec::new(),
        },
    );
}

fn publish(admission: &Admission, map: &NamespaceMap) {
    admission.namespaces.store(Arc::new(map.clone()));
}

/// Puts `admission` in live mode: not ready until the watch's first list, and a namespace the
/// watch has not delivered is a failed namespace lookup (as for the built-in plugin) rather
/// than a namespace without labels.
pub fn expect_watch(admission: &mut Admission) {
    admission.expect_namespace_watch();
}

/// Starts [`watch_namespaces`] with a client for `config` on the current runtime.
pub fn spawn(
    admission: &Arc<Admission>,
    config: kube::Config,
) -> Result<tokio::task::JoinHandle<()>, kube::Error> {
    let client = Client::try_from(config)?;
    Ok(tokio::spawn(watch_namespaces(admission.clone(), client)))
}
