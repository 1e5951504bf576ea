//! A streaming reader for Amazon VPC flow logs, one record at a time in constant memory.
//!
//! Recognised per input, from its content:
//! - records in the default format (version 2: `version account-id interface-id srcaddr dstaddr
//!   srcport dstport protocol packets bytes start end action log-status`), space separated, `-`
//!   for a value that does not apply;
//! - files as delivered to S3: a header line naming the fields of a custom format first (any
//!   subset and order of the documented fields), then the records;
//! - CloudWatch Logs: `aws logs filter-log-events` / `get-log-events` output (`events[].message`),
//!   a subscription payload (`logEvents[].message`), or an S3 export of a log group (each line a
//!   timestamp, a space, the record); these carry no header, so they are read in the default
//!   format unless another is given;
//! - any of these gzip-compressed (recognised by the magic bytes, not the file name).
//!
//! A record is split at the byte level without allocating; addresses are parsed into
//! [`IpAddr`]. A line that does not fit the format is reported with its file and line and
//! skipped; the rest of the input is still read.

use std::io::{self, BufRead, BufReader, Read};
use std::net::{IpAddr, Ipv4Addr};

use flate2::read::MultiGzDecoder;
use garrison_core::Diagnostic;
use garrison_core::inputs::Opened;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// The most fields a record may have (the documented fields number fewer than 50).
const MAX_FIELDS: usize = 64;

/// A field of a flow-log record, as the AWS documentation names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Version,
    AccountId,
    InterfaceId,
    SrcAddr,
    DstAddr,
    SrcPort,
    DstPort,
    Protocol,
    Packets,
    Bytes,
    Start,
    End,
    Action,
    LogStatus,
    VpcId,
    SubnetId,
    InstanceId,
    TcpFlags,
    Type,
    PktSrcAddr,
    PktDstAddr,
    FlowDirection,
    /// A documented field this analysis does not read (`region`, `az-id`, `traffic-path`, ...).
    Other,
}

/// Every documented field name (versions 2 to 8) and what the reader makes of it.
const FIELD_NAMES: &[(&str, Field)] = &[
    ("version", Field::Version),
    ("account-id", Field::AccountId),
    ("interface-id", Field::InterfaceId),
    ("srcaddr", Field::SrcAddr),
    ("dstaddr", Field::DstAddr),
    ("srcport", Field::SrcPort),
    ("dstport", Field::DstPort),
    ("protocol", Field::Protocol),
    ("packets", Field::Packets),
    ("bytes", Field::Bytes),
    ("start", Field::Start),
    ("end", Field::End),
    ("action", Field::Action),
    ("log-status", Field::LogStatus),
    ("vpc-id", Field::VpcId),
    ("subnet-id", Field::SubnetId),
    ("instance-id", Field::InstanceId),
    ("tcp-flags", Field::TcpFlags),
    ("type", Field::Type),
    ("pkt-srcaddr", Field::PktSrcAddr),
    ("pkt-dstaddr", Field::PktDstAddr),
    ("region", Field::Other),
    ("az-id", Field::Other),
    ("sublocation-type", Field::Other),
    ("sublocation-id", Field::Other),
    ("pkt-src-aws-service", Field::Other),
    ("pkt-dst-aws-service", Field::Other),
    ("flow-direction", Field::FlowDirection),
    ("traffic-path", Field::Other),
    ("ecs-cluster-arn", Field::Other),
    ("ecs-cluster-name", Field::Other),
    ("ecs-container-instance-arn", Field::Other),
    ("ecs-container-instance-id", Field::Other),
    ("ecs-container-id", Field::Other),
    ("ecs-second-container-id", Field::Other),
    ("ecs-service-name", Field::Other),
    ("ecs-task-definition-arn", Field::Other),
    ("ecs-task-arn", Field::Other),
    ("ecs-task-id", Field::Other),
    ("reject-reason", Field::Other),
];

/// The default format's fields, in order.
pub const DEFAULT_FORMAT: &str = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status";

