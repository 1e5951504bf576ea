//! Two forms YAML 1.2 forbids but go-yaml (so kubectl, and the API server's clients) reads.
//!
//! A manifest that kubectl applies runs in the cluster, so a scan that refuses it reports on less
//! than what is deployed. When a document fails to parse with one of these two errors, the line
//! the error names is rewritten the way go-yaml reads it and the document is parsed again; each
//! rewrite leaves a warning. A valid document never comes here, and any other error is reported
//! as it is.
//!
//! 1. A tab in the indentation of a line inside an open flow collection (`[`/`{`): go-yaml skips
//!    tabs and spaces alike between flow tokens. The line's leading white space becomes spaces,
//!    deep enough for the enclosing block. Line breaks inside a flow collection fold into a single
//!    space (or separate tokens), so the width never reaches a value.
//! 2. A continuation line of a multi-line quoted scalar indented no deeper than its key: go-yaml
//!    does not check the indentation of quoted scalars. The line is re-indented one column deeper
//!    than the key; a continuation line's leading white space is dropped when the scalar is
//!    folded, so the value is the same.

use saphyr_parser::{Event, Parser, Span, SpannedEventReceiver};

use super::{ParsedDocument, SyntaxError, parse_document};

/// saphyr-parser's message for a tab in the indentation of a block (or of a flow collection
/// inside one).
const TAB_IN_INDENTATION: &str = "tabs disallowed within this context (block indentation)";
/// saphyr-parser's message for a quoted scalar's line indented less than its block; the error
/// names the scalar's opening quote.
const QUOTED_SCALAR_INDENTATION: &str = "invalid indentation in quoted scalar";

/// Rewritten lines per document, at most: each costs one more parse of the document.
const MAX_REPAIRS: usize = 64;

/// The form of a line read as go-yaml reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Leniency {
    TabInFlowIndentation,
    QuotedScalarUnderIndented,
}

impl Leniency {
    pub(crate) fn message(self) -> &'static str {
        match self {
            Leniency::TabInFlowIndentation => {
                "a tab starts a flow continuation line; YAML 1.2 forbids it, read as kubectl (go-yaml) does"
            }
            Leniency::QuotedScalarUnderIndented => {
                "a quoted scalar continues on a line indented no deeper than its key; YAML 1.2 forbids it, read as kubectl (go-yaml) does"
            }
        }
    }
}

/// A line of the document (1-based, relative to the parsed text) that was read leniently.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Repair {
    pub line: u32,
    pub form: Leniency,
}

/// A document parsed with the go-yaml leniencies, and the lines they were needed on.
pub(crate) type LenientParse = (Option<ParsedDocument>, Vec<Repair>);

/// [`parse_document`], then, only if it fails with one of the two errors above, again after
/// rewriting the line the error names, up to [`MAX_REPAIRS`] times. Line numbers never change:
/// only a line's leading white space is rewritten. When a repair is not possible (the tab is in
/// block indentation, say) the error of the last parse is returned.
pub(crate) fn parse_document_lenient(text: &str) -> Result<LenientParse, SyntaxError> {
    let mut error = match parse_document(text) {
        Ok(parsed) => return Ok((parsed, Vec::new())),
        Err(error) => error,
    };
    let mut repairs: Vec<Repair> = Vec::new();
    let mut repaired: Option<String> = None;
    while repairs.len() < MAX_REPAIRS {
        let current = repaired.as_deref().unwrap_or(text);
        let Some((repair, indent)) = plan_repair(current, &error) else {
            break;
        };
        // A line rewritten once that fails again was not fixed by it: stop.
        if repairs.iter().any(|done| done.line == repair.line) {
            break;
        }
        let Some(next) = reindent_line(current, repair.line, indent) else {
            break;
        };
        repairs.push(repair);
        match parse_document(&next) {
            Ok(parsed) => return Ok((parsed, repairs)),
            Err(next_error) => {
                error = next_error;
                repaired = Some(next);
            }
        }
    }
    Err(error)
}

