//! Files, directories, stdin and cluster snapshots → [`Object`]s and [`Diagnostic`]s.
//!
//! A bad document never stops the scan: it becomes a diagnostic naming the file, the line and the
//! problem, and every other document is still loaded.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

use crate::diagnostic::Diagnostic;
use crate::object::Object;
use crate::snapshot::Snapshot;
use crate::source::{Origin, SourceFile, line_at};
use crate::yaml;

/// Limits that protect the loader from inputs it should not try to read.
#[derive(Clone, Debug)]
pub struct LoadOptions {
    /// Files larger than this are reported and skipped.
    pub max_file_bytes: u64,
    /// Kinds whose YAML documents and JSON objects are read only for `apiVersion`, `kind` and
    /// `metadata`, because nothing that will run reads the rest. CustomResourceDefinitions are
    /// most of the bytes of a typical cluster's manifests (their OpenAPI schemas) and no check
    /// reads them.
    pub identity_only_kinds: Vec<String>,
    /// When set, the only kinds whose bodies are kept: every other kind is read for its
    /// identity alone. A scan keeps what its checks read; a 100,000-object cluster is mostly
    /// objects no check looks inside (custom resources, Services, Endpoints, ...).
    pub body_kinds: Option<Vec<String>>,
    /// Set the pod specs of workloads in JSON input apart as compact JSON text, keeping only
    /// their identity and pod metadata as JSON (see [`Object::pod_spec_json`]): a scan never
    /// builds the larger JSON tree of a workload's spec, and decodes each spec only while
    /// checking it. Other members of a workload's `spec` (replicas, selector, strategy) are then
    /// not kept.
    pub separate_pod_specs: bool,
}

impl LoadOptions {
    /// Whether objects of `kind` are read only for `apiVersion`, `kind` and `metadata`.
    fn identity_only(&self, kind: &str) -> bool {
        // A List's body is its items.
        if kind.ends_with("List") {
            return false;
        }
        self.identity_only_kinds.iter().any(|known| known == kind)
            || self
                .body_kinds
                .as_ref()
                .is_some_and(|kinds| !kinds.iter().any(|known| known == kind))
    }

    fn filters_bodies(&self) -> bool {
        !self.identity_only_kinds.is_empty() || self.body_kinds.is_some() || self.separate_pod_specs
    }
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            max_file_bytes: 512 * 1024 * 1024,
            identity_only_kinds: Vec::new(),
            body_kinds: None,
            separate_pod_specs: false,
        }
    }
}

/// Everything the loader found.
#[derive(Debug, Default)]
pub struct Loaded {
    pub objects: Vec<Object>,
    pub diagnostics: Vec<Diagnostic>,
    /// Set when an input was a cluster snapshot directory.
    pub snapshot: Option<Snapshot>,
    /// Number of files read.
    pub files: usize,
    /// Paths given by the user that could not be read at all (a usage error, unlike a bad
    /// document inside a readable file).
    pub unreadable_inputs: Vec<String>,
}

impl Loaded {
    fn absorb(&mut self, other: Loaded) {
        self.objects.extend(other.objects);
        self.diagnostics.extend(other.diagnostics);
        self.files += other.files;
        self.unreadable_inputs.extend(other.unreadable_inputs);
        if let Some(snapshot) = other.snapshot {
            match &mut self.snapshot {
                Some(existing) => existing.merge(snapshot),
                None => self.snapshot = Some(snapshot),
            }
        }
    }
}

/// What a file means in the input.
#[derive(Clone, Debug)]
enum Role {
    /// Kubernetes manifests: YAML or JSON, one or many documents, `List`s.
    Manifests,
    /// `aws/<service>/<call>.json` in a snapshot, keyed by its path below `aws/`.
    Aws(String),
    /// `k8s/nodes/<node>.configz.json` in a snapshot, keyed by node name.
    NodeConfig(String),
    /// `kube-bench/<node>.json` in a snapshot, keyed by node name.
    KubeBench(String),
    /// `manifest.json` at a snapshot's root.
    SnapshotManifest,
}

#[derive(Debug)]
struct Unit {
    name: String,
    role: Role,
    source: UnitSource,
    /// The snapshot root this unit belongs to, if any.
    snapshot_root: Option<String>,
}

#[derive(Debug)]
enum UnitSource {
    Path(PathBuf),
    Text(String),
}

/// Loads every path: files, directories (recursively; cluster snapshots recognised by their
/// `k8s/`, `aws/` or `manifest.json`), and `-` for stdin.
pub fn load_paths(paths: &[String], options: &LoadOptions) -> Loaded {
    let mut units = Vec::new();
    let mut loaded = Loaded::default();
    for path in paths {
        if path == "-" {
            let mut text = String::new();
            match std::io::stdin().read_to_string(&mut text) {
                Ok(_) => units.push(Unit {
                    name: "<stdin>".to_string(),
                    role: Role::Manifests,
                    source: UnitSource::Text(text),
                    snapshot_root: None,
                }),
                Err(error) => loaded.diagnostics.push(Diagnostic::error(
                    "<stdin>",
                    None,
                    format!("cannot read standard input as UTF-8 text: {error}"),
                )),
            }
            continue;
        }
        let path_buf = PathBuf::from(path);
        match fs::metadata(&path_buf) {
            Ok(metadata) if metadata.is_dir() => {
                if is_snapshot(&path_buf) {
                    loaded.snapshot = Some(Snapshot::new(path.clone()));
                    collect_snapshot(&path_buf, path, &mut units, &mut loaded.diagnostics);
                } else {
                    collect_directory(&path_buf, &mut units, &mut loaded.diagnostics);
                }
            }
            Ok(_) => units.push(Unit {
                name: path.clone(),
                role: Role::Manifests,
                source: UnitSource::Path(path_buf),
                snapshot_root: None,
            }),
            Err(error) => {
                loaded.unreadable_inputs.push(path.clone());
                loaded.diagnostics.push(Diagnostic::error(
                    path.clone(),
                    None,
                    format!("cannot read: {error}"),
                ));
            }
        }
    }
    let results: Vec<Loaded> = units
        .into_par_iter()
        .map(|unit| load_unit(unit, options))
        .collect();
    // Sized once: growing by doubling copies the objects several times and leaves the old
    // blocks behind.
    loaded
        .objects
        .reserve(results.iter().map(|result| result.objects.len()).sum());
    loaded
        .diagnostics
        .reserve(results.iter().map(|result| result.diagnostics.len()).sum());
    for result in results {
        loaded.absorb(result);
    }
    loaded
}

