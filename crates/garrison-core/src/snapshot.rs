//! The AWS half of a cluster snapshot, and what `manifest.json` says was collected.
//!
//! The typed model of each AWS document is built on top of this by the posture checks; here the
//! documents are kept as JSON keyed by their path below `aws/`, so that a missing file can be told
//! apart from a present one and reported as UNKNOWN rather than PASS.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde_json::Value;

#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    /// The snapshot directory as given by the user (or `demo` for the embedded one).
    pub root: String,
    /// `aws/<service>/<call>.json` documents keyed by `<service>/<call>.json`.
    pub aws: BTreeMap<String, Value>,
    /// `k8s/nodes/<node>.configz.json` documents keyed by node name.
    pub node_configs: BTreeMap<String, Value>,
    /// `kube-bench/<node>.json` reports (kube-bench `--json`) keyed by node name.
    pub kube_bench: BTreeMap<String, Value>,
    /// `manifest.json`, when present.
    pub manifest: Option<Value>,
}

/// Why an AWS document is not available to a check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Missing {
    /// The call was made and failed; the manifest records the error.
    Failed(String),
    /// The file is not in the snapshot.
    NotCollected,
    /// The file is there but is not the document expected: the reason, with the JSON pointer
    /// of the offending member.
    Invalid(String),
}

impl Missing {
    pub fn reason(&self, key: &str) -> String {
        match self {
            Missing::Failed(error) => format!("aws/{key} could not be collected: {error}"),
            Missing::NotCollected => format!("aws/{key} was not collected"),
            Missing::Invalid(error) => format!("aws/{key} could not be read: {error}"),
        }
    }
}

impl Snapshot {
    pub fn new(root: String) -> Snapshot {
        Snapshot {
            root,
            ..Snapshot::default()
        }
    }

    pub(crate) fn merge(&mut self, other: Snapshot) {
        if self.root.is_empty() {
            self.root = other.root;
        }
        self.aws.extend(other.aws);
        self.node_configs.extend(other.node_configs);
        self.kube_bench.extend(other.kube_bench);
        if other.manifest.is_some() {
            self.manifest = other.manifest;
        }
    }

    /// The AWS document at `aws/<key>`, or why it is not there.
    pub fn aws(&self, key: &str) -> Result<&Value, Missing> {
        if let Some(value) = self.aws.get(key) {
            return Ok(value);
        }
        let failed = self
            .manifest
            .as_ref()
            .and_then(|manifest| manifest.get("failed"))
            .and_then(Value::as_array)
            .and_then(|failed| {
                failed.iter().find(|call| {
                    call.get("file").and_then(Value::as_str) == Some(&format!("aws/{key}"))
                })
            })
            .and_then(|call| call.get("error").and_then(Value::as_str));
        match failed {
            Some(error) => Err(Missing::Failed(error.to_string())),
            None => Err(Missing::NotCollected),
        }
    }

    /// The AWS document at `aws/<key>` decoded as `T`, or why it is not available.
    pub fn document<T: DeserializeOwned>(&self, key: &str) -> Result<T, Missing> {
        decode(self.aws(key)?)
    }

    /// Every document below `aws/<prefix>` (a directory such as `eks/addons/`) with its key, in
    /// key order, each decoded as `T` or with why it could not be. Calls the manifest records as
    /// failed below the prefix are included as [`Missing::Failed`], so a failed describe call is
    /// reported rather than silently dropped.
    pub fn documents<T: DeserializeOwned>(
        &self,
        prefix: &str,
    ) -> Vec<(String, Result<T, Missing>)> {
        let mut documents: Vec<(String, Result<T, Missing>)> = self
            .aws
            .range(prefix.to_string()..)
            .take_while(|(key, _)| key.starts_with(prefix))
            .map(|(key, value)| (key.clone(), decode(value)))
            .collect();
        for (file, error) in self.failed_calls() {
            if let Some(key) = file.strip_prefix("aws/")
                && key.starts_with(prefix)
                && !self.aws.contains_key(key)
            {
                documents.push((key.to_string(), Err(Missing::Failed(error.to_string()))));
            }
        }
        documents
    }

    /// Whether the manifest says any call below `aws/<prefix>` was made, failed or not: tells an
    /// empty directory (nothing there) from one that was never collected.
    pub fn collected_under(&self, prefix: &str) -> bool {
        let under = |file: &str| {
            file.strip_prefix("aws/")
                .is_some_and(|key| key.starts_with(prefix))
        };
        let calls = self
            .manifest
            .as_ref()
            .and_then(|manifest| manifest.get("calls"))
            .and_then(Value::as_array);
        self.aws.keys().any(|key| key.starts_with(prefix))
            || calls.is_some_and(|calls| {
                calls
                    .iter()
                    .any(|call| call.get("file").and_then(Value::as_str).is_some_and(under))
            })
            || self.failed_calls().any(|(file, _)| under(file))
    }

    /// `(file, error)` of every call the manifest records as failed.
    pub fn failed_calls(&self) -> impl Iterator<Item = (&str, &str)> {
        self.manifest
            .as_ref()
            .and_then(|manifest| manifest.get("failed"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|call| {
                Some((
                    call.get("file")?.as_str()?,
                    call.get("error")
                        .and_then(Value::as_str)
                        .unwrap_or("failed"),
                ))
            })
    }

    /// The kubelet configuration of `node` (`k8s/nodes/<node>.configz.json`), or why it is not
    /// available.
    pub fn kubelet_config(
        &self,
        node: &str,
    ) -> Result<crate::aws::kubelet::KubeletConfig, Missing> {
        let file = format!("k8s/nodes/{node}.configz.json");
        match self.node_configs.get(node) {
            Some(value) => {
                decode::<crate::aws::kubelet::Configz>(value).map(|configz| configz.kubeletconfig)
            }
            None => match self.failed_calls().find(|(failed, _)| *failed == file) {
                Some((_, error)) => Err(Missing::Failed(error.to_string())),
                None => Err(Missing::NotCollected),
            },
        }
    }

    /// The kube-bench report of `node` (`kube-bench/<node>.json`), or why it is not available.
    pub fn kube_bench_report(
        &self,
        node: &str,
    ) -> Result<crate::aws::kube_bench::KubeBenchReport, Missing> {
        let file = format!("kube-bench/{node}.json");
        match self.kube_bench.get(node) {
            Some(value) => decode(value),
            None => match self.failed_calls().find(|(failed, _)| *failed == file) {
                Some((_, error)) => Err(Missing::Failed(error.to_string())),
                None => Err(Missing::NotCollected),
            },
        }
    }

    /// The cluster ARN from `describe-cluster.json` or the manifest.
    pub fn cluster_arn(&self) -> Option<&str> {
        self.aws
            .get("eks/describe-cluster.json")
            .and_then(|document| document.pointer("/cluster/arn"))
            .or_else(|| self.manifest.as_ref()?.get("clusterArn"))
            .and_then(Value::as_str)
    }
}

/// Decodes a document, naming the member that does not fit.
fn decode<T: DeserializeOwned>(value: &Value) -> Result<T, Missing> {
    serde_path_to_error::deserialize(value).map_err(|error| {
        let path = error.path().to_string();
        Missing::Invalid(format!("{} (at {path})", error.inner()))
    })
}
