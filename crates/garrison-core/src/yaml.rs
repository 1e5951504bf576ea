//! YAML (and JSON, which YAML reads too) into `serde_json::Value`, with the lines of nodes.

use saphyr::{MarkedYaml, Scalar, YamlData, YamlLoader};
use saphyr_parser::{Event, Parser, ScanError, Span, SpannedEventReceiver};
use serde_json::{Map, Number, Value};

mod lenient;

pub(crate) use lenient::parse_document_lenient;

/// A parsed YAML document: the value, and the 1-based lines of the top-level node and of the
/// elements of its `items` sequence (for `List` documents).
pub(crate) struct ParsedDocument {
    pub value: Value,
    pub item_lines: Vec<u32>,
    pub lines: LineTable,
}

/// A YAML syntax error, with the 1-based line relative to the parsed text and the 0-based
/// column (in characters) where saphyr-parser places it.
#[derive(Debug)]
pub(crate) struct SyntaxError {
    pub line: u32,
    pub column: usize,
    pub message: String,
}

fn load(text: &str) -> Result<Option<MarkedYaml<'_>>, ScanError> {
    let mut parser = Parser::new_from_str(text);
    let mut loader: YamlLoader<'_, MarkedYaml<'_>> = YamlLoader::default();
    // The API server keeps the last of duplicate keys; scan what it would store.
    loader.allow_duplicate_keys(true);
    parser.load(&mut loader, true)?;
    if let Some(error) = loader.error() {
        return Err(error.clone());
    }
    Ok(loader.into_documents().into_iter().next())
}

/// Parses one YAML document straight from parser events into JSON, recording the line of every
/// node by a hash of its JSON pointer. `Ok(None)` when it holds nothing but comments and blank
/// lines.
pub(crate) fn parse_document(text: &str) -> Result<Option<ParsedDocument>, SyntaxError> {
    let mut parser = Parser::new_from_str(text);
    let mut builder = Builder::default();
    let outcome = parser.load(&mut builder, false);
    let error = outcome.err().map(|error| SyntaxError {
        line: u32::try_from(error.marker().line()).unwrap_or(1).max(1),
        column: error.marker().col(),
        message: error.info().to_string(),
    });
    if let Some(error) = error.or(builder.error.take()) {
        return Err(error);
    }
    let Some(value) = builder.root.take() else {
        return Ok(None);
    };
    if value.is_null() {
        return Ok(None);
    }
    let items_hash = child_hash(ROOT_HASH, b"items");
    let item_lines = match value.get("items").and_then(Value::as_array) {
        Some(items) => (0..items.len())
            .map(|index| {
                let hash = child_hash(items_hash, index.to_string().as_bytes());
                builder.line_of_hash(hash).unwrap_or(1)
            })
            .collect(),
        None => Vec::new(),
    };
    builder.lines.sort_unstable();
    Ok(Some(ParsedDocument {
        value,
        item_lines,
        lines: LineTable(builder.lines.into()),
    }))
}

/// Lines of a document's nodes, keyed by a hash of their JSON pointer.
#[derive(Clone, Debug, Default)]
pub struct LineTable(std::sync::Arc<[(u32, u32)]>);

impl LineTable {
    /// The line of the node at `pointer`, or of its deepest ancestor in the table.
    pub(crate) fn line_of(&self, pointer: &str) -> Option<u32> {
        let mut hash = ROOT_HASH;
        let mut line = self.get(hash);
        for segment in pointer.split('/').skip(1) {
            // Escaped segments are rare: unescape (and allocate) only those.
            let segment = if segment.contains('~') {
                std::borrow::Cow::Owned(segment.replace("~1", "/").replace("~0", "~"))
            } else {
                std::borrow::Cow::Borrowed(segment)
            };
            hash = child_hash(hash, segment.as_bytes());
            match self.get(hash) {
                Some(found) => line = Some(found),
                None => break,
            }
        }
        line
    }