/// The line to rewrite for `error` and the number of spaces its indentation becomes, if `error`
/// is one of the two lenient forms.
fn plan_repair(text: &str, error: &SyntaxError) -> Option<(Repair, usize)> {
    if error.message == TAB_IN_INDENTATION {
        let line = line_text(text, error.line)?;
        let indentation: Vec<char> = line
            .chars()
            .take_while(|c| matches!(c, ' ' | '\t'))
            .collect();
        if !indentation.contains(&'\t') {
            return None;
        }
        // Only inside a flow collection does go-yaml take the tab as white space; in block
        // indentation it rejects it too.
        let flow_column = open_flow_column(text, error.line)?;
        let indent = (flow_column + 1).max(indentation.len());
        let repair = Repair {
            line: error.line,
            form: Leniency::TabInFlowIndentation,
        };
        return Some((repair, indent));
    }
    if error.message == QUOTED_SCALAR_INDENTATION {
        let (line, indent) = under_indented_continuation(text, error.line, error.column)?;
        let repair = Repair {
            line,
            form: Leniency::QuotedScalarUnderIndented,
        };
        return Some((repair, indent));
    }
    None
}

/// The text of 1-based line `number`, without its line break.
fn line_text(text: &str, number: u32) -> Option<&str> {
    let index = usize::try_from(number).ok()?.checked_sub(1)?;
    let line = text.split('\n').nth(index)?;
    Some(line.strip_suffix('\r').unwrap_or(line))
}

/// `text` with the leading spaces and tabs of 1-based line `number` replaced by `indent` spaces.
fn reindent_line(text: &str, number: u32, indent: usize) -> Option<String> {
    let index = usize::try_from(number).ok()?.checked_sub(1)?;
    let start = if index == 0 {
        0
    } else {
        memchr::memchr_iter(b'\n', text.as_bytes()).nth(index - 1)? + 1
    };
    let rest = &text[start..];
    let content = rest.trim_start_matches([' ', '\t']);
    let mut out = String::with_capacity(text.len() + indent);
    out.push_str(&text[..start]);
    out.extend(std::iter::repeat_n(' ', indent));
    out.push_str(content);
    Some(out)
}

/// The column of the outermost flow collection still open where 1-based line `number` starts,
/// `None` when that line is in block context. Found by parsing the lines before it with
/// saphyr-parser itself (they parsed before the error) and following the collections it opens.
fn open_flow_column(text: &str, number: u32) -> Option<usize> {
    let index = usize::try_from(number).ok()?.checked_sub(1)?;
    let end = if index == 0 {
        0
    } else {
        memchr::memchr_iter(b'\n', text.as_bytes()).nth(index - 1)? + 1
    };
    let prefix = &text[..end];
    let mut probe = FlowProbe {
        lines: prefix.split('\n').collect(),
        stack: Vec::new(),
        last_start: None,
    };
    // The prefix ends inside the collection, so this parse fails at its end; the events before
    // the end are what counts.
    let _ = Parser::new_from_str(prefix).load(&mut probe, false);
    probe.stack.iter().flatten().next().copied()
}

/// Follows the collections a parse opens: for each, the column of its `[` or `{` when it is a
/// flow collection.
struct FlowProbe<'t> {
    lines: Vec<&'t str>,
    stack: Vec<Option<usize>>,
    /// Where the last collection started (line, column).
    last_start: Option<(usize, usize)>,
}

impl FlowProbe<'_> {
    fn char_at(&self, line: usize, column: usize) -> Option<char> {
        self.lines.get(line.checked_sub(1)?)?.chars().nth(column)
    }
}

impl<'input> SpannedEventReceiver<'input> for FlowProbe<'_> {
    fn on_event(&mut self, event: Event<'input>, span: Span) {
        let at = (span.start.line(), span.start.col());
        match event {
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                let opener = if matches!(event, Event::SequenceStart(..)) {
                    '['
                } else {
                    '{'
                };
                // A block mapping whose first key is a flow collection starts where the key
                // does: the mapping itself is block.
                if self.last_start == Some(at)
                    && let Some(outer) = self.stack.last_mut()
                {
                    *outer = None;
                }
                let flow = (self.char_at(at.0, at.1) == Some(opener)).then_some(at.1);
                self.stack.push(flow);
                self.last_start = Some(at);
            }
            Event::SequenceEnd | Event::MappingEnd => {
                self.stack.pop();
                self.last_start = None;
            }
            _ => self.last_start = None,
        }
    }
}