/// Loads an in-memory cluster snapshot: `(path relative to the snapshot root, contents)` pairs.
/// Used for the demo snapshot compiled into the binary.
pub fn load_snapshot_files(root: &str, files: Vec<(String, String)>) -> Loaded {
    let mut loaded = Loaded {
        snapshot: Some(Snapshot::new(root.to_string())),
        ..Loaded::default()
    };
    let units: Vec<Unit> = files
        .into_iter()
        .filter_map(|(relative, text)| {
            let role = snapshot_role(&relative)?;
            Some(Unit {
                name: format!("{root}/{relative}"),
                role,
                source: UnitSource::Text(text),
                snapshot_root: Some(root.to_string()),
            })
        })
        .collect();
    let results: Vec<Loaded> = units
        .into_par_iter()
        .map(|unit| load_unit(unit, &LoadOptions::default()))
        .collect();
    for result in results {
        loaded.absorb(result);
    }
    loaded
}

/// Loads manifests from text, as if read from a file called `name`.
pub fn load_text(name: &str, text: &str) -> Loaded {
    let file = Arc::new(SourceFile::in_memory(name, text));
    let mut loaded = Loaded {
        files: 1,
        ..Loaded::default()
    };
    parse_manifests(&file, text, &LoadOptions::default(), &mut loaded);
    loaded
}

fn is_snapshot(directory: &Path) -> bool {
    directory.join("k8s").is_dir()
        || directory.join("aws").is_dir()
        || directory.join("manifest.json").is_file()
}

fn snapshot_role(relative: &str) -> Option<Role> {
    let relative = relative.replace('\\', "/");
    if relative == "manifest.json" {
        return Some(Role::SnapshotManifest);
    }
    if let Some(rest) = relative.strip_prefix("aws/") {
        return rest.ends_with(".json").then(|| Role::Aws(rest.to_string()));
    }
    if let Some(rest) = relative.strip_prefix("kube-bench/") {
        return rest
            .strip_suffix(".json")
            .map(|node| Role::KubeBench(node.to_string()));
    }
    if let Some(rest) = relative.strip_prefix("k8s/nodes/") {
        return rest
            .strip_suffix(".configz.json")
            .map(|node| Role::NodeConfig(node.to_string()));
    }
    // The API's own documents (discovery, OpenAPI), read by `garrison authz schema`, are not
    // objects of the cluster.
    if relative.starts_with("k8s/discovery/") || relative.starts_with("k8s/openapi/") {
        return None;
    }
    if let Some(rest) = relative.strip_prefix("k8s/") {
        return is_manifest_name(Path::new(rest)).then_some(Role::Manifests);
    }
    None
}

fn collect_snapshot(
    root: &Path,
    root_name: &str,
    units: &mut Vec<Unit>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let mut files = Vec::new();
    walk(root, &mut files, diagnostics);
    for file in files {
        let Ok(relative) = file.strip_prefix(root) else {
            continue;
        };
        let relative = relative.to_string_lossy().replace('\\', "/");
        if let Some(role) = snapshot_role(&relative) {
            units.push(Unit {
                name: display_path(&file),
                role,
                source: UnitSource::Path(file),
                snapshot_root: Some(root_name.to_string()),
            });
        }
    }
}

fn collect_directory(root: &Path, units: &mut Vec<Unit>, diagnostics: &mut Vec<Diagnostic>) {
    let mut files = Vec::new();
    walk(root, &mut files, diagnostics);
    for file in files {
        if is_manifest_name(&file) {
            units.push(Unit {
                name: display_path(&file),
                role: Role::Manifests,
                source: UnitSource::Path(file),
                snapshot_root: None,
            });
        }
    }
}