fn field_named(name: &[u8]) -> Option<Field> {
    FIELD_NAMES
        .iter()
        .find(|(known, _)| known.as_bytes() == name)
        .map(|(_, field)| *field)
}

/// The layout of records: which field each column holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Format {
    columns: usize,
    /// Column of each field read, `NONE` when the format lacks it (indexed by `Field as usize`).
    position: [u8; FIELDS_READ],
    /// The field each column holds (`Field as u8`), `NONE` for a field not read.
    field_of: [u8; MAX_FIELDS],
    names: Vec<String>,
}

const FIELDS_READ: usize = Field::Other as usize;
const NONE: u8 = u8::MAX;

impl Default for Format {
    fn default() -> Format {
        // The default format is a constant list of known names.
        Format::parse(DEFAULT_FORMAT).unwrap_or_else(|_| Format {
            columns: 0,
            position: [NONE; FIELDS_READ],
            field_of: [NONE; MAX_FIELDS],
            names: Vec::new(),
        })
    }
}

impl Format {
    /// A format from a header line or a `--log-format` value: field names separated by spaces,
    /// each bare (`srcaddr`) or as in the AWS API (`${srcaddr}`).
    pub fn parse(text: &str) -> Result<Format, String> {
        let mut position = [NONE; FIELDS_READ];
        let mut field_of = [NONE; MAX_FIELDS];
        let mut names = Vec::new();
        for (column, token) in text.split_ascii_whitespace().enumerate() {
            let name = token
                .strip_prefix("${")
                .and_then(|name| name.strip_suffix('}'))
                .unwrap_or(token);
            let field = field_named(name.as_bytes())
                .ok_or_else(|| format!("{name:?} is not a VPC flow log field"))?;
            if column >= MAX_FIELDS {
                return Err(format!("more than {MAX_FIELDS} fields"));
            }
            if field != Field::Other {
                if position[field as usize] != NONE {
                    return Err(format!("field {name} is named twice"));
                }
                position[field as usize] = column as u8;
                field_of[column] = field as u8;
            }
            names.push(name.to_string());
        }
        if names.is_empty() {
            return Err("no fields".to_string());
        }
        let has_source = position[Field::SrcAddr as usize] != NONE
            || position[Field::PktSrcAddr as usize] != NONE;
        let has_destination = position[Field::DstAddr as usize] != NONE
            || position[Field::PktDstAddr as usize] != NONE;
        if !has_source || !has_destination {
            return Err(
                "the format needs srcaddr or pkt-srcaddr and dstaddr or pkt-dstaddr".to_string(),
            );
        }
        Ok(Format {
            columns: names.len(),
            position,
            field_of,
            names,
        })
    }

    /// Whether the format has `field`.
    pub fn has(&self, field: Field) -> bool {
        field != Field::Other && self.position[field as usize] != NONE
    }