/// For a quoted scalar opening at 1-based `line`, 0-based character `column`: the first of its
/// continuation lines that saphyr-parser finds under-indented, and the indentation that satisfies
/// it (one column deeper than the key on the opening line, or the quote's own column when the
/// scalar starts its line).
fn under_indented_continuation(text: &str, line: u32, column: usize) -> Option<(u32, usize)> {
    let opening = line_text(text, line)?;
    let quote = opening.chars().nth(column)?;
    if !matches!(quote, '\'' | '"') {
        return None;
    }
    let required = required_indent(opening, column);
    // Walk the scalar from just after the opening quote to its closing quote.
    let start = usize::try_from(line).ok()?.checked_sub(1)?;
    let mut lines = text.split('\n').skip(start);
    let first = lines.next()?;
    let after_quote = first
        .char_indices()
        .nth(column + 1)
        .map_or(first.len(), |(at, _)| at);
    let mut segment = &first[after_quote..];
    let mut number = line;
    loop {
        let mut chars = segment.chars().peekable();
        let mut closed = false;
        while let Some(c) = chars.next() {
            match c {
                '\'' if quote == '\'' => {
                    if chars.peek() == Some(&'\'') {
                        chars.next();
                    } else {
                        closed = true;
                        break;
                    }
                }
                '"' if quote == '"' => {
                    closed = true;
                    break;
                }
                '\\' if quote == '"' => {
                    chars.next();
                }
                _ => {}
            }
        }
        if closed {
            return None;
        }
        let next = lines.next()?;
        number = number.checked_add(1)?;
        let next = next.strip_suffix('\r').unwrap_or(next);
        let indentation = next.chars().take_while(|c| matches!(c, ' ' | '\t')).count();
        let has_content = next.chars().nth(indentation).is_some();
        if has_content && indentation < required {
            return Some((number, required));
        }
        segment = next;
    }
}