fn display_path(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

fn is_manifest_name(path: &Path) -> bool {
    path.extension()
        .and_then(|extension| extension.to_str())
        .is_some_and(|extension| {
            ["yaml", "yml", "json"]
                .iter()
                .any(|known| extension.eq_ignore_ascii_case(known))
        })
}

/// Recursive directory listing in a stable order, skipping hidden entries (`.git`, editors' files).
fn walk(directory: &Path, files: &mut Vec<PathBuf>, diagnostics: &mut Vec<Diagnostic>) {
    let entries = match fs::read_dir(directory) {
        Ok(entries) => entries,
        Err(error) => {
            diagnostics.push(Diagnostic::error(
                display_path(directory),
                None,
                format!("cannot list directory: {error}"),
            ));
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|entry| Some(entry.ok()?.path()))
        .collect();
    paths.sort();
    for path in paths {
        let hidden = path
            .file_name()
            .and_then(|name| name.to_str())
            .is_some_and(|name| name.starts_with('.'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            walk(&path, files, diagnostics);
        } else {
            files.push(path);
        }
    }
}

thread_local! {
    /// The buffer each thread reads its files into, kept from one file to the next: a fresh
    /// buffer per file has the kernel fault in and zero a new page for every 4 KiB read.
    static READ_BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// A read buffer larger than this is given back after its file rather than kept.
const KEPT_BUFFER_BYTES: usize = 16 << 20;

fn load_unit(unit: Unit, options: &LoadOptions) -> Loaded {
    READ_BUFFER.with(|cell| match cell.try_borrow_mut() {
        Ok(mut buffer) => {
            let loaded = load_unit_into(unit, options, &mut buffer);
            if buffer.capacity() > KEPT_BUFFER_BYTES {
                *buffer = Vec::new();
            }
            loaded
        }
        // This thread is already reading a file and took this one while waiting for that
        // file's documents to parse: it gets a buffer of its own.
        Err(_) => load_unit_into(unit, options, &mut Vec::new()),
    })
}

fn load_unit_into(unit: Unit, options: &LoadOptions, buffer: &mut Vec<u8>) -> Loaded {
    let mut loaded = Loaded {
        files: 1,
        ..Loaded::default()
    };
    let (text, disk_file) = match &unit.source {
        UnitSource::Text(text) => (text.as_str(), None),
        UnitSource::Path(path) => match read_text(path, options, buffer) {
            Ok((text, file)) => (text, Some(file)),
            Err(message) => {
                loaded
                    .diagnostics
                    .push(Diagnostic::error(unit.name, None, message));
                return loaded;
            }
        },
    };
    let (text, offset) = match text.strip_prefix('\u{feff}') {
        Some(rest) => (rest, 3),
        None => (text, 0),
    };
    if text.trim().is_empty() {
        loaded.diagnostics.push(Diagnostic::warning(
            unit.name,
            None,
            "empty file: no Kubernetes objects in it",
        ));
        return loaded;
    }
    match unit.role {
        Role::Manifests => {
            // A large file's text is read again for the few objects with findings rather than
            // kept: at 100,000 objects the files are hundreds of MiB.
            let json = matches!(text.trim_start().as_bytes().first(), Some(b'{' | b'['));
            let file = match disk_file {
                // YAML objects carry their document's line table: the text need not stay.
                _ if !json => SourceFile::lines_only(unit.name),
                Some(disk_file) if text.len() >= DISK_BACKED_BYTES => {
                    SourceFile::on_disk(unit.name, disk_file, offset)
                }
                _ => SourceFile::in_memory(unit.name, text),
            };
            let file = Arc::new(file);
            parse_manifests(&file, text, options, &mut loaded);
        }
        Role::Aws(_) | Role::NodeConfig(_) | Role::KubeBench(_) | Role::SnapshotManifest => {
            let value = match serde_json::from_str::<Value>(text) {
                Ok(value) => value,
                Err(error) => {
                    loaded.diagnostics.push(Diagnostic::error(
                        unit.name,
                        u32::try_from(error.line()).ok(),
                        format!("invalid JSON: {error}"),
                    ));
                    return loaded;
                }
            };
            let mut snapshot = Snapshot::new(unit.snapshot_root.unwrap_or_default());
            match unit.role {
                Role::Aws(key) => {
                    snapshot.aws.insert(key, value);
                }
                Role::NodeConfig(node) => {
                    snapshot.node_configs.insert(node, value);
                }
                Role::KubeBench(node) => {
                    snapshot.kube_bench.insert(node, value);
                }
                _ => snapshot.manifest = Some(value),
            }
            loaded.snapshot = Some(snapshot);
        }
    }
    loaded
}

/// Manifest files at least this large are read again from disk for line numbers instead of
/// being kept in memory.
const DISK_BACKED_BYTES: usize = 1 << 20;

/// The text of a file, read into `bytes`, and the file, open, for reading parts of it again later.
fn read_text<'b>(
    path: &Path,
    options: &LoadOptions,
    bytes: &'b mut Vec<u8>,
) -> Result<(&'b str, fs::File), String> {
    let metadata = fs::metadata(path).map_err(|error| format!("cannot read: {error}"))?;
    if metadata.len() > options.max_file_bytes {
        return Err(format!(
            "file is {} MiB, larger than the {} MiB limit; split it or raise --max-file-size",
            metadata.len() / (1024 * 1024),
            options.max_file_bytes / (1024 * 1024)
        ));
    }
    // Sized up front: growing a buffer for a 4 MB file copies it several times.
    let capacity = usize::try_from(metadata.len())
        .unwrap_or(0)
        .saturating_add(1);
    bytes.clear();
    if bytes.capacity() < capacity {
        // A new buffer rather than `reserve`: growing would copy the old contents for nothing.
        *bytes = Vec::with_capacity(capacity);
    }
    let file = fs::File::open(path).map_err(|error| format!("cannot read: {error}"))?;
    (&file)
        .take(options.max_file_bytes + 1)
        .read_to_end(bytes)
        .map_err(|error| format!("cannot read: {error}"))?;
    let head = &bytes[..bytes.len().min(8192)];
    if memchr::memchr(0, head).is_some() {
        return Err("binary file (contains NUL bytes); not a manifest".to_string());
    }
    let text = std::str::from_utf8(bytes).map_err(|error| {
        format!(
            "not UTF-8 text (invalid byte at offset {}); binary or wrongly encoded file",
            error.valid_up_to()
        )
    })?;
    Ok((text, file))
}

/// Parses a manifest file: JSON when it starts with `{` or `[`, YAML documents otherwise.
fn parse_manifests(file: &Arc<SourceFile>, text: &str, options: &LoadOptions, loaded: &mut Loaded) {
    let first = text.trim_start().as_bytes().first().copied();
    if matches!(first, Some(b'{') | Some(b'[')) && parse_json(file, text, options, loaded) {
        return;
    }
    // Documents are parsed in parallel: one large file of many documents should use every core.
    let results: Vec<Loaded> = split_documents(text)
        .into_par_iter()
        .map(|(range, line)| {
            let mut result = Loaded::default();
            if let Some(document) = text.get(range.clone()) {
                let reduced = identity_only(document, options);
                let document = reduced.as_deref().unwrap_or(document);
                parse_yaml_document(file, range, line, document, &mut result);
            }
            result
        })
        .collect();
    for result in results {
        loaded.objects.extend(result.objects);
        loaded.diagnostics.extend(result.diagnostics);
    }
}

/// For a document of one of `kinds`, the same text with every top-level section other than
/// `apiVersion`, `kind` and `metadata` blanked out (newlines kept, so lines stay right).
/// `None` when the document is of another kind or its shape is not plain block style.
fn identity_only(document: &str, options: &LoadOptions) -> Option<String> {
    if !options.filters_bodies() {
        return None;
    }
    let bytes = document.as_bytes();
    let at = if bytes.starts_with(b"kind:") {
        0
    } else {
        memchr::memmem::find(bytes, b"\nkind:")? + 1
    };
    let kind = document[at + 5..].lines().next()?;
    let kind = kind.trim().trim_matches(['"', '\'']);
    if !options.identity_only(kind) {
        return None;
    }
    // Find the kept sections directly (a CRD is megabytes of schema and three short sections);
    // each runs until the next line that starts at column 0 with a key.
    let is_key_start = |byte: &u8| !matches!(byte, b' ' | b'\t' | b'#' | b'-' | b'\n' | b'\r');
    let section_end = |start: usize| {
        memchr::memchr_iter(b'\n', &bytes[start..])
            .map(|newline| start + newline + 1)
            .find(|next| bytes.get(*next).is_none_or(is_key_start))
            .unwrap_or(bytes.len())
    };
    let first_key = if bytes.first().is_some_and(is_key_start) {
        0
    } else {
        memchr::memchr_iter(b'\n', bytes)
            .map(|newline| newline + 1)
            .find(|next| bytes.get(*next).is_some_and(is_key_start))
            .unwrap_or(bytes.len())
    };
    // What precedes the first key (a `---` line, comments) is kept as it is.
    let mut kept: Vec<std::ops::Range<usize>> = Vec::with_capacity(4);
    kept.push(0..first_key);
    for key in ["apiVersion:", "kind:", "metadata:"] {
        let start = if bytes.starts_with(key.as_bytes()) {
            Some(0)
        } else {
            memchr::memmem::find(bytes, format!("\n{key}").as_bytes()).map(|at| at + 1)
        };
        if let Some(start) = start {
            kept.push(start..section_end(start));
        }
    }
    kept.sort_by_key(|range| range.start);
    let mut reduced = String::with_capacity(4096);
    let mut position = 0;
    for range in kept {
        if range.start < position {
            continue;
        }
        // Blank out what lies between, keeping its newlines so that lines stay right.
        let gap = memchr::memchr_iter(b'\n', &bytes[position..range.start]).count();
        reduced.extend(std::iter::repeat_n('\n', gap));
        reduced.push_str(&document[range.clone()]);
        position = range.end;
    }
    // What follows the last kept section is left out, not blanked: nothing after it needs a line,
    // and the parser would walk every blank line of a CRD's schema.
    Some(reduced)
}

#[derive(Deserialize)]
struct JsonHead<'a> {
    #[serde(default)]
    kind: Option<String>,
    #[serde(rename = "apiVersion", default)]
    api_version: Option<String>,
    #[serde(borrow, default)]
    items: Option<Vec<&'a RawValue>>,
}

/// The kind and apiVersion of the items of a typed list (`PodList` → `Pod`), which the API
/// server leaves out of each item: a list read straight from the API (not through kubectl) has
/// items without `kind` and `apiVersion`.
#[derive(Debug, Clone)]
struct ListDefaults {
    kind: String,
    api_version: String,
}

impl ListDefaults {
    fn of(list_kind: Option<&str>, api_version: Option<&str>) -> Option<ListDefaults> {
        let kind = list_kind?.strip_suffix("List")?;
        if kind.is_empty() {
            return None;
        }
        Some(ListDefaults {
            kind: kind.to_string(),
            api_version: api_version?.to_string(),
        })
    }

    /// Adds the list's item kind and apiVersion to an item that has neither.
    fn fill(&self, item: &mut Value) {
        let Value::Object(members) = item else {
            return;
        };
        if members.contains_key("kind") || members.contains_key("apiVersion") {
            return;
        }
        members.insert(
            "apiVersion".to_string(),
            Value::String(self.api_version.clone()),
        );
        members.insert("kind".to_string(), Value::String(self.kind.clone()));
    }
}

/// Parses a JSON file. Returns false when the text is not JSON after all (YAML flow style), so
/// that the caller reads it as YAML.
fn parse_json(
    file: &Arc<SourceFile>,
    text: &str,
    options: &LoadOptions,
    loaded: &mut Loaded,
) -> bool {
    let trimmed = text.trim_start();
    let mut defaults = None;
    let elements: Vec<&RawValue> = if trimmed.starts_with('[') {
        match serde_json::from_str::<Vec<&RawValue>>(text) {
            Ok(elements) => elements,
            Err(error) => return json_error(file, &error, loaded),
        }
    } else {
        match serde_json::from_str::<JsonHead<'_>>(text) {
            Ok(JsonHead {
                kind: Some(kind),
                api_version,
                items: Some(items),
            }) if kind.ends_with("List") => {
                defaults = ListDefaults::of(Some(&kind), api_version.as_deref());
                items
            }
            Ok(_) => match serde_json::from_str::<&RawValue>(text) {
                Ok(raw) => vec![raw],
                Err(error) => return json_error(file, &error, loaded),
            },
            Err(error) => return json_error(file, &error, loaded),
        }
    };
    let defaults = defaults.as_ref();
    // Lines first, in order (lines grow with offsets, so count only the newlines since the
    // previous element); then the elements in parallel: a kubectl List of 20,000 objects is one
    // file and should use every core.
    let base = text.as_ptr() as usize;
    let mut last_offset = 0;
    let mut last_line = 1;
    let mut placed = Vec::with_capacity(elements.len());
    for raw in elements {
        let start = (raw.get().as_ptr() as usize).saturating_sub(base);
        let end = start + raw.get().len();
        last_line += line_at(&text[last_offset..start], start - last_offset) - 1;
        last_offset = start;
        placed.push((raw, start..end, last_line));
    }
    let results: Vec<Loaded> = placed
        .into_par_iter()
        .map(|(raw, span, line)| {
            let mut result = Loaded::default();
            let (value, pod_spec) = match json_element(raw.get(), options, defaults) {
                Ok(element) => element,
                Err(error) => {
                    json_error(file, &error, &mut result);
                    return result;
                }
            };
            let origin = Origin {
                file: Arc::clone(file),
                span,
                span_line: line,
                base_pointer: String::new(),
                line,
                lines: crate::yaml::LineTable::default(),
            };
            push_object(value, origin, &mut result);
            if let Some(object) = result.objects.last_mut() {
                object.pod_spec_json = pod_spec;
            }
            result
        })
        .collect();
    for result in results {
        loaded.objects.extend(result.objects);
        loaded.diagnostics.extend(result.diagnostics);
    }
    true
}

/// Top-level members kept for kinds read for their identity alone.
const IDENTITY_MEMBERS: [&str; 3] = ["apiVersion", "kind", "metadata"];

/// One element of a JSON file as a [`Value`]. An object of a kind read for its identity alone
/// keeps only `apiVersion`, `kind` and `metadata`, as [`identity_only`] does for YAML: members
/// after its `kind` (kubectl writes `kind` before `spec`) are skipped without being built.
fn json_element(
    text: &str,
    options: &LoadOptions,
    defaults: Option<&ListDefaults>,
) -> Result<(Value, Option<Box<str>>), serde_json::Error> {
    if !options.filters_bodies() || !text.starts_with('{') {
        let mut value: Value = serde_json::from_str(text)?;
        if let Some(defaults) = defaults {
            defaults.fill(&mut value);
        }
        return Ok((value, None));
    }
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let element = serde::Deserializer::deserialize_map(
        &mut deserializer,
        ElementVisitor { options, defaults },
    )?;
    deserializer.end()?;
    Ok(element)
}

/// The pod template of a controller's `spec`: its metadata decoded, its pod spec left as text.
#[derive(Deserialize)]
struct TemplateHolder<'a> {
    #[serde(borrow, default)]
    template: Option<TemplateShape<'a>>,
}

