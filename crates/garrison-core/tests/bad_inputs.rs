//! Every kind of bad input gets a diagnostic naming the file, the line and the problem, and the
//! good documents around it are still loaded.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fs;

use garrison_core::{DiagnosticLevel, Inventory, LoadOptions, load_paths};

const GOOD: &str = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: good\n";

fn scan_directory(files: &[(&str, &[u8])]) -> (tempfile::TempDir, garrison_core::Loaded) {
    let directory = tempfile::tempdir().unwrap();
    for (name, contents) in files {
        fs::write(directory.path().join(name), contents).unwrap();
    }
    fs::write(directory.path().join("zz-good.yaml"), GOOD).unwrap();
    let loaded = load_paths(
        &[directory.path().to_string_lossy().into_owned()],
        &LoadOptions::default(),
    );
    (directory, loaded)
}

fn assert_good_still_loaded(loaded: &garrison_core::Loaded) {
    assert!(
        loaded.objects.iter().any(|object| object.name == "good"),
        "the good file next to the bad one was not loaded"
    );
}

fn diagnostic_for<'a>(
    loaded: &'a garrison_core::Loaded,
    file: &str,
) -> &'a garrison_core::Diagnostic {
    loaded
        .diagnostics
        .iter()
        .find(|diagnostic| diagnostic.file.ends_with(file))
        .unwrap_or_else(|| panic!("no diagnostic for {file}: {:?}", loaded.diagnostics))
}

#[test]
fn yaml_syntax_error_names_the_line_and_keeps_other_documents() {
    let text = b"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: first\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: broken\ndata:\n  key: [unclosed\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: third\n";
    let (_dir, loaded) = scan_directory(&[("multi.yaml", text)]);
    let diagnostic = diagnostic_for(&loaded, "multi.yaml");
    assert_eq!(diagnostic.level, DiagnosticLevel::Error);
    assert!(
        diagnostic.message.contains("YAML syntax error"),
        "{diagnostic}"
    );
    let line = diagnostic.line.unwrap();
    assert!((11..=12).contains(&line), "line {line}: {diagnostic}");
    let names: Vec<&str> = loaded.objects.iter().map(|o| o.name.as_str()).collect();
    assert!(
        names.contains(&"first") && names.contains(&"third"),
        "{names:?}"
    );
    assert_good_still_loaded(&loaded);
}

#[test]
fn helm_template_leftovers_are_named() {
    let text = b"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ template \"app.fullname\" . }}\nspec:\n  replicas: {{ .Values.replicas }}\n";
    let (_dir, loaded) = scan_directory(&[("chart.yaml", text)]);
    let diagnostic = diagnostic_for(&loaded, "chart.yaml");
    assert!(
        diagnostic.message.contains("unrendered Helm template"),
        "{diagnostic}"
    );
    assert!(diagnostic.message.contains("{{ template"), "{diagnostic}");
    assert_eq!(diagnostic.line, Some(4));
    assert_good_still_loaded(&loaded);
}

#[test]
fn helm_control_structure_at_file_start_is_named() {
    let text = b"{{- if .Values.enabled }}\napiVersion: v1\nkind: Service\nmetadata:\n  name: x\n{{- end }}\n";
    let (_dir, loaded) = scan_directory(&[("svc.yaml", text)]);
    let diagnostic = diagnostic_for(&loaded, "svc.yaml");
    assert!(
        diagnostic.message.contains("{{- if .Values.enabled }}"),
        "{diagnostic}"
    );
    assert_eq!(diagnostic.line, Some(1));
    assert_good_still_loaded(&loaded);
}

#[test]
fn missing_api_version_or_kind_is_named() {
    let text = b"kind: Pod\nmetadata:\n  name: a\n---\napiVersion: v1\nmetadata:\n  name: b\n---\nreplicas: 3\nimage: nginx\n";
    let (_dir, loaded) = scan_directory(&[("partial.yaml", text)]);
    let messages: Vec<(Option<u32>, &str)> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.file.ends_with("partial.yaml"))
        .map(|d| (d.line, d.message.as_str()))
        .collect();
    assert_eq!(messages.len(), 3, "{messages:?}");
    assert_eq!(messages[0].0, Some(1));
    assert!(messages[0].1.contains("missing `apiVersion`"));
    assert_eq!(messages[1].0, Some(5));
    assert!(messages[1].1.contains("missing `kind`"));
    assert_eq!(messages[2].0, Some(9));
    assert!(messages[2].1.contains("no `apiVersion` and no `kind`"));
    assert_good_still_loaded(&loaded);
}

