//! A synthetic cluster snapshot for scale benchmarks, made by replicating the objects of the
//! real-manifests corpus under new names and namespaces.
//!
//! Shared by `benches/scan.rs` and `examples/make_snapshot.rs` (included with `#[path]`), so that
//! the criterion bench and the CLI measurement (`scripts/bench-100k.sh`) scan the same snapshot.
//!
//! Replication rule:
//! - the corpus is loaded with garrison's own loader; documents it cannot load are left out;
//! - `CustomResourceDefinition`s (schema definitions that exist once per cluster, and most of the
//!   corpus's bytes) are written once, unchanged;
//! - every other object is copied, copy `i` (from 1) with `metadata.name` suffixed `-r<i>` and,
//!   when its kind is namespaced, `metadata.namespace` set to `<namespace-or-default>-r<i>`;
//! - one `Namespace` object is generated per new namespace (unless a copied Namespace already
//!   has that name);
//! - copies are made until the snapshot holds exactly `target` objects (the last copy may be
//!   partial);
//! - objects are written as kubectl-style `List` documents, pretty-printed with kubectl's 4-space
//!   indent, to `k8s/<kind-plural-lowercase>.json`, split into `…-<part>.json` files of at most
//!   [`MAX_ITEMS_PER_FILE`] items.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use garrison_core::{LoadOptions, load_paths};
use serde_json::{Map, Value, json};

/// Items per `k8s/*.json` file at most.
pub const MAX_ITEMS_PER_FILE: usize = 20_000;

/// Objects in the scale snapshot.
pub const TARGET_OBJECTS: usize = 100_000;

/// Kinds that are not namespaced, besides those a corpus CRD declares `scope: Cluster`.
const CLUSTER_SCOPED: &[&str] = &[
    "APIService",
    "CertificateSigningRequest",
    "ClusterRole",
    "ClusterRoleBinding",
    "ComponentStatus",
    "CSIDriver",
    "CSINode",
    "CustomResourceDefinition",
    "FlowSchema",
    "IngressClass",
    "MutatingWebhookConfiguration",
    "Namespace",
    "Node",
    "PersistentVolume",
    "PodSecurityPolicy",
    "PriorityClass",
    "PriorityLevelConfiguration",
    "RuntimeClass",
    "StorageClass",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "ValidatingWebhookConfiguration",
    "VolumeAttachment",
];

/// The real-manifests corpus, `../../../shared/corpus/real-manifests` from this crate.
pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/real-manifests")
}

/// What [`write_snapshot`] wrote.
#[derive(Clone, Debug, Default)]
pub struct SnapshotStats {
    /// Objects the corpus loaded as.
    pub corpus_objects: usize,
    /// CustomResourceDefinitions among them, written once.
    pub crds: usize,
    /// Copies made of the other objects (the last one possibly partial).
    pub copies: usize,
    /// Namespace objects generated for the new namespaces.
    pub generated_namespaces: usize,
    /// Objects written in all.
    pub objects: usize,
    /// `k8s/*.json` files written.
    pub files: usize,
    /// Bytes written.
    pub bytes: u64,
}