#[derive(Deserialize)]
struct TemplateShape<'a> {
    #[serde(default)]
    metadata: Option<Value>,
    #[serde(borrow, default)]
    spec: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct CronJobSpecShape<'a> {
    #[serde(rename = "jobTemplate", borrow, default)]
    job_template: Option<JobTemplateShape<'a>>,
}

#[derive(Deserialize)]
struct JobTemplateShape<'a> {
    #[serde(borrow, default)]
    spec: Option<TemplateHolder<'a>>,
}

/// Splits a workload's `spec` text into the pod spec, as compact JSON text, and what the
/// object's JSON keeps of the spec (the pod template's metadata, at its place). `None` when the
/// text holds no pod spec or is not shaped like one: the caller then keeps the spec as JSON.
fn split_workload_spec(kind: &str, raw: &RawValue) -> Option<(Box<str>, Option<Value>)> {
    let text = raw.get();
    let template = |holder: TemplateHolder<'_>| -> Option<(Box<str>, Option<Value>)> {
        let template = holder.template?;
        let spec = template.spec.filter(|spec| spec.get().starts_with('{'))?;
        let mut kept = serde_json::Map::new();
        let mut template_value = serde_json::Map::new();
        if let Some(metadata) = template.metadata {
            template_value.insert("metadata".to_string(), metadata);
        }
        kept.insert("template".to_string(), Value::Object(template_value));
        Some((compact_json(spec.get()), Some(Value::Object(kept))))
    };
    match kind {
        "Pod" => text.starts_with('{').then(|| (compact_json(text), None)),
        "CronJob" => {
            let shape = serde_json::from_str::<CronJobSpecShape<'_>>(text).ok()?;
            let (spec, kept) = template(shape.job_template?.spec?)?;
            let mut job_template = serde_json::Map::new();
            job_template.insert("spec".to_string(), kept.unwrap_or_default());
            let mut wrapper = serde_json::Map::new();
            wrapper.insert("jobTemplate".to_string(), Value::Object(job_template));
            Some((spec, Some(Value::Object(wrapper))))
        }
        _ => template(serde_json::from_str::<TemplateHolder<'_>>(text).ok()?),
    }
}