    fn get(&self, hash: u32) -> Option<u32> {
        self.0
            .binary_search_by_key(&hash, |(key, _)| *key)
            .ok()
            .map(|index| self.0[index].1)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

const ROOT_HASH: u32 = 0x811c_9dc5;

/// FNV-1a over the parent's hash, a separator and the segment.
fn child_hash(parent: u32, segment: &[u8]) -> u32 {
    let mut hash = parent ^ u32::from(b'/');
    hash = hash.wrapping_mul(0x0100_0193);
    for byte in segment {
        hash ^= u32::from(*byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash
}

/// Nodes that one alias may expand to, in total per document: protects against "billion laughs".
const ALIAS_BUDGET: usize = 100_000;

enum Frame {
    Sequence {
        items: Vec<Value>,
        anchor: usize,
        hash: u32,
    },
    Mapping {
        map: Map<String, Value>,
        anchor: usize,
        hash: u32,
        /// The key read and waiting for its value, with the child hash.
        key: Option<(String, u32)>,
    },
}

struct Builder {
    stack: Vec<Frame>,
    anchors: std::collections::HashMap<usize, Value>,
    alias_budget: usize,
    root: Option<Value>,
    lines: Vec<(u32, u32)>,
    error: Option<SyntaxError>,
}

impl Default for Builder {
    fn default() -> Self {
        Builder {
            stack: Vec::new(),
            anchors: std::collections::HashMap::new(),
            alias_budget: ALIAS_BUDGET,
            root: None,
            lines: Vec::new(),
            error: None,
        }
    }
}

fn count_nodes(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(count_nodes).sum::<usize>(),
        Value::Object(map) => 1 + map.values().map(count_nodes).sum::<usize>(),
        _ => 1,
    }
}

fn key_string(value: Value) -> String {
    match value {
        Value::String(text) => text,
        Value::Null => "null".to_string(),
        other => other.to_string(),
    }
}

impl Builder {
    fn line_of_hash(&self, hash: u32) -> Option<u32> {
        self.lines
            .iter()
            .find(|(key, _)| *key == hash)
            .map(|(_, line)| *line)
    }

    /// The hash a node starting now gets, recording its line. For a mapping waiting for a key,
    /// the node is the key itself: `None`.
    fn enter(&mut self, line: u32) -> Option<u32> {
        match self.stack.last() {
            None => {
                self.lines.push((ROOT_HASH, line));
                Some(ROOT_HASH)
            }
            Some(Frame::Sequence { items, hash, .. }) => {
                let child = child_hash(*hash, items.len().to_string().as_bytes());
                self.lines.push((child, line));
                Some(child)
            }
            Some(Frame::Mapping {
                key: Some((_, child)),
                ..
            }) => Some(*child),
            Some(Frame::Mapping { key: None, .. }) => None,
        }
    }

    /// Places a finished node into its parent (or as the root).
    fn attach(&mut self, value: Value, anchor: usize) {
        if anchor > 0 {
            self.anchors.insert(anchor, value.clone());
        }
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(value);
                }
            }
            Some(Frame::Sequence { items, .. }) => items.push(value),
            Some(Frame::Mapping { map, key, .. }) => match key.take() {
                Some((name, _)) => {
                    map.insert(name, value);
                }
                None => {
                    // A complex key (a mapping or sequence used as a key) becomes its JSON text.
                    let name = key_string(value);
                    *key = Some((name, 0));
                }
            },
        }
    }

    fn start_key(&mut self, name: String, line: u32) {
        if let Some(Frame::Mapping { hash, key, .. }) = self.stack.last_mut() {
            let child = child_hash(*hash, name.as_bytes());
            self.lines.push((child, line));
            *key = Some((name, child));
        }
    }
}