    /// The field names, in column order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Splits and parses one record.
    pub fn record<'a>(&self, line: &'a [u8]) -> Result<FlowRecord<'a>, String> {
        // Only the fields read are kept; the others are counted.
        let mut values: [&[u8]; FIELDS_READ] = [&[]; FIELDS_READ];
        let mut count = 0;
        // Separators are found eight bytes at a time; a field lies between two of them.
        let mut next_start = 0;
        // Stores a field; true once there is one more than the format has.
        let mut emit = |from: usize, to: usize| -> bool {
            if count >= self.columns {
                count = self.columns + 1;
                return true;
            }
            let field = self.field_of[count];
            if field != NONE {
                values[usize::from(field)] = &line[from..to];
            }
            count += 1;
            false
        };
        'chunks: for (chunk_index, chunk) in line.chunks(8).enumerate() {
            let word = match <[u8; 8]>::try_from(chunk) {
                Ok(bytes) => u64::from_le_bytes(bytes),
                Err(_) => {
                    // The last few bytes of the line, zero-padded (zero is no separator).
                    let mut bytes = [0u8; 8];
                    for (slot, byte) in bytes.iter_mut().zip(chunk) {
                        *slot = *byte;
                    }
                    u64::from_le_bytes(bytes)
                }
            };
            let mut mask = separator_mask(word);
            while mask != 0 {
                let at = chunk_index * 8 + (mask.trailing_zeros() / 8) as usize;
                mask &= mask - 1;
                if at > next_start && emit(next_start, at) {
                    break 'chunks;
                }
                next_start = at + 1;
            }
        }
        if line.len() > next_start {
            emit(next_start, line.len());
        }
        if count != self.columns {
            return Err(format!(
                "{} fields where the format has {} ({})",
                if count > self.columns {
                    "more".to_string()
                } else {
                    count.to_string()
                },
                self.columns,
                self.names.join(" ")
            ));
        }
        let get = |field: Field| -> Option<&'a [u8]> {
            let column = self.position[field as usize];
            if column == NONE {
                return None;
            }
            let token = values[field as usize];
            (token != b"-").then_some(token)
        };
        Ok(FlowRecord {
            interface_id: get(Field::InterfaceId),
            srcaddr: address(get(Field::SrcAddr), "srcaddr")?,
            dstaddr: address(get(Field::DstAddr), "dstaddr")?,
            pkt_srcaddr: address(get(Field::PktSrcAddr), "pkt-srcaddr")?,
            pkt_dstaddr: address(get(Field::PktDstAddr), "pkt-dstaddr")?,
            srcport: number(get(Field::SrcPort), "srcport")?,
            dstport: number(get(Field::DstPort), "dstport")?,
            protocol: number(get(Field::Protocol), "protocol")?,
            packets: number(get(Field::Packets), "packets")?.unwrap_or(0),
            bytes: number(get(Field::Bytes), "bytes")?.unwrap_or(0),
            start: number(get(Field::Start), "start")?,
            end: number(get(Field::End), "end")?,
            tcp_flags: number(get(Field::TcpFlags), "tcp-flags")?,
            action: match get(Field::Action) {
                None => None,
                Some(b"ACCEPT") => Some(FlowAction::Accept),
                Some(b"REJECT") => Some(FlowAction::Reject),
                Some(other) => return Err(invalid("action", other, "ACCEPT or REJECT")),
            },
            log_status: match get(Field::LogStatus) {
                None => None,
                Some(b"OK") => Some(LogStatus::Ok),
                Some(b"NODATA") => Some(LogStatus::NoData),
                Some(b"SKIPDATA") => Some(LogStatus::SkipData),
                Some(other) => return Err(invalid("log-status", other, "OK, NODATA or SKIPDATA")),
            },
            flow_direction: match get(Field::FlowDirection) {
                None => None,
                Some(b"ingress") => Some(FlowDirection::Ingress),
                Some(b"egress") => Some(FlowDirection::Egress),
                Some(other) => return Err(invalid("flow-direction", other, "ingress or egress")),
            },
        })
    }
}

/// The high bit of each byte of `word` that is a space or a tab.
#[inline]
fn separator_mask(word: u64) -> u64 {
    const LOW: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const ONES: u64 = 0x0101_0101_0101_0101;
    // High bit of each byte that is zero, exactly (no borrow between bytes).
    let zero = |value: u64| !(((value & LOW) + LOW) | value | LOW);
    zero(word ^ (ONES * u64::from(b' '))) | zero(word ^ (ONES * u64::from(b'\t')))
}

#[cold]
fn invalid(field: &str, value: &[u8], expected: &str) -> String {
    format!(
        "field {field}: {:?} is not {expected}",
        String::from_utf8_lossy(value)
    )
}