/// Valid JSON text without the whitespace between tokens (kubectl indents its output, which
/// doubles its size).
fn compact_json(text: &str) -> Box<str> {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut start = 0;
    let mut in_string = false;
    let mut escaped = false;
    for (at, &byte) in bytes.iter().enumerate() {
        if in_string {
            match (escaped, byte) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
        } else if byte == b'"' {
            in_string = true;
        } else if matches!(byte, b' ' | b'\n' | b'\r' | b'\t') {
            out.push_str(&text[start..at]);
            start = at + 1;
        }
    }
    out.push_str(&text[start..]);
    out.into_boxed_str()
}

/// Builds a JSON object like `Value`'s own visitor, keeping only the identity of kinds nothing
/// reads and, with [`LoadOptions::separate_pod_specs`], setting workloads' pod specs apart as text.
struct ElementVisitor<'a> {
    options: &'a LoadOptions,
    /// The item kind and apiVersion of the typed list the element is in, for an element that
    /// names neither.
    defaults: Option<&'a ListDefaults>,
}

impl<'de> serde::de::Visitor<'de> for ElementVisitor<'_> {
    type Value = (Value, Option<Box<str>>);

    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("a JSON object")
    }

    fn visit_map<A>(self, mut access: A) -> Result<Self::Value, A::Error>
    where
        A: serde::de::MapAccess<'de>,
    {
        let mut members = serde_json::Map::new();
        // Until the element names its own kind, it is taken to be of its typed list's item kind.
        let mut kind: Option<String> = self.defaults.map(|defaults| defaults.kind.clone());
        let mut identity_only = kind
            .as_deref()
            .is_some_and(|kind| self.options.identity_only(kind));
        let mut pod_spec = None;
        while let Some(key) = access.next_key::<String>()? {
            if identity_only && !IDENTITY_MEMBERS.contains(&key.as_str()) {
                access.next_value::<serde::de::IgnoredAny>()?;
                continue;
            }
            let decodable = key == "spec"
                && self.options.separate_pod_specs
                && kind.as_deref().is_some_and(|kind| {
                    kind != "PodTemplate" && crate::workload::pod_spec_pointer(kind).is_some()
                })
                && members
                    .get("apiVersion")
                    .and_then(Value::as_str)
                    .or(self.defaults.map(|defaults| defaults.api_version.as_str()))
                    .is_some_and(crate::workload::workload_api_version);
            if decodable {
                let raw: &'de RawValue = access.next_value()?;
                let kind = kind.as_deref().unwrap_or_default();
                match split_workload_spec(kind, raw) {
                    Some((spec, kept)) => {
                        pod_spec = Some(spec);
                        if let Some(kept) = kept {
                            members.insert(key, kept);
                        }
                    }
                    None => {
                        let value: Value =
                            serde_json::from_str(raw.get()).map_err(serde::de::Error::custom)?;
                        members.insert(key, value);
                    }
                }
                continue;
            }
            let value: Value = access.next_value()?;
            if key == "kind" {
                identity_only = value
                    .as_str()
                    .is_some_and(|kind| self.options.identity_only(kind));
                kind = value.as_str().map(str::to_string);
            }
            members.insert(key, value);
        }
        if identity_only {
            members.retain(|key, _| IDENTITY_MEMBERS.contains(&key.as_str()));
        }
        let mut value = Value::Object(members);
        if let Some(defaults) = self.defaults {
            defaults.fill(&mut value);
        }
        Ok((value, pod_spec))
    }
}