#[test]
fn wrong_field_types_are_named_with_their_line() {
    let text = b"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: typed\n  namespace: shop\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: nginx\n        securityContext:\n          privileged: \"very\"\n";
    let (_dir, loaded) = scan_directory(&[("typed.yaml", text)]);
    let inventory = Inventory::new(loaded);
    // Pod specs are decoded when they are checked; decoding reports the mistyped field.
    let errors: Vec<_> = inventory
        .workloads
        .iter()
        .filter_map(|entry| inventory.decode(entry).err())
        .collect();
    let diagnostic = errors
        .iter()
        .find(|d| d.file.ends_with("typed.yaml"))
        .expect("a diagnostic for the mistyped field");
    assert_eq!(diagnostic.line, Some(13), "{diagnostic}");
    assert!(
        diagnostic.message.contains("securityContext/privileged"),
        "{diagnostic}"
    );
    assert!(
        diagnostic.message.contains("expected a boolean"),
        "{diagnostic}"
    );
    assert!(inventory.objects.iter().any(|object| object.name == "good"));
}

#[test]
fn binary_file_is_named_and_skipped() {
    let mut bytes = b"apiVersion: v1\n".to_vec();
    bytes.extend_from_slice(&[0, 159, 146, 150, 0, 1, 2, 255]);
    let (_dir, loaded) = scan_directory(&[("image.yaml", &bytes)]);
    let diagnostic = diagnostic_for(&loaded, "image.yaml");
    assert!(diagnostic.message.contains("binary file"), "{diagnostic}");
    assert_good_still_loaded(&loaded);
}

#[test]
fn invalid_utf8_is_named() {
    let (_dir, loaded) = scan_directory(&[("latin1.yaml", b"kind: Pod\nname: caf\xe9\n")]);
    let diagnostic = diagnostic_for(&loaded, "latin1.yaml");
    assert!(diagnostic.message.contains("not UTF-8"), "{diagnostic}");
    assert_good_still_loaded(&loaded);
}

#[test]
fn empty_file_is_named() {
    let (_dir, loaded) = scan_directory(&[("empty.yaml", b""), ("blank.yml", b"\n  \n")]);
    assert!(
        diagnostic_for(&loaded, "empty.yaml")
            .message
            .contains("empty file")
    );
    assert!(
        diagnostic_for(&loaded, "blank.yml")
            .message
            .contains("empty file")
    );
    assert_good_still_loaded(&loaded);
}

#[test]
fn huge_file_is_named_and_skipped() {
    let directory = tempfile::tempdir().unwrap();
    let huge = directory.path().join("huge.yaml");
    let mut text =
        String::from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: huge\ndata:\n  blob: \"");
    text.push_str(&"x".repeat(3 * 1024 * 1024));
    text.push_str("\"\n");
    fs::write(&huge, text).unwrap();
    fs::write(directory.path().join("good.yaml"), GOOD).unwrap();
    let loaded = load_paths(
        &[directory.path().to_string_lossy().into_owned()],
        &LoadOptions {
            max_file_bytes: 1024 * 1024,
            ..LoadOptions::default()
        },
    );
    let diagnostic = diagnostic_for(&loaded, "huge.yaml");
    assert!(
        diagnostic.message.contains("larger than the 1 MiB limit"),
        "{diagnostic}"
    );
    assert_good_still_loaded(&loaded);
}

#[test]
fn invalid_json_is_named_with_its_line() {
    let (_dir, loaded) = scan_directory(&[(
        "list.json",
        b"{\n  \"kind\": \"List\",\n  \"items\": [\n    {\"kind\": \"Pod\",}\n  ]\n}\n",
    )]);
    let diagnostic = diagnostic_for(&loaded, "list.json");
    assert!(diagnostic.message.contains("invalid JSON"), "{diagnostic}");
    assert_eq!(diagnostic.line, Some(4));
    assert_good_still_loaded(&loaded);
}