#[inline]
fn number<T: TryFrom<u64>>(token: Option<&[u8]>, field: &str) -> Result<Option<T>, String> {
    let Some(token) = token else {
        return Ok(None);
    };
    let mut value: u64 = 0;
    if token.is_empty() || token.len() > 20 {
        return Err(invalid(field, token, "a number"));
    }
    if token.len() < 20 {
        // Nineteen digits cannot overflow a u64. The first eight (timestamps have ten) are
        // read at once.
        let mut rest = token;
        if let Some((head, tail)) = token.split_first_chunk::<8>() {
            value = digits8(u64::from_le_bytes(*head))
                .ok_or_else(|| invalid(field, token, "a number"))?;
            rest = tail;
        }
        for byte in rest {
            let digit = byte.wrapping_sub(b'0');
            if digit > 9 {
                return Err(invalid(field, token, "a number"));
            }
            value = value * 10 + u64::from(digit);
        }
        return T::try_from(value)
            .map(Some)
            .map_err(|_| invalid(field, token, "a number in range"));
    }
    for byte in token {
        let digit = byte.wrapping_sub(b'0');
        if digit > 9 {
            return Err(invalid(field, token, "a number"));
        }
        value = value
            .checked_mul(10)
            .and_then(|value| value.checked_add(u64::from(digit)))
            .ok_or_else(|| invalid(field, token, "a number in range"))?;
    }
    T::try_from(value)
        .map(Some)
        .map_err(|_| invalid(field, token, "a number in range"))
}

/// The value of eight ASCII digits in a little-endian word (the first digit in the lowest
/// byte), all eight at once; `None` if a byte is not a digit.
#[inline]
fn digits8(word: u64) -> Option<u64> {
    const HIGH: u64 = 0xF0F0_F0F0_F0F0_F0F0;
    // A byte is a digit when its high nibble is 3 and adding 6 leaves it 3 (no carry out of
    // the low nibble); a carry out of a byte only happens for a byte that is no digit.
    let check = (word & HIGH) | ((word.wrapping_add(0x0606_0606_0606_0606) & HIGH) >> 4);
    if check != 0x3333_3333_3333_3333 {
        return None;
    }
    let mut value = word.wrapping_sub(0x3030_3030_3030_3030);
    // Pairs, then fours, then all eight digits, each in the low half of its lane.
    value = (value.wrapping_mul(10).wrapping_add(value >> 8)) & 0x00FF_00FF_00FF_00FF;
    value = (value.wrapping_mul(100).wrapping_add(value >> 16)) & 0x0000_FFFF_0000_FFFF;
    value = (value.wrapping_mul(10_000).wrapping_add(value >> 32)) & 0xFFFF_FFFF;
    Some(value)
}

#[inline(always)]
fn address(token: Option<&[u8]>, field: &str) -> Result<Option<IpAddr>, String> {
    let Some(token) = token else {
        return Ok(None);
    };
    if let Some(v4) = parse_ipv4(token) {
        return Ok(Some(IpAddr::V4(v4)));
    }
    std::str::from_utf8(token)
        .ok()
        .filter(|text| text.contains(':'))
        .and_then(|text| text.parse::<IpAddr>().ok())
        .map(Some)
        .ok_or_else(|| invalid(field, token, "an IP address"))
}