fn json_error(file: &Arc<SourceFile>, error: &serde_json::Error, loaded: &mut Loaded) -> bool {
    if error.is_syntax() || error.is_eof() {
        // Outside `.json` files, text that starts with `{` may be YAML flow style or a template
        // (`{{- if ... }}`): let the YAML reader decide and report.
        if !file.name.to_ascii_lowercase().ends_with(".json") {
            return false;
        }
        loaded.diagnostics.push(Diagnostic::error(
            file.name.clone(),
            u32::try_from(error.line()).ok(),
            format!("invalid JSON: {error}"),
        ));
    } else {
        loaded.diagnostics.push(Diagnostic::error(
            file.name.clone(),
            u32::try_from(error.line()).ok(),
            format!("unexpected JSON structure: {error}"),
        ));
    }
    true
}

/// Splits a YAML stream into documents at `---` lines: (byte range, first line). A syntax error
/// in one document then leaves the others readable. `...` lines end a document.
fn split_documents(text: &str) -> Vec<(std::ops::Range<usize>, u32)> {
    let bytes = text.as_bytes();
    // Offsets of lines that start with `---` or `...`, found with memchr rather than line by line:
    // most of a large file is document bodies.
    let mut markers: Vec<(usize, bool)> = Vec::new();
    let mut consider = |offset: usize| {
        let rest = &bytes[offset..];
        let marker_end = rest.get(3).copied();
        let terminated = matches!(marker_end, None | Some(b' ' | b'\t' | b'\n' | b'\r'));
        if rest.starts_with(b"---") && terminated {
            markers.push((offset, true));
        } else if rest.starts_with(b"...") && terminated {
            markers.push((offset, false));
        }
    };
    consider(0);
    for newline in memchr::memmem::find_iter(bytes, b"\n---") {
        consider(newline + 1);
    }
    for newline in memchr::memmem::find_iter(bytes, b"\n...") {
        consider(newline + 1);
    }
    markers.sort_unstable();

    let mut documents = Vec::new();
    let mut start = 0;
    let mut start_line = 1u32;
    let mut line_offset = 0;
    let mut line = 1u32;
    let mut line_at_offset = |offset: usize| {
        line += u32::try_from(memchr::memchr_iter(b'\n', &bytes[line_offset..offset]).count())
            .unwrap_or(0);
        line_offset = offset;
        line
    };
    for (offset, is_start) in markers {
        if is_start {
            if offset > start {
                documents.push((start..offset, start_line));
            }
            start = offset;
            start_line = line_at_offset(offset);
        } else {
            let end =
                memchr::memchr(b'\n', &bytes[offset..]).map_or(bytes.len(), |n| offset + n + 1);
            documents.push((start..end, start_line));
            start = end;
            start_line = line_at_offset(end);
        }
    }
    if bytes.len() > start {
        documents.push((start..bytes.len(), start_line));
    }
    documents
}

/// The first unrendered Helm-style template expression in a document: a line that starts with
/// `{{`, or a value that starts with `{{` (quoted or not). Go templates embedded in longer strings
/// (`domainTemplate: "{{ .Name }}.example.com"`) are legitimate configuration and not reported.
/// Returns (line, expression, whether it is quoted).
fn template_expression(document: &str) -> Option<(u32, String, bool)> {
    memchr::memmem::find(document.as_bytes(), b"{{")?;
    for (number, line) in document.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with('#') {
            continue;
        }
        let item = trimmed.strip_prefix("- ").unwrap_or(trimmed);
        let value = match item.split_once(": ") {
            Some((_, value)) => value.trim_start(),
            None => item,
        };
        let unquoted = value.trim_start_matches(['"', '\'']);
        if unquoted.starts_with("{{") {
            let end = unquoted
                .find("}}")
                .map(|end| end + 2)
                .unwrap_or(unquoted.len());
            let snippet: String = unquoted[..end].chars().take(60).collect();
            let quoted = unquoted.len() != value.len();
            return Some((
                u32::try_from(number + 1).unwrap_or(u32::MAX),
                snippet,
                quoted,
            ));
        }
    }
    None
}

