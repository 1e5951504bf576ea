//! Where an object came from, and how to find the line of a field inside it.

use std::ops::Range;
use std::sync::Arc;

use crate::yaml;

/// An input file (or stdin, or an embedded demo file), kept so that findings can name the line
/// of the offending field after the checks have run.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as the user gave it (or `<stdin>`), used in every message.
    pub name: String,
    text: Text,
}

/// Where a [`SourceFile`]'s text is read from once it has been parsed.
#[derive(Debug)]
enum Text {
    Memory(String),
    /// A large file is not kept in memory: the few objects with findings have their text read
    /// again, at their byte range. `offset` is where the parsed text starts in the file (3 after
    /// a UTF-8 byte-order mark).
    Disk {
        file: std::fs::File,
        offset: u64,
    },
    /// Not kept: every object read from a YAML file carries the line table of its document, which
    /// answers without the text.
    None,
}

impl SourceFile {
    /// A file whose text stays in memory.
    pub fn in_memory(name: impl Into<String>, text: impl Into<String>) -> SourceFile {
        SourceFile {
            name: name.into(),
            text: Text::Memory(text.into()),
        }
    }

    /// A file whose text is read again from `file` when needed; the parsed text began `offset`
    /// bytes into it. The file must not change while the scan runs; if it does, lines fall back
    /// to the object's first line.
    pub fn on_disk(name: impl Into<String>, file: std::fs::File, offset: u64) -> SourceFile {
        SourceFile {
            name: name.into(),
            text: Text::Disk { file, offset },
        }
    }

    /// A YAML file whose text is not kept: its objects' line tables give the lines of findings.
    pub fn lines_only(name: impl Into<String>) -> SourceFile {
        SourceFile {
            name: name.into(),
            text: Text::None,
        }
    }

    /// The text at `span` (byte offsets into the parsed text), `None` when it cannot be read.
    pub fn text_at(&self, span: Range<usize>) -> Option<std::borrow::Cow<'_, str>> {
        match &self.text {
            Text::Memory(text) => text.get(span).map(std::borrow::Cow::Borrowed),
            Text::Disk { file, offset } => {
                let mut bytes = vec![0; span.len()];
                let start = offset.checked_add(u64::try_from(span.start).ok()?)?;
                read_exact_at(file, &mut bytes, start).ok()?;
                String::from_utf8(bytes).ok().map(std::borrow::Cow::Owned)
            }
            Text::None => None,
        }
    }
}

#[cfg(unix)]
fn read_exact_at(file: &std::fs::File, buffer: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buffer, offset)
}

#[cfg(windows)]
fn read_exact_at(
    file: &std::fs::File,
    mut buffer: &mut [u8],
    mut offset: u64,
) -> std::io::Result<()> {
    while !buffer.is_empty() {
        match std::os::windows::fs::FileExt::seek_read(file, buffer, offset)? {
            0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            read => {
                buffer = &mut buffer[read..];
                offset += read as u64;
            }
        }
    }
    Ok(())
}

#[cfg(not(any(unix, windows)))]
fn read_exact_at(file: &std::fs::File, buffer: &mut [u8], offset: u64) -> std::io::Result<()> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = file;
    file.seek(SeekFrom::Start(offset))?;
    file.read_exact(buffer)
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
        let full: Vec<String> = pointers
            .iter()
            .map(|pointer| format!("{}{}", self.base_pointer, pointer))
            .collect();
        let found: Vec<Option<u32>> = if !self.lines.is_empty() {
            // A YAML document's table answers without its text.
            full.iter()
                .map(|pointer| self.lines.line_of(pointer))
                .collect()
        } else {
            let Some(text) = self.file.text_at(self.span.clone()) else {
                return lines;
            };
            let text = &*text;
            let is_json = self.base_pointer.is_empty() && text.trim_start().starts_with('{');
            if is_json {
                full.iter()
                    .map(|pointer| Some(crate::json_lines::line_of_pointer(text, pointer)))
                    .collect()
            } else {
                yaml::lines_of_pointers(text, &full)
            }
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