/// Dotted-quad IPv4 without leading zeros beyond one digit per octet being allowed as written
/// by AWS (`10.0.1.5`).
#[inline]
fn parse_ipv4(token: &[u8]) -> Option<Ipv4Addr> {
    if token.len() < 7 || token.len() > 15 {
        return None;
    }
    let digit = |at: usize| {
        token
            .get(at)
            .map(|byte| byte.wrapping_sub(b'0'))
            .filter(|d| *d <= 9)
    };
    let mut octets = [0u8; 4];
    let mut at = 0;
    for (index, octet) in octets.iter_mut().enumerate() {
        if index > 0 {
            if token.get(at) != Some(&b'.') {
                return None;
            }
            at += 1;
        }
        // One to three digits.
        let mut value = u32::from(digit(at)?);
        at += 1;
        if let Some(next) = digit(at) {
            value = value * 10 + u32::from(next);
            at += 1;
            if let Some(next) = digit(at) {
                value = value * 10 + u32::from(next);
                at += 1;
            }
        }
        *octet = u8::try_from(value).ok()?;
    }
    (at == token.len()).then_some(Ipv4Addr::from(octets))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlowAction {
    Accept,
    Reject,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogStatus {
    Ok,
    /// No traffic on the interface during the aggregation interval.
    NoData,
    /// Records were skipped during the aggregation interval (capacity or internal error).
    SkipData,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FlowDirection {
    Ingress,
    Egress,
}

/// One record; borrowed from the line it was read from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlowRecord<'a> {
    pub interface_id: Option<&'a [u8]>,
    pub srcaddr: Option<IpAddr>,
    pub dstaddr: Option<IpAddr>,
    pub pkt_srcaddr: Option<IpAddr>,
    pub pkt_dstaddr: Option<IpAddr>,
    pub srcport: Option<u16>,
    pub dstport: Option<u16>,
    /// The IANA protocol number (6 TCP, 17 UDP, 132 SCTP, 1 ICMP).
    pub protocol: Option<u8>,
    pub packets: u64,
    pub bytes: u64,
    pub start: Option<u64>,
    pub end: Option<u64>,
    pub tcp_flags: Option<u16>,
    pub action: Option<FlowAction>,
    pub log_status: Option<LogStatus>,
    pub flow_direction: Option<FlowDirection>,
}

impl FlowRecord<'_> {
    /// The packet's own source: `pkt-srcaddr` when the format has it, else `srcaddr` (which
    /// shows an interface's primary address for traffic of its secondary addresses).
    pub fn source(&self) -> Option<IpAddr> {
        self.pkt_srcaddr.or(self.srcaddr)
    }

    /// The packet's own destination: `pkt-dstaddr`, else `dstaddr`.
    pub fn destination(&self) -> Option<IpAddr> {
        self.pkt_dstaddr.or(self.dstaddr)
    }
}

/// Where a record was read.
#[derive(Clone, Copy, Debug)]
pub struct Position<'a> {
    pub file: &'a str,
    /// The line of a text file, or the number of the event of a CloudWatch Logs document.
    pub line: u64,
    /// Whether `line` counts CloudWatch Logs events rather than lines.
    pub event: bool,
}

impl std::fmt::Display for Position<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.event {
            write!(f, "{} (event {})", self.file, self.line)
        } else {
            write!(f, "{}:{}", self.file, self.line)
        }
    }
}

/// What the reader hands each record and problem to.
pub trait Sink {
    fn record(&mut self, record: &FlowRecord<'_>, position: Position<'_>);
    fn problem(&mut self, diagnostic: Diagnostic);
}

/// Reads files, directories (recursively, in name order) and `-` for standard input. `format`
/// is the layout of records in inputs without a header line (the default format when `None`).
pub fn read_inputs(inputs: &[String], format: Option<&Format>, sink: &mut dyn Sink) {
    garrison_core::inputs::read_each(inputs, |opened| match opened {
        Opened::Input { name, reader, .. } => read_stream(name, reader, format, sink),
        Opened::Unreadable(diagnostic) => sink.problem(diagnostic),
    });
}

/// Reads one stream, plain or gzip.
pub fn read_stream(name: &str, input: impl Read, format: Option<&Format>, sink: &mut dyn Sink) {
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
        read_text(name, &mut inner, format, sink)
    } else {
        read_text(name, &mut reader, format, sink)
    };
    if let Err(error) = result {
        sink.problem(Diagnostic::error(
            name,
            None,
            format!("read failed: {error}"),
        ));
    }
}