fn parse_yaml_document(
    file: &Arc<SourceFile>,
    range: std::ops::Range<usize>,
    span_line: u32,
    document: &str,
    loaded: &mut Loaded,
) {
    let parsed = match yaml::parse_document_lenient(document) {
        Ok((Some(parsed), repairs)) => {
            for repair in repairs {
                loaded.diagnostics.push(Diagnostic::warning(
                    file.name.clone(),
                    Some(span_line + repair.line - 1),
                    repair.form.message(),
                ));
            }
            parsed
        }
        Ok((None, _)) => return,
        Err(mut error) => {
            // Errors found at the end of input are reported on the last line, not past it.
            let last_line = u32::try_from(document.lines().count()).unwrap_or(u32::MAX);
            error.line = error.line.min(last_line.max(1));
            let message = match template_expression(document) {
                Some((line, snippet, _)) => (
                    span_line + line - 1,
                    format!(
                        "unrendered Helm template `{snippet}`: render it first (helm template, kustomize build); YAML error at line {}: {}",
                        span_line + error.line - 1,
                        error.message
                    ),
                ),
                None => (
                    span_line + error.line - 1,
                    format!("YAML syntax error: {}", error.message),
                ),
            };
            let (line, message) = message;
            loaded
                .diagnostics
                .push(Diagnostic::error(file.name.clone(), Some(line), message));
            return;
        }
    };
    match template_expression(document) {
        // Unquoted, `{{ x }}` is a YAML flow mapping inside a flow mapping: the document parses,
        // but the API server would reject it, so scanning it would report on a fiction.
        Some((line, snippet, false)) => {
            loaded.diagnostics.push(Diagnostic::error(
                file.name.clone(),
                Some(span_line + line - 1),
                format!("unrendered Helm template `{snippet}`: render it first (helm template, kustomize build)"),
            ));
            return;
        }
        Some((line, snippet, true)) => {
            loaded.diagnostics.push(Diagnostic::warning(
                file.name.clone(),
                Some(span_line + line - 1),
                format!("unrendered template expression `{snippet}` in a string: scanned as written; render the chart first for exact results"),
            ));
        }
        None => {}
    }
    let value = parsed.value;
    let is_list = value
        .get("kind")
        .and_then(Value::as_str)
        .is_some_and(|kind| kind.ends_with("List"))
        && value.get("items").is_some_and(Value::is_array);
    if is_list {
        let Value::Object(mut map) = value else {
            return;
        };
        let Some(Value::Array(items)) = map.remove("items") else {
            return;
        };
        let defaults = ListDefaults::of(
            map.get("kind").and_then(Value::as_str),
            map.get("apiVersion").and_then(Value::as_str),
        );
        for (index, mut item) in items.into_iter().enumerate() {
            if let Some(defaults) = &defaults {
                defaults.fill(&mut item);
            }
            let item_line = parsed.item_lines.get(index).copied().unwrap_or(1);
            let origin = Origin {
                file: Arc::clone(file),
                span: range.clone(),
                span_line,
                base_pointer: format!("/items/{index}"),
                line: span_line + item_line - 1,
                lines: parsed.lines.clone(),
            };
            push_object(item, origin, loaded);
        }
        return;
    }
    let first_content_line = document
        .lines()
        .position(|line| {
            let line = line.trim();
            !line.is_empty() && !line.starts_with('#') && line != "---"
        })
        .map(|position| u32::try_from(position).unwrap_or(0))
        .unwrap_or(0);
    let origin = Origin {
        file: Arc::clone(file),
        span: range,
        span_line,
        base_pointer: String::new(),
        line: span_line + first_content_line,
        lines: parsed.lines,
    };
    push_object(value, origin, loaded);
}