impl<'input> SpannedEventReceiver<'input> for Builder {
    fn on_event(&mut self, event: Event<'input>, span: Span) {
        if self.error.is_some() {
            return;
        }
        let line = u32::try_from(span.start.line()).unwrap_or(1).max(1);
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                let awaiting_key =
                    matches!(self.stack.last(), Some(Frame::Mapping { key: None, .. }));
                if awaiting_key {
                    self.start_key(text.into_owned(), line);
                    return;
                }
                self.enter(line);
                let scalar = Scalar::parse_from_cow_and_metadata(text.clone(), style, tag.as_ref())
                    .unwrap_or(Scalar::String(text));
                let value = match scalar {
                    Scalar::Null => Value::Null,
                    Scalar::Boolean(value) => Value::Bool(value),
                    Scalar::Integer(value) => Value::Number(Number::from(value)),
                    Scalar::FloatingPoint(value) => Number::from_f64(value.into_inner())
                        .map(Value::Number)
                        .unwrap_or_else(|| Value::String(value.to_string())),
                    Scalar::String(value) => Value::String(value.into_owned()),
                };
                self.attach(value, anchor);
            }
            Event::SequenceStart(anchor, _) => {
                let hash = self.enter(line).unwrap_or(0);
                self.stack.push(Frame::Sequence {
                    items: Vec::new(),
                    anchor,
                    hash,
                });
            }
            Event::MappingStart(anchor, _) => {
                let hash = self.enter(line).unwrap_or(0);
                self.stack.push(Frame::Mapping {
                    map: Map::new(),
                    anchor,
                    hash,
                    key: None,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => match self.stack.pop() {
                Some(Frame::Sequence { items, anchor, .. }) => {
                    self.attach(Value::Array(items), anchor)
                }
                Some(Frame::Mapping { map, anchor, .. }) => self.attach(Value::Object(map), anchor),
                None => {}
            },
            Event::Alias(id) => {
                let awaiting_key =
                    matches!(self.stack.last(), Some(Frame::Mapping { key: None, .. }));
                let value = self.anchors.get(&id).cloned().unwrap_or(Value::Null);
                let size = count_nodes(&value);
                if size > self.alias_budget {
                    self.error = Some(SyntaxError {
                        line,
                        column: span.start.col(),
                        message: "alias expansion exceeds the node budget (possible billion-laughs attack)".to_string(),
                    });
                    return;
                }
                self.alias_budget -= size;
                if awaiting_key {
                    self.start_key(key_string(value), line);
                } else {
                    self.enter(line);
                    self.attach(value, 0);
                }
            }
            Event::Nothing
            | Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart(_)
            | Event::DocumentEnd => {}
        }
    }
}

fn line_of(node: &MarkedYaml<'_>) -> u32 {
    u32::try_from(node.span.start.line()).unwrap_or(1).max(1)
}

fn key_text(node: &MarkedYaml<'_>) -> Option<String> {
    match &node.data {
        YamlData::Value(scalar) => Some(scalar_text(scalar)),
        YamlData::Representation(text, _, _) => Some(text.to_string()),
        YamlData::Tagged(_, inner) => key_text(inner),
        _ => None,
    }
}

fn scalar_text(scalar: &Scalar<'_>) -> String {
    match scalar {
        Scalar::Null => "null".to_string(),
        Scalar::Boolean(value) => value.to_string(),
        Scalar::Integer(value) => value.to_string(),
        Scalar::FloatingPoint(value) => value.to_string(),
        Scalar::String(value) => value.to_string(),
    }
}

/// The 1-based lines (relative to `text`) of the nodes at `pointers`, or of their deepest
/// ancestors that exist, parsing `text` once; for a mapping entry, the line of its key.
pub(crate) fn lines_of_pointers(text: &str, pointers: &[String]) -> Vec<Option<u32>> {
    match load(text) {
        Ok(Some(root)) => pointers
            .iter()
            .map(|pointer| Some(navigate(&root, pointer)))
            .collect(),
        _ => vec![None; pointers.len()],
    }
}

fn navigate(root: &MarkedYaml<'_>, pointer: &str) -> u32 {
    let mut node = root;
    let mut line = line_of(node);
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        let next = match &node.data {
            YamlData::Mapping(mapping) => mapping
                .iter()
                .find(|(key, _)| key_text(key).as_deref() == Some(segment.as_str()))
                .map(|(key, value)| (line_of(key), value)),
            YamlData::Sequence(sequence) => segment
                .parse::<usize>()
                .ok()
                .and_then(|index| sequence.get(index))
                .map(|value| (line_of(value), value)),
            _ => None,
        };
        match next {
            Some((next_line, next_node)) => {
                line = next_line;
                node = next_node;
            }
            None => break,
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_scalars_and_structures() {
        let parsed = parse_document("a: 1\nb: [true, x, 2.5, null]\nc: !!str 7\n")
            .unwrap()
            .unwrap();
        assert_eq!(
            parsed.value,
            serde_json::json!({"a": 1, "b": [true, "x", 2.5, null], "c": "7"})
        );
    }

    #[test]
    fn finds_lines_of_pointers() {
        let text = "kind: Pod\nspec:\n  containers:\n  - name: a\n    securityContext:\n      privileged: true\n";
        let pointers = [
            "/spec/containers/0/securityContext/privileged".to_string(),
            "/spec/containers/0/missing".to_string(),
            "/spec/containers/0".to_string(),
        ];
        assert_eq!(
            lines_of_pointers(text, &pointers),
            vec![Some(6), Some(4), Some(4)]
        );
    }

    /// The line table recorded while parsing agrees with a full re-parse with spans.
    #[test]
    fn line_table_matches_reparse() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels: {app: web, tier: \"front\"}\nspec:\n  template:\n    spec:\n      volumes:\n      - name: a\n        hostPath:\n          path: /var/run\n      containers:\n      -\n        name: c\n        image: nginx\n        ports:\n        - containerPort: 80\n          hostPort: 8080\n        env: [{name: A, value: b}]\n";
        let parsed = parse_document(text).unwrap().unwrap();
        let pointers: Vec<String> = [
            "",
            "/kind",
            "/metadata/labels/tier",
            "/spec/template/spec/volumes/0/hostPath/path",
            "/spec/template/spec/containers/0",
            "/spec/template/spec/containers/0/name",
            "/spec/template/spec/containers/0/ports/0/hostPort",
            "/spec/template/spec/containers/0/env/0/value",
            "/spec/template/spec/containers/0/securityContext/privileged",
            "/spec/template/spec/containers/3",
        ]
        .iter()
        .map(|pointer| pointer.to_string())
        .collect();
        let table: Vec<Option<u32>> = pointers.iter().map(|p| parsed.lines.line_of(p)).collect();
        assert_eq!(table, lines_of_pointers(text, &pointers));
    }

    #[test]
    fn anchors_and_aliases_expand_within_budget() {
        let text = "base: &b {a: 1}\ncopy: *b\n";
        let parsed = parse_document(text).unwrap().unwrap();
        assert_eq!(
            parsed.value,
            serde_json::json!({"base": {"a": 1}, "copy": {"a": 1}})
        );
        let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for level in 1..8 {
            let previous = format!("*a{}", level - 1);
            bomb.push_str(&format!(
                "a{level}: &a{level} [{}]\n",
                vec![previous; 10].join(", ")
            ));
        }
        let error = parse_document(&bomb)
            .err()
            .expect("the alias bomb is refused");
        assert!(
            error.message.contains("billion-laughs"),
            "{}",
            error.message
        );
    }

    #[test]
    fn reports_syntax_error_line() {
        let error = parse_document("a: 1\nb: [unclosed\nc: 2\n").err().unwrap();
        assert!(error.line >= 2, "line {}", error.line);
    }
}