/// The indentation a quoted scalar's continuation lines need: one column deeper than the key
/// before it on its opening line (`key: '…`, `- key: '…`), one deeper than a block sequence entry's
/// `-` (`- '…`), or the quote's own column when it starts the line (its key is on an earlier line
/// and is less indented).
fn required_indent(opening: &str, quote_column: usize) -> usize {
    let chars: Vec<char> = opening.chars().collect();
    let mut at = 0;
    let mut last_dash = None;
    loop {
        while chars.get(at).is_some_and(|c| matches!(c, ' ' | '\t')) {
            at += 1;
        }
        let dash_entry = chars.get(at) == Some(&'-')
            && chars.get(at + 1).is_none_or(|c| matches!(c, ' ' | '\t'));
        if !dash_entry || at >= quote_column {
            break;
        }
        last_dash = Some(at);
        at += 1;
    }
    if at < quote_column {
        at + 1
    } else if let Some(dash) = last_dash {
        dash + 1
    } else {
        quote_column
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use serde_json::json;

    fn lenient(text: &str) -> (serde_json::Value, Vec<Repair>) {
        let (parsed, repairs) = parse_document_lenient(text)
            .unwrap_or_else(|error| panic!("line {}: {}", error.line, error.message));
        (parsed.expect("a document").value, repairs)
    }

    #[test]
    fn tab_starting_a_flow_sequence_line_reads_as_go_yaml() {
        // The shape of acs-security-demos' deployments: `args:` then `[` on its own line, one
        // element's line starting with a tab.
        let text = "spec:\n  containers:\n    - image: webapp\n      args:\n        [\n          \"-jar\",\n\t        \"-Dlisten=8080\",\n          \"/app.jar\",\n        ]\n      name: webapp\n";
        assert!(parse_document(text).is_err(), "saphyr alone rejects it");
        let (value, repairs) = lenient(text);
        assert_eq!(
            value["spec"]["containers"][0]["args"],
            json!(["-jar", "-Dlisten=8080", "/app.jar"])
        );
        assert_eq!(value["spec"]["containers"][0]["name"], json!("webapp"));
        assert_eq!(
            repairs,
            vec![Repair {
                line: 7,
                form: Leniency::TabInFlowIndentation
            }]
        );
    }

    #[test]
    fn tabs_in_a_flow_mapping_and_inside_a_folded_plain_scalar() {
        // A lone tab (shallower than the block) before a plain scalar that folds across lines,
        // and a flow mapping opened on the key's line.
        let text = "a:\n  b: {x: one,\n\ty: two\n      words, z: [1,\n\t2]}\nc: d\n";
        let (value, repairs) = lenient(text);
        assert_eq!(
            value,
            json!({"a": {"b": {"x": "one", "y": "two words", "z": [1, 2]}}, "c": "d"})
        );
        let lines: Vec<u32> = repairs.iter().map(|repair| repair.line).collect();
        assert_eq!(lines, vec![3, 5]);
    }

    #[test]
    fn flow_value_of_a_block_mapping_whose_key_is_a_flow_collection() {
        // The block mapping starts where its `{k: 1}` key does; the flow sequence that is open
        // is the value's, whose `[` sets the depth of the rewritten line.
        let text = "x:\n  {k: 1}: [a,\n\tb]\n";
        let (value, repairs) = lenient(text);
        assert_eq!(value, json!({"x": {"{\"k\":1}": ["a", "b"]}}));
        assert_eq!(repairs.len(), 1);
        assert_eq!(open_flow_column(text, 3), Some(10));
    }

    #[test]
    fn tab_in_block_indentation_still_fails() {
        // go-yaml rejects this too: the tab is block indentation, not flow white space.
        // Also after a flow collection that closed on an earlier line, and under a block
        // mapping whose first key is a flow mapping.
        for (text, line) in [
            ("a:\n  b: 'x'\n\t c: 2\n", 3),
            ("a:\n  b: [1,\n    2]\n  c:\n\t  d: 1\n", 5),
            ("{k: 1}: v\nc:\n  d: 'x'\n\t e: 2\n", 4),
        ] {
            let before = parse_document(text).err().expect("an error");
            assert_eq!(
                (before.line, before.message.as_str()),
                (line, TAB_IN_INDENTATION)
            );
            let error = parse_document_lenient(text).err().expect("still an error");
            assert_eq!(
                (error.line, error.message.as_str()),
                (line, TAB_IN_INDENTATION)
            );
        }
    }

    #[test]
    fn quoted_scalar_continued_at_its_key_column_reads_as_go_yaml() {
        // nad_test_12's NAD, with its CRLF line ends.
        let text = "apiVersion: k8s.cni.cncf.io/v1\r\nkind: NetworkAttachmentDefinition\r\nspec:\r\n  config: '{\r\n    \"type\": \"macvlan\",\r\n    \"ipam\": {\r\n      \"type\": \"static\"\r\n    }\r\n  }'\r\n";
        assert!(parse_document(text).is_err(), "saphyr alone rejects it");
        let (value, repairs) = lenient(text);
        assert_eq!(
            value["spec"]["config"],
            json!("{ \"type\": \"macvlan\", \"ipam\": { \"type\": \"static\" } }")
        );
        assert_eq!(
            repairs,
            vec![Repair {
                line: 9,
                form: Leniency::QuotedScalarUnderIndented
            }]
        );
    }

    #[test]
    fn under_indented_double_quoted_lines_in_a_sequence_entry() {
        // Two lines at and below the key's column, an escaped quote and an empty line (a line
        // break) in between.
        let text = "items:\n  - note: \"say \\\"hi\\\"\n  to\n\n all\"\n    other: x\n";
        let (value, repairs) = lenient(text);
        assert_eq!(
            value["items"][0],
            json!({"note": "say \"hi\" to\nall", "other": "x"})
        );
        let lines: Vec<u32> = repairs.iter().map(|repair| repair.line).collect();
        assert_eq!(lines, vec![3, 5]);
    }

    #[test]
    fn other_errors_are_reported_as_before() {
        for text in [
            "a: 1\nb: [unclosed\nc: 2\n",
            "a: 'unterminated\n",
            "a: b: c\n",
            "- a\nb: 1\n",
        ] {
            let before = parse_document(text).err().expect("an error");
            let after = parse_document_lenient(text).err().expect("still an error");
            assert_eq!(
                (after.line, after.column, &after.message),
                (before.line, before.column, &before.message),
                "{text:?}"
            );
        }
    }

    #[test]
    fn a_later_error_is_reported_after_a_repair() {
        let text = "a: [1,\n\t2]\nb: c: d\n";
        let error = parse_document_lenient(text).err().expect("an error");
        assert_eq!(error.line, 3);
        assert_ne!(error.message, TAB_IN_INDENTATION);
    }

    #[test]
    fn valid_documents_need_no_repair() {
        let (value, repairs) = lenient("a: [1,\n  2]\nb: 'x\n  y'\n");
        assert_eq!(value, json!({"a": [1, 2], "b": "x y"}));
        assert!(repairs.is_empty());
    }
}
