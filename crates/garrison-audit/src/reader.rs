//! Streaming readers. One pass over each input in constant memory: a line (or one item of a
//! large document) at a time.
//!
//! Recognised, per file and detected from the content (gzip included):
//! - JSON lines of audit `Event`s (`audit.k8s.io/v1` and `v1beta1`, `apiVersion` optional), as
//!   the API server's log backend writes them; a line may also hold an `EventList`, a JSON
//!   array of events, or a CloudTrail `{"Records": [...]}` file;
//! - the CloudWatch Logs S3 export layout: each line a timestamp, a space, the message;
//! - pretty-printed documents: an `EventList`, `aws logs filter-log-events` output
//!   (`{"events": [{"message": "<event JSON>"}, ...]}`), a subscription-filter payload
//!   (`logEvents`), a CloudTrail file, or an array of any of these.
//!
//! A line or item that is none of these is reported with its file and line and skipped.

use std::borrow::Cow;
use std::fmt;
use std::io::{self, BufRead, BufReader, Read};
use std::sync::Arc;
use std::time::Duration;

use flate2::read::MultiGzDecoder;
use garrison_core::Diagnostic;
use garrison_core::inputs::Opened;
use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use crate::engine::Origin;
use crate::event::{AuditEvent, CloudTrailRecord};

/// What the reader hands each record and problem to.
pub trait Sink {
    fn audit(&mut self, event: &AuditEvent<'_>, origin: &Origin);
    fn cloudtrail(&mut self, record: &CloudTrailRecord<'_>, origin: &Origin);
    fn problem(&mut self, diagnostic: Diagnostic);
}

/// How long `--follow` waits at the end of a file before looking again.
const FOLLOW_POLL: Duration = Duration::from_millis(200);

/// Reads every input: files, directories (recursively, in name order) and `-` for stdin. With
/// `follow`, the last input is followed as it grows once the others have been read. Inputs that
/// cannot be opened are reported through `sink`.
pub fn read_inputs(inputs: &[String], follow: bool, sink: &mut dyn Sink) {
    garrison_core::inputs::read_each(inputs, |opened| match opened {
        Opened::Input { name, reader, last } => read_stream(name, reader, follow && last, sink),
        Opened::Unreadable(diagnostic) => sink.problem(diagnostic),
    });
}

/// Reads one stream; gzip is recognised by its magic bytes.
pub fn read_stream(name: &str, input: Box<dyn Read + '_>, follow: bool, sink: &mut dyn Sink) {
    let file: Arc<str> = Arc::from(name);
    let mut reader = BufReader::with_capacity(1 << 16, input);
    let gzip = match reader.fill_buf() {
        Ok(head) => head.starts_with(&[0x1f, 0x8b]),
        Err(error) => {
            sink.problem(Diagnostic::error(
                name,
                None,
                format!("cannot read: {error}"),
            ));
            return;
        }
    };
    let result = if gzip {
        let mut inner = BufReader::with_capacity(1 << 16, MultiGzDecoder::new(reader));
        read_lines(&file, &mut inner, follow, sink)
    } else {
        read_lines(&file, &mut reader, follow, sink)
    };
    if let Err(error) = result {
        sink.problem(Diagnostic::error(
            name,
            None,
            format!("read failed: {error}"),
        ));
    }
}

/// What to do with one line.
enum Line {
    /// Read; go on with the next.
    Done,
    /// The first line opens a pretty-printed document: read the rest as one.
    Document,
}

/// JSON lines, unless the first non-blank line opens a pretty-printed document. Lines are read
/// in place from the reader's buffer; only a line split across two buffer fills is copied.
fn read_lines(
    file: &Arc<str>,
    reader: &mut dyn BufRead,
    follow: bool,
    sink: &mut dyn Sink,
) -> io::Result<()> {
    let mut partial: Vec<u8> = Vec::new();
    let mut number: u32 = 0;
    let mut first = true;
    loop {
        let available = match reader.fill_buf() {
            Ok(available) => available,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        };
        if available.is_empty() {
            if follow {
                // A partial line stays until the writer finishes it.
                std::thread::sleep(FOLLOW_POLL);
                continue;
            }
            if !partial.is_empty() {
                number += 1;
                let line = std::mem::take(&mut partial);
                if let Line::Document = handle_line(file, number, &line, &mut first, follow, sink) {
                    read_document(file, number, io::Cursor::new(line), sink);
                }
            }
            return Ok(());
        }
        let length = available.len();
        let Some(end) = memchr::memchr(b'\n', available) else {
            partial.extend_from_slice(available);
            reader.consume(length);
            continue;
        };
        number += 1;
        let action = if partial.is_empty() {
            handle_line(file, number, &available[..end], &mut first, follow, sink)
        } else {
            partial.extend_from_slice(&available[..end]);
            let action = handle_line(file, number, &partial, &mut first, follow, sink);
            if let Line::Done = action {
                partial.clear();
            }
            action
        };
        if let Line::Document = action {
            // Take the line out of the buffer before handing the reader on.
            let mut head = std::mem::take(&mut partial);
            if head.is_empty() {
                head.extend_from_slice(&available[..end]);
            }
            head.push(b'\n');
            reader.consume(end + 1);
            let chained = io::Cursor::new(head).chain(reader);
            read_document(file, number, chained, sink);
            return Ok(());
        }
        reader.consume(end + 1);
    }
}

/// One line of a JSON-lines input.
fn handle_line(
    file: &Arc<str>,
    number: u32,
    bytes: &[u8],
    first: &mut bool,
    follow: bool,
    sink: &mut dyn Sink,
) -> Line {
    let origin = Origin {
        file: file.clone(),
        line: number,
    };
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text.trim(),
        Err(error) => {
            problem(sink, &origin, Item(None), format!("not UTF-8: {error}"));
            return Line::Done;
        }
    };
    if text.is_empty() {
        return Line::Done;
    }
    if *first && !follow && matches!(text, "{" | "[") {
        return Line::Document;
    }
    *first = false;
    handle_text(text, &origin, None, sink);
    Line::Done
}

/// Where within a line or document an item was.
#[derive(Clone, Copy)]
struct Item(Option<usize>);

impl fmt::Display for Item {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(index) => write!(f, " (item {index})"),
            None => Ok(()),
        }
    }
}