#[test]
fn kubectl_lists_and_nested_directories_are_loaded() {
    let directory = tempfile::tempdir().unwrap();
    fs::create_dir_all(directory.path().join("a/b")).unwrap();
    fs::write(
        directory.path().join("a/b/pods.json"),
        r#"{"apiVersion":"v1","kind":"PodList","items":[{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p1","namespace":"x"},"spec":{"containers":[]}}]}"#,
    )
    .unwrap();
    fs::write(
        directory.path().join("a/list.yaml"),
        "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ServiceAccount\n  metadata:\n    name: sa1\n- apiVersion: v1\n  kind: ServiceAccount\n  metadata:\n    name: sa2\n",
    )
    .unwrap();
    let loaded = load_paths(
        &[directory.path().to_string_lossy().into_owned()],
        &LoadOptions::default(),
    );
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    let found: Vec<(&str, u32)> = loaded
        .objects
        .iter()
        .map(|object| (object.name.as_str(), object.origin.line))
        .collect();
    // Directory entries are read in sorted order: a/b/ before a/list.yaml.
    assert_eq!(found, vec![("p1", 1), ("sa1", 4), ("sa2", 8)]);
}

#[test]
fn missing_path_is_an_error() {
    let loaded = load_paths(
        &["/definitely/not/here.yaml".to_string()],
        &LoadOptions::default(),
    );
    assert_eq!(loaded.diagnostics.len(), 1);
    assert!(loaded.diagnostics[0].message.starts_with("cannot read"));
}

/// The real-world corpus: nothing panics, every loadable object is loaded, and each document
/// that could not be loaded is named with its file and line.
#[test]
fn real_corpus_loads_with_named_failures() {
    let corpus = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus/real-manifests"
    );
    assert!(
        std::path::Path::new(corpus).is_dir(),
        "missing test data: {corpus} (the shared corpus must sit beside the checkout)"
    );
    let loaded = load_paths(&[corpus.to_string()], &LoadOptions::default());
    assert_eq!(loaded.files, 272);
    assert!(
        loaded.objects.len() >= 740,
        "only {} objects",
        loaded.objects.len()
    );
    for diagnostic in &loaded.diagnostics {
        assert!(diagnostic.file.ends_with(".yaml"), "{diagnostic}");
        assert!(diagnostic.line.is_some(), "no line: {diagnostic}");
    }
    let inventory = Inventory::new(loaded);
    assert!(
        inventory.workloads.len() > 250,
        "{} workloads",
        inventory.workloads.len()
    );
}

/// With pod specs set apart as text while loading (as a scan loads), a mistyped field still gets
/// its diagnostic with the field's line (in the file, not in the compact text), and the object
/// is still loaded.
#[test]
fn wrong_field_types_in_json_with_separated_pod_specs() {
    let directory = tempfile::tempdir().unwrap();
    let text = "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"List\",\n  \"items\": [\n    {\n      \"apiVersion\": \"apps/v1\",\n      \"kind\": \"Deployment\",\n      \"metadata\": {\"name\": \"typed\", \"namespace\": \"shop\"},\n      \"spec\": {\"template\": {\"spec\": {\"containers\": [\n        {\"name\": \"app\", \"securityContext\": {\"privileged\": \"very\"}}\n      ]}}}\n    },\n    {\n      \"apiVersion\": \"apps/v1\",\n      \"kind\": \"Deployment\",\n      \"metadata\": {\"name\": \"fine\", \"namespace\": \"shop\"},\n      \"spec\": {\"template\": {\"spec\": {\"containers\": [{\"name\": \"app\"}]}}}\n    }\n  ]\n}\n";
    fs::write(directory.path().join("deployments.json"), text).unwrap();
    let loaded = load_paths(
        &[directory.path().to_string_lossy().into_owned()],
        &LoadOptions {
            separate_pod_specs: true,
            ..LoadOptions::default()
        },
    );
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    let separated: Vec<(&str, bool)> = loaded
        .objects
        .iter()
        .map(|object| (object.name.as_str(), object.pod_spec_json.is_some()))
        .collect();
    assert_eq!(separated, vec![("typed", true), ("fine", true)]);
    let inventory = Inventory::new(loaded);
    assert_eq!(inventory.workloads.len(), 2);
    // The spec is decoded when it is checked: the mistyped field is reported then.
    let decoded: Vec<_> = inventory
        .workloads
        .iter()
        .map(|entry| inventory.decode(entry))
        .collect();
    assert!(decoded[1].is_ok(), "{:?}", decoded[1]);
    let diagnostic = decoded[0].as_ref().unwrap_err();
    assert_eq!(diagnostic.line, Some(10), "{diagnostic}");
    assert!(
        diagnostic.message.contains("securityContext/privileged"),
        "{diagnostic}"
    );
}

