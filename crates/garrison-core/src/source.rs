//! Where an object came from, and how to find the line of a field inside it.

use std::ops::Range;
use std::sync::Arc;

use crate::yaml;

/// An input file (or stdin, or an embedded demo file) kept in memory so that findings can name
/// the line of the offending field after the checks have run.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as the user gave it (or `<stdin>`), used in every message.
    pub name: String,
    pub text: String,
}

/// The place of one object inside a [`SourceFile`].
#[derive(Clone, Debug)]
pub struct Origin {
    pub file: Arc<SourceFile>,
    /// Byte range of the text that holds the object: its YAML document or JSON value.
    pub span: Range<usize>,
    /// Line (1-based) of the first byte of `span` in the file.
    pub span_line: u32,
    /// JSON pointer from the text in `span` to the object, for items of a YAML `List` document.
    pub base_pointer: String,
    /// Line (1-based) where the object itself starts.
    pub line: u32,
    /// Lines of the YAML document's nodes, recorded while parsing (empty for JSON input, whose
    /// lines are found by scanning the text).
    pub lines: crate::yaml::LineTable,
}

impl Origin {
    /// The line of the field at `pointer` (relative to the object), or of its nearest ancestor that
    /// exists when the field itself is absent.
    pub fn line_of(&self, pointer: &str) -> u32 {
        self.lines_of(&[pointer])
            .get(pointer)
            .copied()
            .unwrap_or(self.line)
    }

    /// Lines of several fields at once. YAML documents carry a table of their nodes' lines from
    /// parsing; JSON text is scanned; anything else is parsed again, once for all the pointers.
    pub fn lines_of(&self, pointers: &[&str]) -> std::collections::HashMap<String, u32> {
        let mut lines = std::collections::HashMap::new();
        if pointers.is_empty() {
            return lines;
        }
        let Some(text) = self.file.text.get(self.span.clone()) else {
            return lines;
        };
        let full: Vec<String> = pointers
            .iter()
            .map(|pointer| format!("{}{}", self.base_pointer, pointer))
            .collect();
        let is_json = self.base_pointer.is_empty() && text.trim_start().starts_with('{');
        let found: Vec<Option<u32>> = if !self.lines.is_empty() {
            full.iter()
                .map(|pointer| self.lines.line_of(pointer))
                .collect()
        } else if is_json {
            full.iter()
                .map(|pointer| Some(crate::json_lines::line_of_pointer(text, pointer)))
                .collect()
        } else {
            yaml::lines_of_pointers(text, &full)
        };
        for (pointer, line) in pointers.iter().zip(found) {
            let line = line
                .map(|relative| self.span_line + relative - 1)
                .unwrap_or(self.line);
            lines.insert((*pointer).to_string(), line);
        }
        lines
    }
}

/// Counts the lines in `text[..offset]`, so the 1-based line of the byte at `offset`.
pub(crate) fn line_at(text: &str, offset: usize) -> u32 {
    let prefix = text.as_bytes().get(..offset).unwrap_or(text.as_bytes());
    u32::try_from(memchr::memchr_iter(b'\n', prefix).count() + 1).unwrap_or(u32::MAX)
}