fn problem(sink: &mut dyn Sink, origin: &Origin, item: Item, message: impl fmt::Display) {
    sink.problem(Diagnostic::error(
        origin.file.to_string(),
        Some(origin.line),
        format!("{message}{item}; skipped"),
    ));
}

/// One line's text (or one CloudWatch message): an event, an S3-export line, or an envelope.
fn handle_text(text: &str, origin: &Origin, index: Option<usize>, sink: &mut dyn Sink) {
    let item = Item(index);
    let mut text = text.trim();
    if !text.starts_with(['{', '[']) {
        // CloudWatch Logs S3 export: "<timestamp> <message>".
        match text.split_once(' ') {
            Some((_, rest)) if rest.trim_start().starts_with('{') => text = rest.trim_start(),
            _ => return problem(sink, origin, item, "not JSON"),
        }
    }
    if text.ends_with("[Truncated...]") {
        return problem(
            sink,
            origin,
            item,
            "event truncated by CloudWatch Logs (over its size limit)",
        );
    }
    let event_error = match AuditEvent::parse(text) {
        Ok(event) => return sink.audit(&event, origin),
        Err(error) => error,
    };
    let mut envelope = Envelope::new(origin, sink);
    let mut deserializer = serde_json::Deserializer::from_str(text);
    match deserializer.deserialize_any(&mut envelope) {
        Ok(()) if envelope.recognised => {}
        Ok(()) => problem(
            sink,
            origin,
            item,
            format!(
                "not an audit event, EventList, CloudTrail or CloudWatch Logs record: {event_error}"
            ),
        ),
        Err(error) => problem(sink, origin, item, format!("not readable: {error}")),
    }
}

/// Streams a pretty-printed document item by item.
fn read_document(file: &Arc<str>, line: u32, reader: impl Read, sink: &mut dyn Sink) {
    let origin = Origin {
        file: file.clone(),
        line,
    };
    let mut envelope = Envelope::new(&origin, sink);
    let mut deserializer = serde_json::Deserializer::from_reader(reader);
    let result = deserializer.deserialize_any(&mut envelope);
    let recognised = envelope.recognised;
    match result {
        Ok(()) if recognised => {}
        Ok(()) => problem(
            sink,
            &origin,
            Item(None),
            "document is not an audit Event, EventList, CloudTrail file or CloudWatch Logs export",
        ),
        Err(error) => problem(sink, &origin, Item(None), format!("not readable: {error}")),
    }
}