/// Records as lines, unless the input is a CloudWatch Logs JSON document.
fn read_text(
    name: &str,
    reader: &mut dyn BufRead,
    format: Option<&Format>,
    sink: &mut dyn Sink,
) -> io::Result<()> {
    // The first byte that is not white space tells JSON from records.
    let json = loop {
        let buffer = reader.fill_buf()?;
        if buffer.is_empty() {
            return Ok(());
        }
        match buffer.iter().position(|byte| !byte.is_ascii_whitespace()) {
            Some(index) => {
                let json = matches!(buffer[index], b'{' | b'[');
                break json;
            }
            None => {
                let length = buffer.len();
                reader.consume(length);
            }
        }
    };
    let mut lines = Lines {
        file: name,
        format: format.cloned().unwrap_or_default(),
        sink,
    };
    if json {
        return read_cloudwatch(reader, &mut lines);
    }
    // Lines are handled where they lie in the reader's buffer; only a line that straddles two
    // fills of the buffer is copied.
    let mut partial: Vec<u8> = Vec::new();
    let mut number: u64 = 0;
    loop {
        let buffer = reader.fill_buf()?;
        if buffer.is_empty() {
            if !partial.is_empty() {
                number += 1;
                lines.handle(&partial, number, false);
            }
            return Ok(());
        }
        let mut done = 0;
        for end in memchr::memchr_iter(b'\n', buffer) {
            number += 1;
            if partial.is_empty() {
                lines.handle(&buffer[done..end], number, false);
            } else {
                partial.extend_from_slice(&buffer[done..end]);
                lines.handle(&partial, number, false);
                partial.clear();
            }
            done = end + 1;
        }
        partial.extend_from_slice(&buffer[done..]);
        let length = buffer.len();
        reader.consume(length);
    }
}

/// The state of one input's records: its format, and where problems go.
struct Lines<'s> {
    file: &'s str,
    /// The format of the records; a header line replaces it.
    format: Format,
    sink: &'s mut dyn Sink,
}

impl Lines<'_> {
    fn handle(&mut self, line: &[u8], number: u64, event: bool) {
        let line = line.trim_ascii();
        if line.is_empty() {
            return;
        }
        let position = Position {
            file: self.file,
            line: number,
            event,
        };
        // A header line: first in an S3 file, or again where files were concatenated.
        if line[0].is_ascii_lowercase()
            && let Some(first) = line.split(|byte| *byte == b' ').next()
            && field_named(first).is_some()
        {
            match std::str::from_utf8(line)
                .map_err(|_| "not UTF-8".to_string())
                .and_then(Format::parse)
            {
                Ok(format) => self.format = format,
                Err(error) => self.problem(position, &format!("header line: {error}")),
            }
            return;
        }
        let mut record_text = line;
        // A CloudWatch Logs S3 export line: "<ISO 8601 timestamp> <record>".
        if line.len() > 20
            && line[0].is_ascii_digit()
            && line[4] == b'-'
            && let Some(space) = line.iter().position(|byte| *byte == b' ')
            && line[..space].contains(&b'T')
        {
            record_text = line[space + 1..].trim_ascii_start();
        }
        match self.format.record(record_text) {
            Ok(record) => self.sink.record(&record, position),
            Err(error) => self.problem(position, &error),
        }
    }

    fn problem(&mut self, position: Position<'_>, message: &str) {
        let diagnostic = if position.event {
            Diagnostic::error(
                self.file,
                None,
                format!("event {}: {message}; skipped", position.line),
            )
        } else {
            Diagnostic::error(
                self.file,
                Some(u32::try_from(position.line).unwrap_or(u32::MAX)),
                format!("{message}; skipped"),
            )
        };
        self.sink.problem(diagnostic);
    }
}

/// Streams a CloudWatch Logs document: `{"events": [...]}` (filter-log-events, get-log-events),
/// `{"logEvents": [...]}` (a subscription payload), an array of events or of such documents;
/// several documents may follow one another (pages of output appended to one file).
fn read_cloudwatch(reader: &mut dyn BufRead, lines: &mut Lines<'_>) -> io::Result<()> {
    let mut deserializer = serde_json::Deserializer::from_reader(reader);
    let mut count: u64 = 0;
    loop {
        if deserializer.end().is_ok() {
            return Ok(());
        }
        let seed = Document {
            lines: &mut *lines,
            count: &mut count,
        };
        if let Err(error) = seed.deserialize(&mut deserializer) {
            let file = lines.file;
            lines.sink.problem(Diagnostic::error(
                file,
                u32::try_from(error.line()).ok(),
                format!("not a CloudWatch Logs document: {error}; the rest of the file is skipped"),
            ));
            return Ok(());
        }
    }
}

/// A document, an array of documents, or an array of events.
struct Document<'l, 's> {
    lines: &'l mut Lines<'s>,
    count: &'l mut u64,
}

