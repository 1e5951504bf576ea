//! YAML (and JSON, which YAML reads too) into `serde_json::Value`, with the lines of nodes.

use saphyr::{MarkedYaml, Scalar, YamlData, YamlLoader};
use saphyr_parser::{Parser, ScanError};
use serde_json::{Map, Number, Value};

/// A parsed YAML document: the value, and the 1-based lines of the top-level node and of the
/// elements of its `items` sequence (for `List` documents).
pub(crate) struct ParsedDocument {
    pub value: Value,
    pub item_lines: Vec<u32>,
}

/// A YAML syntax error, with the 1-based line relative to the parsed text.
#[derive(Debug)]
pub(crate) struct SyntaxError {
    pub line: u32,
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

/// Parses one YAML document. `Ok(None)` when it holds nothing but comments and blank lines.
pub(crate) fn parse_document(text: &str) -> Result<Option<ParsedDocument>, SyntaxError> {
    let root = load(text).map_err(|error| SyntaxError {
        line: u32::try_from(error.marker().line()).unwrap_or(1).max(1),
        message: error.info().to_string(),
    })?;
    let Some(root) = root else { return Ok(None) };
    if matches!(root.data, YamlData::Value(Scalar::Null)) {
        return Ok(None);
    }
    let item_lines = match &root.data {
        YamlData::Mapping(mapping) => mapping
            .iter()
            .find(|(key, _)| key_text(key).as_deref() == Some("items"))
            .and_then(|(_, items)| match &items.data {
                YamlData::Sequence(sequence) => {
                    Some(sequence.iter().map(|item| line_of(item)).collect())
                }
                _ => None,
            })
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    Ok(Some(ParsedDocument {
        value: to_json(&root),
        item_lines,
    }))
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

fn to_json(node: &MarkedYaml<'_>) -> Value {
    match &node.data {
        YamlData::Value(scalar) => match scalar {
            Scalar::Null => Value::Null,
            Scalar::Boolean(value) => Value::Bool(*value),
            Scalar::Integer(value) => Value::Number(Number::from(*value)),
            Scalar::FloatingPoint(value) => Number::from_f64(value.into_inner())
                .map(Value::Number)
                .unwrap_or_else(|| Value::String(value.to_string())),
            Scalar::String(value) => Value::String(value.to_string()),
        },
        YamlData::Representation(text, _, _) => Value::String(text.to_string()),
        YamlData::Sequence(sequence) => Value::Array(sequence.iter().map(to_json).collect()),
        YamlData::Mapping(mapping) => {
            let mut object = Map::new();
            for (key, value) in mapping {
                let key = key_text(key).unwrap_or_default();
                object.insert(key, to_json(value));
            }
            Value::Object(object)
        }
        YamlData::Tagged(tag, inner) => {
            // `!!str 123` means the string "123".
            if tag.suffix == "str" {
                if let YamlData::Value(scalar) = &inner.data {
                    return Value::String(scalar_text(scalar));
                }
            }
            to_json(inner)
        }
        YamlData::Alias(_) | YamlData::BadValue => Value::Null,
    }
}

/// The 1-based line (relative to `text`) of the node at `pointer`, or of the deepest ancestor
/// that exists. For a mapping entry, the line of its key.
pub(crate) fn line_of_pointer(text: &str, pointer: &str) -> Option<u32> {
    let root = load(text).ok()??;
    Some(navigate(&root, pointer))
}

/// [`line_of_pointer`] for several pointers, parsing `text` once.
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
        assert_eq!(
            line_of_pointer(text, "/spec/containers/0/securityContext/privileged"),
            Some(6)
        );
        assert_eq!(line_of_pointer(text, "/spec/containers/0/missing"), Some(4));
        assert_eq!(line_of_pointer(text, "/spec/containers/0"), Some(4));
    }

    #[test]
    fn reports_syntax_error_line() {
        let error = parse_document("a: 1\nb: [unclosed\nc: 2\n").err().unwrap();
        assert!(error.line >= 2, "line {}", error.line);
    }
}