/// Which array a document's items come from.
#[derive(Clone, Copy, Debug)]
enum Items {
    /// `EventList.items`, or a top-level array: events or envelopes.
    Events,
    /// CloudTrail `Records`.
    Records,
    /// CloudWatch Logs `events` / `logEvents`: objects with a `message` string.
    Messages,
}

/// Visits a document's top level, streaming the arrays it knows and skipping the rest.
struct Envelope<'o, 's> {
    origin: &'o Origin,
    sink: &'s mut dyn Sink,
    recognised: bool,
    /// Top-level fields besides the known arrays, to read a single pretty-printed Event.
    other: Vec<(String, Box<RawValue>)>,
}

impl<'o, 's> Envelope<'o, 's> {
    fn new(origin: &'o Origin, sink: &'s mut dyn Sink) -> Self {
        Envelope {
            origin,
            sink,
            recognised: false,
            other: Vec::new(),
        }
    }

    fn item(&mut self, items: Items, index: usize, raw: &RawValue) {
        let index = Some(index);
        match items {
            Items::Events => handle_text(raw.get(), self.origin, index, self.sink),
            Items::Records => match serde_json::from_str::<CloudTrailRecord<'_>>(raw.get()) {
                Ok(record) => self.sink.cloudtrail(&record, self.origin),
                Err(error) => problem(
                    self.sink,
                    self.origin,
                    Item(index),
                    format!("not a CloudTrail record: {error}"),
                ),
            },
            Items::Messages => {
                #[derive(Deserialize)]
                struct Message<'a> {
                    #[serde(borrow)]
                    message: Cow<'a, str>,
                }
                match serde_json::from_str::<Message<'_>>(raw.get()) {
                    Ok(message) => handle_text(&message.message, self.origin, index, self.sink),
                    Err(error) => problem(
                        self.sink,
                        self.origin,
                        Item(index),
                        format!("not a CloudWatch Logs event: {error}"),
                    ),
                }
            }
        }
    }
}

impl<'de> Visitor<'de> for &mut Envelope<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an audit event document, a CloudTrail file or a CloudWatch Logs export")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen_items = false;
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            let items = match &*key {
                "items" => Some(Items::Events),
                "Records" => Some(Items::Records),
                "events" | "logEvents" => Some(Items::Messages),
                _ => None,
            };
            match items {
                Some(items) => {
                    seen_items = true;
                    self.recognised = true;
                    map.next_value_seed(Stream {
                        envelope: &mut *self,
                        items,
                    })?;
                }
                None if seen_items => {
                    map.next_value::<IgnoredAny>()?;
                }
                None => {
                    let value: Box<RawValue> = map.next_value()?;
                    self.other.push((key.into_owned(), value));
                }
            }
        }
        if !seen_items && self.other.iter().any(|(key, _)| key == "kind") {
            // A single event, pretty-printed: put it back together and read it as one.
            let mut text = String::from("{");
            for (index, (key, value)) in self.other.iter().enumerate() {
                if index > 0 {
                    text.push(',');
                }
                text.push_str(&serde_json::to_string(key).unwrap_or_default());
                text.push(':');
                text.push_str(value.get());
            }
            text.push('}');
            if let Ok(event) = AuditEvent::parse(&text) {
                self.recognised = true;
                self.sink.audit(&event, self.origin);
            }
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.recognised = true;
        let mut index = 0;
        while let Some(raw) = seq.next_element::<Box<RawValue>>()? {
            self.item(Items::Events, index, &raw);
            index += 1;
        }
        Ok(())
    }
}

/// Streams the elements of one array.
struct Stream<'e, 'o, 's> {
    envelope: &'e mut Envelope<'o, 's>,
    items: Items,
}

impl<'de> DeserializeSeed<'de> for Stream<'_, '_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Stream<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0;
        while let Some(raw) = seq.next_element::<Box<RawValue>>()? {
            self.envelope.item(self.items, index, &raw);
            index += 1;
        }
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
}