impl<'de> DeserializeSeed<'de> for Document<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Document<'_, '_> {
    type Value = ();

    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("a CloudWatch Logs document with events")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq
            .next_element_seed(Document {
                lines: &mut *self.lines,
                count: &mut *self.count,
            })?
            .is_some()
        {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match key.as_ref() {
                "events" | "logEvents" => map.next_value_seed(Document {
                    lines: &mut *self.lines,
                    count: &mut *self.count,
                })?,
                "message" => {
                    // An event: its message is one record.
                    let message: std::borrow::Cow<'de, str> = map.next_value()?;
                    *self.count += 1;
                    self.lines.handle(message.as_bytes(), *self.count, true);
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// A deterministic xorshift sequence.
    fn random(seed: u64) -> impl FnMut() -> u64 {
        let mut state = seed;
        move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        }
    }

    #[test]
    fn ipv4_parser_rejects_what_is_not_an_address() {
        assert_eq!(parse_ipv4(b"10.0.1.5"), Some(Ipv4Addr::new(10, 0, 1, 5)));
        assert_eq!(parse_ipv4(b"255.255.255.255"), Some(Ipv4Addr::BROADCAST));
        assert_eq!(parse_ipv4(b"0.0.0.0"), Some(Ipv4Addr::UNSPECIFIED));
        let mut next = random(0x9e37_79b9);
        for _ in 0..5_000 {
            let word = next() as u32;
            let address = Ipv4Addr::from(word >> (word % 32));
            assert_eq!(parse_ipv4(address.to_string().as_bytes()), Some(address));
        }
        // Leading zeros, as before: up to three digits an octet.
        assert_eq!(parse_ipv4(b"010.0.1.5"), Some(Ipv4Addr::new(10, 0, 1, 5)));
        for bad in [
            &b"256.0.0.1"[..],
            b"1.2.3",
            b"1.2.3.4.5",
            b"1..2.3",
            b"1.2.3.",
            b"a.b.c.d",
            b"1234.1.1.1",
            b"",
            b"1.2.3.4 ",
            b"01.2.3.4x",
            b"1.2.3.4444",
            b"1.2.3.-4",
        ] {
            assert_eq!(parse_ipv4(bad), None, "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn numbers_of_every_width() {
        let mut values: Vec<u64> = vec![0, 9, 10, 12_345_678, 99_999_999, 100_000_000, u64::MAX];
        let mut next = random(0x2545_f491_4f6c_dd1d);
        for _ in 0..2_000 {
            let word = next();
            values.push(word >> (word % 64));
        }
        for value in values {
            let text = value.to_string();
            assert_eq!(number::<u64>(Some(text.as_bytes()), "x"), Ok(Some(value)));
            let padded = format!("000{text}");
            if padded.len() <= 20 {
                assert_eq!(number::<u64>(Some(padded.as_bytes()), "x"), Ok(Some(value)));
            }
        }
        for bad in [
            &b"1a"[..],
            b"1234567:",
            b"1234567/",
            b"12345678:",
            b"/2345678",
            b"+1",
        ] {
            assert!(number::<u64>(Some(bad), "x").is_err(), "{bad:?}");
        }
    }

    #[test]
    fn numbers_reject_overflow_and_signs() {
        assert_eq!(number::<u16>(Some(b"65535"), "x"), Ok(Some(65535)));
        assert!(number::<u16>(Some(b"65536"), "x").is_err());
        assert!(number::<u64>(Some(b"-1"), "x").is_err());
        assert!(number::<u64>(Some(b"99999999999999999999"), "x").is_err());
    }

    #[test]
    fn format_needs_addresses_and_known_names() {
        assert!(Format::parse("version srcaddr").is_err());
        assert!(Format::parse("srcaddr dstaddr nonsense").is_err());
        assert!(Format::parse("srcaddr dstaddr srcaddr").is_err());
        let format = Format::parse("${pkt-srcaddr} ${pkt-dstaddr} ${flow-direction}").unwrap();
        assert!(format.has(Field::FlowDirection));
        assert!(!format.has(Field::SrcAddr));
    }
}
