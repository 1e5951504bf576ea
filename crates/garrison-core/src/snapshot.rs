//! The AWS half of a cluster snapshot, and what `manifest.json` says was collected.
//!
//! The typed model of each AWS document is built on top of this by the posture checks; here the
//! documents are kept as JSON keyed by their path below `aws/`, so that a missing file can be told
//! apart from a present one and reported as UNKNOWN rather than PASS.

use std::collections::BTreeMap;

use serde_json::Value;

#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    /// The snapshot directory as given by the user (or `demo` for the embedded one).
    pub root: String,
    /// `aws/<service>/<call>.json` documents keyed by `<service>/<call>.json`.
    pub aws: BTreeMap<String, Value>,
    /// `k8s/nodes/<node>.configz.json` documents keyed by node name.
    pub node_configs: BTreeMap<String, Value>,
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
}

impl Missing {
    pub fn reason(&self, key: &str) -> String {
        match self {
            Missing::Failed(error) => format!("aws/{key} could not be collected: {error}"),
            Missing::NotCollected => format!("aws/{key} was not collected"),
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

    /// The cluster ARN from `describe-cluster.json` or the manifest.
    pub fn cluster_arn(&self) -> Option<&str> {
        self.aws
            .get("eks/describe-cluster.json")
            .and_then(|document| document.pointer("/cluster/arn"))
            .or_else(|| self.manifest.as_ref()?.get("clusterArn"))
            .and_then(Value::as_str)
    }
}