/// A file of 1 MiB or more is not kept in memory after parsing: the lines of fields are read
/// from the file again. They must come out as for a small file, also after a byte-order mark.
#[test]
fn lines_in_large_files_read_again_from_disk() {
    let directory = tempfile::tempdir().unwrap();
    for bom in ["", "\u{feff}"] {
        let mut text =
            format!("{bom}{{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"List\",\n  \"items\": [\n");
        let mut expected = Vec::new();
        let mut line = 5;
        for index in 0..6000 {
            if index > 0 {
                text.push_str(",\n");
                line += 1;
            }
            text.push_str(&format!(
                "    {{\n      \"apiVersion\": \"v1\",\n      \"kind\": \"ConfigMap\",\n      \"metadata\": {{\"name\": \"config-{index}\", \"namespace\": \"shop\"}},\n      \"data\": {{\n        \"padding\": \"{}\",\n        \"key\": \"value-{index}\"\n      }}\n    }}",
                "x".repeat(150)
            ));
            // The object starts at `line`; its `data/key` is 6 lines further down.
            expected.push((format!("config-{index}"), line, line + 6));
            line += 8;
        }
        text.push_str("\n  ]\n}\n");
        assert!(
            text.len() > 1 << 20,
            "the file must be large: {}",
            text.len()
        );
        let path = directory.path().join(format!("large{}.json", bom.len()));
        fs::write(&path, &text).unwrap();
        let loaded = load_paths(
            &[path.to_string_lossy().into_owned()],
            &LoadOptions::default(),
        );
        assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
        assert_eq!(loaded.objects.len(), expected.len());
        for (object, (name, start, key_line)) in loaded.objects.iter().zip(&expected) {
            assert_eq!(&object.name, name);
            assert_eq!(object.origin.line, *start, "{name}");
            assert_eq!(object.origin.line_of("/data/key"), *key_line, "{name}");
        }
    }
}

/// A typed list read straight from the API server (`PodList`, `NamespaceList`) has items without
/// `kind` and `apiVersion`: they are the list's item kind, in JSON and YAML alike, with pod specs
/// set apart as a scan does.
#[test]
fn typed_list_items_take_the_kind_of_their_list() {
    let json = r#"{"apiVersion": "v1", "kind": "PodList", "metadata": {}, "items": [
  {"metadata": {"name": "web", "namespace": "shop"},
   "spec": {"containers": [{"name": "app", "image": "nginx"}]}},
  {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "named", "namespace": "shop"},
   "spec": {"containers": [{"name": "app", "image": "nginx"}]}}
]}
"#;
    let yaml = "apiVersion: v1\nkind: NamespaceList\nitems:\n- metadata:\n    name: shop\n- metadata:\n    name: tools\n";
    let (directory, loaded) = scan_directory(&[
        ("pods.json", json.as_bytes()),
        ("namespaces.yaml", yaml.as_bytes()),
    ]);
    let mut kinds: Vec<(String, String, String)> = loaded
        .objects
        .iter()
        .filter(|object| !object.name.starts_with("good"))
        .map(|object| {
            (
                object.api_version.clone(),
                object.kind.clone(),
                object.name.clone(),
            )
        })
        .collect();
    kinds.sort();
    let expected: Vec<(String, String, String)> = [
        ("v1", "Namespace", "shop"),
        ("v1", "Namespace", "tools"),
        ("v1", "Pod", "named"),
        ("v1", "Pod", "web"),
    ]
    .iter()
    .map(|(a, k, n)| (a.to_string(), k.to_string(), n.to_string()))
    .collect();
    assert_eq!(kinds, expected, "{:?}", loaded.diagnostics);

    let separated = load_paths(
        &[directory
            .path()
            .join("pods.json")
            .to_string_lossy()
            .into_owned()],
        &LoadOptions {
            separate_pod_specs: true,
            body_kinds: Some(vec!["Pod".to_string()]),
            ..LoadOptions::default()
        },
    );
    assert!(
        separated
            .objects
            .iter()
            .all(|object| object.kind == "Pod" && object.pod_spec_json.is_some()),
        "{:?}",
        separated
            .objects
            .iter()
            .map(|o| (&o.kind, &o.name))
            .collect::<Vec<_>>()
    );
    let inventory = Inventory::new(separated);
    assert_eq!(inventory.workloads.len(), 2);
}