/// Checks that a value is a Kubernetes object and records it, or explains why it is not.
fn push_object(value: Value, origin: Origin, loaded: &mut Loaded) {
    let problem = match &value {
        Value::Object(map) => {
            let api_version = map.get("apiVersion");
            let kind = map.get("kind");
            match (api_version, kind) {
                (Some(Value::String(_)), Some(Value::String(_))) => None,
                (None, None) => {
                    Some("not a Kubernetes object: no `apiVersion` and no `kind`".to_string())
                }
                (None, _) => Some("not a Kubernetes object: missing `apiVersion`".to_string()),
                (_, None) => Some("not a Kubernetes object: missing `kind`".to_string()),
                (Some(api_version), Some(kind)) => Some(format!(
                    "`apiVersion` and `kind` must be strings, found {} and {}",
                    type_name(api_version),
                    type_name(kind)
                )),
            }
        }
        other => Some(format!(
            "not a Kubernetes object: the document is {}, not a mapping",
            type_name(other)
        )),
    };
    if let Some(problem) = problem {
        loaded.diagnostics.push(Diagnostic::error(
            origin.file.name.clone(),
            Some(origin.line),
            problem,
        ));
        return;
    }
    let string_at = |pointer: &str| {
        value
            .pointer(pointer)
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let name = string_at("/metadata/name")
        .or_else(|| string_at("/metadata/generateName"))
        .unwrap_or_default();
    let object = Object {
        api_version: string_at("/apiVersion").unwrap_or_default(),
        kind: string_at("/kind").unwrap_or_default(),
        name,
        namespace: string_at("/metadata/namespace"),
        origin,
        value,
        pod_spec_json: None,
    };
    if let Some(metadata) = object.value.get("metadata")
        && !metadata.is_object()
    {
        loaded.diagnostics.push(Diagnostic::error(
            object.origin.file.name.clone(),
            Some(object.origin.line_of("/metadata")),
            format!(
                "`metadata` must be a mapping, found {}",
                type_name(metadata)
            ),
        ));
        return;
    }
    loaded.objects.push(object);
}

pub(crate) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a sequence",
        Value::Object(_) => "a mapping",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DiagnosticLevel;

    #[test]
    fn api_documents_of_a_snapshot_are_not_manifests() {
        assert!(snapshot_role("k8s/discovery/apis__apps__v1.json").is_none());
        assert!(snapshot_role("k8s/openapi/v3/api__v1_openapi.json").is_none());
        assert!(matches!(
            snapshot_role("k8s/pods.json"),
            Some(Role::Manifests)
        ));
    }

    #[test]
    fn identity_only_keeps_identity_sections_and_lines() {
        let options = LoadOptions {
            identity_only_kinds: vec!["CustomResourceDefinition".to_string()],
            ..LoadOptions::default()
        };
        let document = "---\n# a CRD\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nspec:\n  group: x\n  names:\n    kind: X\nmetadata:\n  name: xs.example.com\n  labels:\n    a: b\nstatus: {}\n";
        let reduced = identity_only(document, &options).unwrap();
        assert_eq!(
            reduced,
            "---\n# a CRD\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n\n\n\n\nmetadata:\n  name: xs.example.com\n  labels:\n    a: b\n"
        );
        assert_eq!(identity_only("kind: Pod\nspec: {}\n", &options), None);
    }

    #[test]
    fn splits_documents_and_keeps_lines() {
        let text = "a: 1\n---\nb: 2\n--- \nc: 3\n";
        let documents = split_documents(text);
        let lines: Vec<u32> = documents.iter().map(|(_, line)| *line).collect();
        assert_eq!(lines, vec![1, 2, 4]);
    }

    #[test]
    fn loads_multi_document_yaml_with_lines() {
        let text = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n---\n# comment\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: b\n";
        let loaded = load_text("x.yaml", text);
        assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
        let lines: Vec<(String, u32)> = loaded
            .objects
            .iter()
            .map(|object| (object.name.clone(), object.origin.line))
            .collect();
        assert_eq!(lines, vec![("a".to_string(), 1), ("b".to_string(), 7)]);
    }

    /// The two forms go-yaml reads and YAML 1.2 forbids load, with a warning naming the file
    /// line; line numbers of the objects and their fields are those of the file as written.
    #[test]
    fn go_yaml_leniencies_load_with_warnings() {
        let text = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: a\nspec:\n  containers:\n    - name: c\n      args: [\"-jar\",\n\t  \"-Dlisten=8080\"]\n      image: x\n---\napiVersion: k8s.cni.cncf.io/v1\nkind: NetworkAttachmentDefinition\nmetadata:\n  name: n\nspec:\n  config: '{\n    \"type\": \"macvlan\"\n  }'\n";
        let loaded = load_text("x.yaml", text);
        let diagnostics: Vec<(DiagnosticLevel, Option<u32>, &str)> = loaded
            .diagnostics
            .iter()
            .map(|d| (d.level, d.line, d.message.as_str()))
            .collect();
        assert_eq!(
            diagnostics,
            vec![
                (
                    DiagnosticLevel::Warning,
                    Some(15),
                    "a tab starts a flow continuation line; YAML 1.2 forbids it, read as kubectl (go-yaml) does"
                ),
                (
                    DiagnosticLevel::Warning,
                    Some(25),
                    "a quoted scalar continues on a line indented no deeper than its key; YAML 1.2 forbids it, read as kubectl (go-yaml) does"
                ),
            ]
        );
        let kinds: Vec<&str> = loaded.objects.iter().map(|o| o.kind.as_str()).collect();
        assert_eq!(
            kinds,
            vec!["Namespace", "Pod", "NetworkAttachmentDefinition"]
        );
        let pod = &loaded.objects[1];
        assert_eq!(
            pod.value["spec"]["containers"][0]["args"],
            serde_json::json!(["-jar", "-Dlisten=8080"])
        );
        assert_eq!(pod.origin.line_of("/spec/containers/0/image"), 16);
        let nad = &loaded.objects[2];
        assert_eq!(
            nad.value["spec"]["config"],
            serde_json::json!("{ \"type\": \"macvlan\" }")
        );
    }

    #[test]
    fn other_yaml_errors_and_block_tabs_are_still_errors() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: \"p\"\n\t labels: {}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: q\n";
        let loaded = load_text("x.yaml", text);
        assert!(loaded.objects.is_empty());
        let diagnostics: Vec<(DiagnosticLevel, Option<u32>, &str)> = loaded
            .diagnostics
            .iter()
            .map(|d| (d.level, d.line, d.message.as_str()))
            .collect();
        assert_eq!(diagnostics.len(), 2, "{diagnostics:?}");
        assert_eq!(
            diagnostics[0],
            (
                DiagnosticLevel::Error,
                Some(5),
                "YAML syntax error: tabs disallowed within this context (block indentation)"
            )
        );
        assert_eq!(diagnostics[1].0, DiagnosticLevel::Error);
        assert!(
            diagnostics[1].2.starts_with("YAML syntax error"),
            "{diagnostics:?}"
        );
    }

    #[test]
    fn loads_json_lists_with_item_lines() {
        let text = "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"List\",\n  \"items\": [\n    {\"apiVersion\": \"v1\", \"kind\": \"Namespace\", \"metadata\": {\"name\": \"a\"}},\n    {\n      \"apiVersion\": \"v1\",\n      \"kind\": \"Namespace\",\n      \"metadata\": {\"name\": \"b\"}\n    }\n  ]\n}\n";
        let loaded = load_text("x.json", text);
        assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
        let lines: Vec<u32> = loaded
            .objects
            .iter()
            .map(|object| object.origin.line)
            .collect();
        assert_eq!(lines, vec![5, 6]);
        assert_eq!(loaded.objects[1].origin.line_of("/metadata/name"), 9);
    }

    #[test]
    fn json_identity_only_kinds_keep_apiversion_kind_and_metadata() {
        let text = r#"{"apiVersion": "v1", "kind": "List", "items": [
  {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
   "metadata": {"name": "a.example.com"}, "spec": {"group": "example.com"}, "status": {}},
  {"spec": {"group": "example.com"}, "apiVersion": "apiextensions.k8s.io/v1",
   "kind": "CustomResourceDefinition", "metadata": {"name": "b.example.com"}},
  {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"k": "v"}},
  "not an object"
]}
"#;
        let file = Arc::new(SourceFile::in_memory("x.json", text));
        let options = LoadOptions {
            identity_only_kinds: vec!["CustomResourceDefinition".to_string()],
            ..LoadOptions::default()
        };
        let mut loaded = Loaded::default();
        parse_manifests(&file, text, &options, &mut loaded);
        let keys: Vec<Vec<&str>> = loaded
            .objects
            .iter()
            .map(|object| match &object.value {
                // The key set, whatever the order (serde_json's `preserve_order`, which
                // cedar-policy enables, keeps document order).
                Value::Object(map) => {
                    let mut keys: Vec<&str> = map.keys().map(String::as_str).collect();
                    keys.sort_unstable();
                    keys
                }
                _ => Vec::new(),
            })
            .collect();
        assert_eq!(
            keys,
            vec![
                vec!["apiVersion", "kind", "metadata"],
                vec!["apiVersion", "kind", "metadata"],
                vec!["apiVersion", "data", "kind", "metadata"],
            ]
        );
        let names: Vec<(&str, u32)> = loaded
            .objects
            .iter()
            .map(|object| (object.name.as_str(), object.origin.line))
            .collect();
        assert_eq!(
            names,
            vec![("a.example.com", 2), ("b.example.com", 4), ("c", 6)]
        );
        // The element that is not an object is still reported, in order.
        assert_eq!(loaded.diagnostics.len(), 1, "{:?}", loaded.diagnostics);
        assert_eq!(loaded.diagnostics[0].line, Some(7));

        // Without the option, the same file loads whole.
        let mut whole = Loaded::default();
        parse_manifests(&file, text, &LoadOptions::default(), &mut whole);
        assert!(whole.objects[0].value.get("spec").is_some());
        assert!(whole.objects[1].value.get("spec").is_some());
    }
}