/// Writes a snapshot of `target` objects replicated from the manifests in `corpus` into
/// `out/k8s/`. `out` is created if needed; it should be empty.
pub fn write_snapshot(corpus: &Path, target: usize, out: &Path) -> Result<SnapshotStats, String> {
    if !corpus.is_dir() {
        return Err(format!(
            "corpus directory {} not found: the scale snapshot is built from shared/corpus/real-manifests",
            corpus.display()
        ));
    }
    let loaded = load_paths(
        &[corpus.to_string_lossy().into_owned()],
        &LoadOptions::default(),
    );
    if loaded.objects.is_empty() {
        return Err(format!("no objects loaded from {}", corpus.display()));
    }
    let mut stats = SnapshotStats {
        corpus_objects: loaded.objects.len(),
        ..SnapshotStats::default()
    };

    // Kinds a corpus CRD declares cluster-scoped.
    let mut cluster_scoped: BTreeSet<String> =
        CLUSTER_SCOPED.iter().map(|kind| kind.to_string()).collect();
    let mut crds = Vec::new();
    let mut others = Vec::new();
    for object in loaded.objects {
        if object.kind == "CustomResourceDefinition" {
            let scope = object.value.pointer("/spec/scope").and_then(Value::as_str);
            let kind = object
                .value
                .pointer("/spec/names/kind")
                .and_then(Value::as_str);
            if let (Some("Cluster"), Some(kind)) = (scope, kind) {
                cluster_scoped.insert(kind.to_string());
            }
            crds.push(object.value);
        } else {
            others.push(object.value);
        }
    }
    stats.crds = crds.len();
    if others.is_empty() {
        return Err("the corpus has no objects besides CustomResourceDefinitions".to_string());
    }

    let mut by_kind: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    let mut count = crds.len();
    for crd in crds {
        by_kind
            .entry("CustomResourceDefinition".to_string())
            .or_default()
            .push(crd);
    }
    // Namespace objects already written (copied ones and generated ones), by name.
    let mut namespaces: BTreeSet<String> = BTreeSet::new();
    let mut copy = 0;
    'copies: while count < target {
        copy += 1;
        let mut new_namespaces: BTreeSet<String> = BTreeSet::new();
        for original in &others {
            if count >= target {
                break 'copies;
            }
            let kind = original
                .get("kind")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let mut value = original.clone();
            let Some(metadata) = metadata_mut(&mut value) else {
                continue;
            };
            let name = metadata
                .get("name")
                .and_then(Value::as_str)
                .or_else(|| metadata.get("generateName").and_then(Value::as_str))
                .unwrap_or("unnamed")
                .trim_end_matches('-')
                .to_string();
            let name = format!("{name}-r{copy}");
            metadata.insert("name".to_string(), Value::String(name.clone()));
            if cluster_scoped.contains(&kind) {
                metadata.remove("namespace");
            } else {
                let namespace = metadata
                    .get("namespace")
                    .and_then(Value::as_str)
                    .unwrap_or("default");
                let namespace = format!("{namespace}-r{copy}");
                metadata.insert("namespace".to_string(), Value::String(namespace.clone()));
                new_namespaces.insert(namespace);
            }
            if kind == "Namespace" && !namespaces.insert(name) {
                continue;
            }
            by_kind.entry(kind).or_default().push(value);
            count += 1;
        }
        for namespace in new_namespaces {
            if count >= target {
                break 'copies;
            }
            if !namespaces.insert(namespace.clone()) {
                continue;
            }
            by_kind
                .entry("Namespace".to_string())
                .or_default()
                .push(namespace_object(&namespace));
            stats.generated_namespaces += 1;
            count += 1;
        }
    }
    stats.copies = copy;
    stats.objects = count;

    let k8s = out.join("k8s");
    fs::create_dir_all(&k8s)
        .map_err(|error| format!("cannot create {}: {error}", k8s.display()))?;
    for (kind, mut items) in by_kind {
        let plural = plural(&kind);
        let parts = items.len().div_ceil(MAX_ITEMS_PER_FILE);
        for part in 1..=parts {
            let rest = items.split_off(items.len().min(MAX_ITEMS_PER_FILE));
            let chunk = std::mem::replace(&mut items, rest);
            let file_name = if parts == 1 {
                format!("{plural}.json")
            } else {
                format!("{plural}-{part}.json")
            };
            stats.bytes += write_list(&k8s.join(file_name), chunk)?;
            stats.files += 1;
        }
    }
    Ok(stats)
}

fn metadata_mut(value: &mut Value) -> Option<&mut Map<String, Value>> {
    let map = value.as_object_mut()?;
    let metadata = map
        .entry("metadata")
        .or_insert_with(|| Value::Object(Map::new()));
    metadata.as_object_mut()
}

fn namespace_object(name: &str) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {
            "name": name,
            "labels": { "kubernetes.io/metadata.name": name }
        },
        "spec": { "finalizers": ["kubernetes"] },
        "status": { "phase": "Active" }
    })
}

/// The lowercase plural kubectl uses for a kind's resource (close enough for file names).
fn plural(kind: &str) -> String {
    let lower = kind.to_ascii_lowercase();
    if let Some(stem) = lower
        .strip_suffix('y')
        .filter(|stem| !stem.ends_with(['a', 'e', 'o', 'u']))
    {
        format!("{stem}ies")
    } else if lower.ends_with("ss") || lower.ends_with('x') {
        format!("{lower}es")
    } else if lower.ends_with('s') {
        lower
    } else {
        format!("{lower}s")
    }
}

/// Writes `{"apiVersion": "v1", "kind": "List", "items": [...]}` with kubectl's 4-space indent.
fn write_list(path: &Path, items: Vec<Value>) -> Result<u64, String> {
    let list = json!({
        "apiVersion": "v1",
        "items": Value::Array(items),
        "kind": "List",
        "metadata": { "resourceVersion": "" }
    });
    let file = fs::File::create(path)
        .map_err(|error| format!("cannot write {}: {error}", path.display()))?;
    let mut writer = CountingWriter {
        inner: BufWriter::with_capacity(1 << 20, file),
        bytes: 0,
    };
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut writer, formatter);
    serde::Serialize::serialize(&list, &mut serializer)
        .map_err(|error| format!("cannot write {}: {error}", path.display()))?;
    writer
        .write_all(b"\n")
        .and_then(|()| writer.flush())
        .map_err(|error| format!("cannot write {}: {error}", path.display()))?;
    Ok(writer.bytes)
}

struct CountingWriter<W> {
    inner: W,
    bytes: u64,
}

impl<W: Write> Write for CountingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let written = self.inner.write(buf)?;
        self.bytes += written as u64;
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}
