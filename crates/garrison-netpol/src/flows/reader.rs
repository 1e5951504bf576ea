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

/// What the record parser does with a column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot {
    /// A field the analysis does not read: only split off.
    Skip,
    InterfaceId,
    SrcAddr,
    DstAddr,
    PktSrcAddr,
    PktDstAddr,
    SrcPort,
    DstPort,
    Protocol,
    Packets,
    Bytes,
    Start,
    End,
    TcpFlags,
    Action,
    LogStatus,
    FlowDirection,
}

impl Slot {
    fn of(field: Field) -> Slot {
        match field {
            Field::InterfaceId => Slot::InterfaceId,
            Field::SrcAddr => Slot::SrcAddr,
            Field::DstAddr => Slot::DstAddr,
            Field::PktSrcAddr => Slot::PktSrcAddr,
            Field::PktDstAddr => Slot::PktDstAddr,
            Field::SrcPort => Slot::SrcPort,
            Field::DstPort => Slot::DstPort,
            Field::Protocol => Slot::Protocol,
            Field::Packets => Slot::Packets,
            Field::Bytes => Slot::Bytes,
            Field::Start => Slot::Start,
            Field::End => Slot::End,
            Field::TcpFlags => Slot::TcpFlags,
            Field::Action => Slot::Action,
            Field::LogStatus => Slot::LogStatus,
            Field::FlowDirection => Slot::FlowDirection,
            Field::Version
            | Field::AccountId
            | Field::VpcId
            | Field::SubnetId
            | Field::InstanceId
            | Field::Type
            | Field::Other => Slot::Skip,
        }
    }
}

/// The layout of records: which field each column holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Format {
    columns: usize,
    /// Column of each field read, `NONE` when the format lacks it (indexed by `Field as usize`).
    position: [u8; FIELDS_READ],
    /// What each column is parsed into.
    slots: [Slot; MAX_FIELDS],
    /// Whether the slots are those of the default format (parsed by a written-out path).
    default_layout: bool,
    names: Vec<String>,
}

/// Calls `$then!` with the slots of the default format's columns, in order: the one list both
/// `DEFAULT_SLOTS` and the written-out parser of that layout are made from.
macro_rules! with_default_slots {
    ($then:ident) => {
        $then!(
            Skip,
            Skip,
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
            LogStatus
        )
    };
}

macro_rules! slot_array {
    ($($slot:ident),*) => {
        [$(Slot::$slot),*]
    };
}

/// The slots of the default format's columns.
const DEFAULT_SLOTS: [Slot; 14] = with_default_slots!(slot_array);

const FIELDS_READ: usize = Field::Other as usize;
const NONE: u8 = u8::MAX;

impl Default for Format {
    fn default() -> Format {
        // The default format is a constant list of known names.
        Format::parse(DEFAULT_FORMAT).unwrap_or_else(|_| Format {
            columns: 0,
            position: [NONE; FIELDS_READ],
            slots: [Slot::Skip; MAX_FIELDS],
            default_layout: false,
            names: Vec::new(),
        })
    }
}

impl Format {
    /// A format from a header line or a `--log-format` value: field names separated by spaces,
    /// each bare (`srcaddr`) or as in the AWS API (`${srcaddr}`).
    pub fn parse(text: &str) -> Result<Format, String> {
        let mut position = [NONE; FIELDS_READ];
        let mut slots = [Slot::Skip; MAX_FIELDS];
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
                slots[column] = Slot::of(field);
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
            default_layout: slots.get(..names.len()) == Some(&DEFAULT_SLOTS[..]),
            slots,
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
        let mut padded = Padded::default();
        let mut record = FlowRecord::default();
        self.parse_into(line, padded.copy(line), &mut record)?;
        Ok(record)
    }

    /// Splits and parses one record into `record`, which must start empty, in one pass: each
    /// field is parsed where it lies as the line is split (numbers while their end is found),
    /// so nothing is read twice. `text` is the line followed by `PADDING` spaces (see
    /// [`Padded`]). Problems are described apart, after the fact.
    fn parse_into<'a>(
        &self,
        line: &'a [u8],
        text: &[u8],
        record: &mut FlowRecord<'a>,
    ) -> Result<(), String> {
        if self.default_layout {
            return self.parse_default(line, text, record);
        }
        let slots = self.slots.get(..self.columns).unwrap_or_default();
        let length = line.len();
        let mut at = skip_separators(text, length, 0);
        let mut column = 0;
        while at < length {
            let Some(slot) = slots.get(column) else {
                return Err(self.count_error(None));
            };
            let end = parse_slot(*slot, line, text, at, record);
            let Some(end) = end else {
                return Err(self.bad_field(text, length, at, column));
            };
            column += 1;
            // `end` is at a separator (or the end of the line).
            at = skip_separators(text, length, end + 1);
        }
        if column != self.columns {
            return Err(self.count_error(Some(column)));
        }
        Ok(())
    }

    /// `parse_into` for the default format's layout (most logs), written out field by field:
    /// the same steps without looking up each column's slot.
    fn parse_default<'a>(
        &self,
        line: &'a [u8],
        text: &[u8],
        record: &mut FlowRecord<'a>,
    ) -> Result<(), String> {
        let length = line.len();
        let mut at = skip_separators(text, length, 0);
        let mut column = 0;
        macro_rules! fields {
            ($($slot:ident),*) => {$(
                if at >= length {
                    return Err(self.count_error(Some(column)));
                }
                let Some(end) = parse_slot(Slot::$slot, line, text, at, record) else {
                    return Err(self.bad_field(text, length, at, column));
                };
                at = skip_separators(text, length, end + 1);
                column += 1;
            )*};
        }
        with_default_slots!(fields);
        debug_assert_eq!(column, DEFAULT_SLOTS.len());
        if at < length {
            return Err(self.count_error(None));
        }
        Ok(())
    }

    /// What is wrong with a line whose field `column`, at `at`, did not parse: its number of
    /// fields if that is wrong, else the field.
    #[cold]
    #[inline(never)]
    fn bad_field(&self, text: &[u8], length: usize, at: usize, column: usize) -> String {
        let mut count = column;
        let mut next = at;
        while next < length {
            count += 1;
            next = skip_separators(text, length, token_end(text, next) + 1);
        }
        if count != self.columns {
            return self.count_error(Some(count).filter(|count| *count < self.columns));
        }
        let token = text.get(at..token_end(text, at)).unwrap_or_default();
        let name = self.names.get(column).map_or("?", String::as_str);
        let slot = self.slots.get(column).copied().unwrap_or(Slot::Skip);
        let problem = match slot {
            Slot::SrcAddr | Slot::DstAddr | Slot::PktSrcAddr | Slot::PktDstAddr => {
                address(Some(token), name).err()
            }
            Slot::SrcPort | Slot::DstPort | Slot::TcpFlags => {
                number::<u16>(Some(token), name).err()
            }
            Slot::Protocol => number::<u8>(Some(token), name).err(),
            Slot::Packets | Slot::Bytes | Slot::Start | Slot::End => {
                number::<u64>(Some(token), name).err()
            }
            Slot::Action => Some(invalid(name, token, "ACCEPT or REJECT")),
            Slot::LogStatus => Some(invalid(name, token, "OK, NODATA or SKIPDATA")),
            Slot::FlowDirection => Some(invalid(name, token, "ingress or egress")),
            Slot::Skip | Slot::InterfaceId => None,
        };
        problem.unwrap_or_else(|| invalid(name, token, "valid"))
    }

    #[cold]
    fn count_error(&self, count: Option<usize>) -> String {
        format!(
            "{} fields where the format has {} ({})",
            match count {
                Some(count) => count.to_string(),
                None => "more".to_string(),
            },
            self.columns,
            self.names.join(" ")
        )
    }
}

/// Parses the field of `slot` starting at `at` into `record`; where it ends, `None` if it is
/// not a valid value.
#[inline(always)]
fn parse_slot<'a>(
    slot: Slot,
    line: &'a [u8],
    text: &[u8],
    at: usize,
    record: &mut FlowRecord<'a>,
) -> Option<usize> {
    match slot {
        Slot::Skip => Some(token_end(text, at)),
        Slot::InterfaceId => {
            let end = token_end(text, at);
            record.interface_id = present(line.get(at..end).unwrap_or_default());
            Some(end)
        }
        Slot::SrcAddr => address_at(text, at, &mut record.srcaddr),
        Slot::DstAddr => address_at(text, at, &mut record.dstaddr),
        Slot::PktSrcAddr => address_at(text, at, &mut record.pkt_srcaddr),
        Slot::PktDstAddr => address_at(text, at, &mut record.pkt_dstaddr),
        Slot::SrcPort => number_at(text, at, &mut record.srcport),
        Slot::DstPort => number_at(text, at, &mut record.dstport),
        Slot::Protocol => number_at(text, at, &mut record.protocol),
        Slot::Packets => number_at(text, at, &mut record.packets),
        Slot::Bytes => number_at(text, at, &mut record.bytes),
        Slot::Start => number_at(text, at, &mut record.start),
        Slot::End => number_at(text, at, &mut record.end),
        Slot::TcpFlags => number_at(text, at, &mut record.tcp_flags),
        Slot::Action => keyword_at(text, at, &mut record.action, FlowAction::parse),
        Slot::LogStatus => keyword_at(text, at, &mut record.log_status, LogStatus::parse),
        Slot::FlowDirection => {
            keyword_at(text, at, &mut record.flow_direction, FlowDirection::parse)
        }
    }
}

/// Spaces after the copy of a line: a word read from any position in the line (and the word
/// after it, for long numbers) lies inside the copy, and every field ends at a space.
const PADDING: usize = 16;

/// A reusable buffer holding a line followed by `PADDING` spaces, which the record parser
/// reads eight bytes at a time.
#[derive(Debug, Default)]
struct Padded(Vec<u8>);

impl Padded {
    fn copy(&mut self, line: &[u8]) -> &[u8] {
        self.0.clear();
        self.0.extend_from_slice(line);
        self.0.extend_from_slice(&[b' '; PADDING]);
        &self.0
    }
}

/// A token's value, `None` for `-` (a value that does not apply).
#[inline(always)]
fn present(token: &[u8]) -> Option<&[u8]> {
    (token != b"-").then_some(token)
}

/// The eight bytes of a padded line from `at` (within the line or right after the word that
/// ends it), as a little-endian word.
#[inline(always)]
fn word_at(text: &[u8], at: usize) -> u64 {
    match text.get(at..at + 8) {
        Some(&[a, b, c, d, e, f, g, h]) => u64::from_le_bytes([a, b, c, d, e, f, g, h]),
        // Past the padding: only spaces would follow.
        _ => u64::from_le_bytes([b' '; 8]),
    }
}

/// Where the field starting at `at` ends: the next separator (the padding has one).
#[inline(always)]
fn token_end(text: &[u8], mut at: usize) -> usize {
    loop {
        let word = word_at(text, at);
        // Candidates are the bytes up to a space (rare control bytes are checked and passed).
        let mut mask = at_most_space(word);
        while mask != 0 {
            let byte = mask.trailing_zeros() / 8;
            if is_separator(word >> (8 * byte)) {
                return at + byte as usize;
            }
            mask &= mask - 1;
        }
        at += 8;
    }
}

/// The start of the field after `at`, or `length` (the line's) if none.
#[inline(always)]
fn skip_separators(text: &[u8], length: usize, mut at: usize) -> usize {
    while at < length && matches!(text.get(at), Some(b' ' | b'\t')) {
        at += 1;
    }
    at
}

/// Parses the address starting at `at` into `slot`; where it ends, `None` if it is no address.
#[inline(always)]
fn address_at(text: &[u8], at: usize, slot: &mut Option<IpAddr>) -> Option<usize> {
    let end = token_end(text, at);
    *slot = match present(text.get(at..end)?) {
        None => None,
        Some(token) => Some(parse_address(token)?),
    };
    Some(end)
}

/// Parses a keyword field starting at `at` into `slot` with `parse`; where it ends, `None` if
/// it is not one of the keywords.
#[inline(always)]
fn keyword_at<T>(
    text: &[u8],
    at: usize,
    slot: &mut Option<T>,
    parse: impl FnOnce(&[u8]) -> Option<T>,
) -> Option<usize> {
    let end = token_end(text, at);
    *slot = match present(text.get(at..end)?) {
        None => None,
        Some(token) => Some(parse(token)?),
    };
    Some(end)
}

/// Where a parsed number goes: an optional field, or a count that is zero when absent.
trait NumberSlot {
    type Value: TryFrom<u64>;
    fn set(&mut self, value: Option<Self::Value>);
}

impl<T: TryFrom<u64>> NumberSlot for Option<T> {
    type Value = T;
    #[inline(always)]
    fn set(&mut self, value: Option<T>) {
        *self = value;
    }
}

impl NumberSlot for u64 {
    type Value = u64;
    #[inline(always)]
    fn set(&mut self, value: Option<u64>) {
        *self = value.unwrap_or(0);
    }
}

/// Powers of ten up to the eighth.
const TENS: [u64; 9] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
];

/// Parses the number starting at `at` into `slot`; where it ends, `None` if it is no number
/// or out of range. Up to sixteen digits are read a word at a time while their end is found;
/// longer numbers and `-` take the general path.
#[inline(always)]
fn number_at<S: NumberSlot>(text: &[u8], at: usize, slot: &mut S) -> Option<usize> {
    match short_number(text, at) {
        Some((value, end)) => {
            slot.set(Some(S::Value::try_from(value).ok()?));
            Some(end)
        }
        None => {
            let end = token_end(text, at);
            slot.set(number(present(text.get(at..end)?), "").ok()?);
            Some(end)
        }
    }
}

/// The number of one to sixteen digits at `at`, followed by a separator, and where it ends.
#[inline(always)]
fn short_number(text: &[u8], at: usize) -> Option<(u64, usize)> {
    let word = word_at(text, at);
    let others = non_digits(word);
    if others != 0 {
        let length = others.trailing_zeros() / 8;
        if length == 0 || !is_separator(word >> (8 * length)) {
            return None;
        }
        return Some((value8(right_align(word, length)), at + length as usize));
    }
    let second = word_at(text, at + 8);
    let others = non_digits(second);
    if others == 0 {
        return None;
    }
    let length = others.trailing_zeros() / 8;
    if !is_separator(second >> (8 * length)) {
        return None;
    }
    let head = value8(word);
    let value = match length {
        0 => head,
        _ => head * TENS[length as usize] + value8(right_align(second, length)),
    };
    Some((value, at + 8 + length as usize))
}

/// Whether the lowest byte of `word` is a space or a tab.
#[inline(always)]
fn is_separator(word: u64) -> bool {
    matches!(word as u8, b' ' | b'\t')
}

/// The high bit of each byte of `word` that is not an ASCII digit, exactly.
#[inline(always)]
fn non_digits(word: u64) -> u64 {
    const LOW: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Digits become 0 to 9; adding 118 to the low seven bits sets the high bit from 10 up,
    // and cannot carry into the next byte.
    let offset = word ^ 0x3030_3030_3030_3030;
    (((offset & LOW) + 0x7676_7676_7676_7676) | offset) & HIGH
}

/// The high bit of each byte of `word` that is at most a space (separators and control
/// bytes), exactly.
#[inline(always)]
fn at_most_space(word: u64) -> u64 {
    const LOW: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Adding 95 to the low seven bits sets the high bit from 0x21 up, without a carry out.
    !(((word & LOW) + 0x5f5f_5f5f_5f5f_5f5f) | word) & HIGH
}

/// The `length` (1 to 7) digits at the bottom of `word`, moved to the top with `0`s before
/// them: the eight-digit form of the same number.
#[inline(always)]
fn right_align(word: u64, length: u32) -> u64 {
    let shift = 8 * (8 - length);
    (word << shift) | (0x3030_3030_3030_3030u64 >> (64 - shift))
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
    (non_digits(word) == 0).then(|| value8(word))
}

/// The value of eight ASCII digits in a little-endian word, the first digit in the lowest
/// byte; the word must hold digits only.
#[inline(always)]
fn value8(word: u64) -> u64 {
    let mut value = word.wrapping_sub(0x3030_3030_3030_3030);
    // Pairs, then fours, then all eight digits, each in the low half of its lane.
    value = (value.wrapping_mul(10).wrapping_add(value >> 8)) & 0x00FF_00FF_00FF_00FF;
    value = (value.wrapping_mul(100).wrapping_add(value >> 16)) & 0x0000_FFFF_0000_FFFF;
    (value.wrapping_mul(10_000).wrapping_add(value >> 32)) & 0xFFFF_FFFF
}

fn address(token: Option<&[u8]>, field: &str) -> Result<Option<IpAddr>, String> {
    let Some(token) = token else {
        return Ok(None);
    };
    parse_address(token)
        .map(Some)
        .ok_or_else(|| invalid(field, token, "an IP address"))
}

/// An IPv4 or IPv6 address as written in flow logs.
#[inline(always)]
fn parse_address(token: &[u8]) -> Option<IpAddr> {
    if let Some(v4) = parse_ipv4(token) {
        return Some(IpAddr::V4(v4));
    }
    parse_ipv6(token)
}

#[inline(never)]
fn parse_ipv6(token: &[u8]) -> Option<IpAddr> {
    std::str::from_utf8(token)
        .ok()
        .filter(|text| text.contains(':'))
        .and_then(|text| text.parse::<IpAddr>().ok())
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

impl FlowAction {
    fn parse(token: &[u8]) -> Option<FlowAction> {
        match token {
            b"ACCEPT" => Some(FlowAction::Accept),
            b"REJECT" => Some(FlowAction::Reject),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogStatus {
    Ok,
    /// No traffic on the interface during the aggregation interval.
    NoData,
    /// Records were skipped during the aggregation interval (capacity or internal error).
    SkipData,
}

impl LogStatus {
    fn parse(token: &[u8]) -> Option<LogStatus> {
        match token {
            b"OK" => Some(LogStatus::Ok),
            b"NODATA" => Some(LogStatus::NoData),
            b"SKIPDATA" => Some(LogStatus::SkipData),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FlowDirection {
    Ingress,
    Egress,
}

impl FlowDirection {
    fn parse(token: &[u8]) -> Option<FlowDirection> {
        match token {
            b"ingress" => Some(FlowDirection::Ingress),
            b"egress" => Some(FlowDirection::Egress),
            _ => None,
        }
    }
}

/// One record; borrowed from the line it was read from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
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
        padded: Padded::default(),
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
    /// The line being parsed, padded.
    padded: Padded,
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
        let mut record = FlowRecord::default();
        let text = self.padded.copy(record_text);
        match self.format.parse_into(record_text, text, &mut record) {
            Ok(()) => self.sink.record(&record, position),
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

    /// The record a line should give, by plain means: split at runs of spaces and tabs, each
    /// field read by the general parsers. `Err` holds the number of fields when it is wrong,
    /// `None` for a bad field.
    fn reference(format: &Format, line: &[u8]) -> Result<FlowRecord<'static>, Option<usize>> {
        let tokens: Vec<&[u8]> = line
            .split(|byte| matches!(byte, b' ' | b'\t'))
            .filter(|token| !token.is_empty())
            .collect();
        if tokens.len() != format.columns {
            return Err(Some(tokens.len()));
        }
        let mut record = FlowRecord::default();
        for (name, token) in format.names().iter().zip(tokens) {
            let value = (token != b"-").then_some(token);
            let field = field_named(name.as_bytes()).unwrap();
            let bad = |_| None;
            match field {
                Field::SrcAddr => record.srcaddr = address(value, name).map_err(bad)?,
                Field::DstAddr => record.dstaddr = address(value, name).map_err(bad)?,
                Field::PktSrcAddr => record.pkt_srcaddr = address(value, name).map_err(bad)?,
                Field::PktDstAddr => record.pkt_dstaddr = address(value, name).map_err(bad)?,
                Field::SrcPort => record.srcport = number(value, name).map_err(bad)?,
                Field::DstPort => record.dstport = number(value, name).map_err(bad)?,
                Field::Protocol => record.protocol = number(value, name).map_err(bad)?,
                Field::Packets => {
                    record.packets = number(value, name).map_err(bad)?.unwrap_or(0);
                }
                Field::Bytes => record.bytes = number(value, name).map_err(bad)?.unwrap_or(0),
                Field::Start => record.start = number(value, name).map_err(bad)?,
                Field::End => record.end = number(value, name).map_err(bad)?,
                Field::TcpFlags => record.tcp_flags = number(value, name).map_err(bad)?,
                Field::Action => {
                    record.action = value
                        .map(|v| FlowAction::parse(v).ok_or(None))
                        .transpose()?;
                }
                Field::LogStatus => {
                    record.log_status =
                        value.map(|v| LogStatus::parse(v).ok_or(None)).transpose()?;
                }
                Field::FlowDirection => {
                    record.flow_direction = value
                        .map(|v| FlowDirection::parse(v).ok_or(None))
                        .transpose()?;
                }
                // Compared apart (it borrows the line).
                Field::InterfaceId => {}
                _ => {}
            }
        }
        Ok(record)
    }

    #[test]
    fn one_pass_parser_agrees_with_splitting_and_the_general_parsers() {
        let formats = [
            Format::default(),
            Format::parse("srcaddr pkt-srcaddr dstaddr pkt-dstaddr srcport dstport protocol packets bytes start end tcp-flags action log-status flow-direction interface-id region").unwrap(),
            Format::parse("end start bytes packets dstaddr srcaddr").unwrap(),
        ];
        let mut next = random(0x5851_f42d_4c95_7f2d);
        let token = |next: &mut dyn FnMut() -> u64| -> Vec<u8> {
            let digits = |count: u64, next: &mut dyn FnMut() -> u64| -> Vec<u8> {
                (0..count).map(|_| b'0' + (next() % 10) as u8).collect()
            };
            match next() % 16 {
                // Numbers of every width, from one digit past a u64's twenty.
                0..=4 => {
                    let count = 1 + next() % 22;
                    digits(count, next)
                }
                5 => b"-".to_vec(),
                6..=8 => Ipv4Addr::from(next() as u32).to_string().into_bytes(),
                9 => format!("{:x}::{:x}", next() % 0xffff, next() % 0xffff).into_bytes(),
                10 => [
                    &b"ACCEPT"[..],
                    b"REJECT",
                    b"OK",
                    b"NODATA",
                    b"SKIPDATA",
                    b"ingress",
                    b"egress",
                ][(next() % 7) as usize]
                    .to_vec(),
                // Numbers with something after them, control bytes, other text.
                11 => {
                    let mut text = digits(1 + next() % 18, next);
                    text.push([b'a', b':', b'/', 0x01, b'.', b'\r'][(next() % 6) as usize]);
                    text
                }
                12 => {
                    let mut text = digits(1 + next() % 3, next);
                    text.push(0x0b);
                    text.extend(digits(1 + next() % 3, next));
                    text
                }
                13 => b"eni-0a1b2c3d4e5f60789".to_vec(),
                14 => format!(
                    "{}.{}.{}.{}x",
                    next() % 300,
                    next() % 300,
                    next() % 9,
                    next() % 9
                )
                .into_bytes(),
                _ => b"+1".to_vec(),
            }
        };
        // A token that fits the field, most of the time.
        let fitting = |name: &str, next: &mut dyn FnMut() -> u64| -> Vec<u8> {
            let digits = |count: u64, next: &mut dyn FnMut() -> u64| -> Vec<u8> {
                (0..count).map(|_| b'0' + (next() % 10) as u8).collect()
            };
            match name {
                "srcaddr" | "dstaddr" | "pkt-srcaddr" | "pkt-dstaddr" => {
                    Ipv4Addr::from(next() as u32).to_string().into_bytes()
                }
                "srcport" | "dstport" | "tcp-flags" => digits(1 + next() % 5, next),
                "protocol" => digits(1 + next() % 3, next),
                "packets" | "bytes" | "start" | "end" => digits(1 + next() % 20, next),
                "action" => b"ACCEPT".to_vec(),
                "log-status" => b"OK".to_vec(),
                "flow-direction" => b"egress".to_vec(),
                _ => b"eni-0a1b2c3d4e5f60789".to_vec(),
            }
        };
        let mut agreed = [0usize; 2];
        for round in 0..30_000 {
            let format = &formats[round % formats.len()];
            // Mostly the right number of fields, sometimes one more or one fewer.
            let count = match next() % 10 {
                0 => format.columns + 1,
                1 => format.columns.saturating_sub(1),
                _ => format.columns,
            };
            let mut line = Vec::new();
            if next().is_multiple_of(8) {
                line.push(b' ');
            }
            for index in 0..count {
                if index > 0 {
                    for _ in 0..1 + next() % 3 / 2 {
                        line.push(if next().is_multiple_of(8) {
                            b'\t'
                        } else {
                            b' '
                        });
                    }
                }
                let name = format.names().get(index).map_or("", String::as_str);
                if next().is_multiple_of(32) {
                    line.extend(token(&mut next));
                } else {
                    line.extend(fitting(name, &mut next));
                }
            }
            let expected = reference(format, &line);
            let parsed = format.record(&line);
            match (&expected, &parsed) {
                (Ok(want), Ok(got)) => {
                    let mut got = got.clone();
                    got.interface_id = None;
                    assert_eq!(&got, want, "{:?}", String::from_utf8_lossy(&line));
                    agreed[0] += 1;
                }
                (Err(Some(count)), Err(message)) => {
                    let said = if *count > format.columns {
                        "more".to_string()
                    } else {
                        count.to_string()
                    };
                    assert!(
                        message.starts_with(&format!(
                            "{said} fields where the format has {}",
                            format.columns
                        )),
                        "{message} for {:?}",
                        String::from_utf8_lossy(&line)
                    );
                    agreed[1] += 1;
                }
                (Err(None), Err(message)) => {
                    assert!(message.starts_with("field "), "{message}");
                    agreed[1] += 1;
                }
                _ => panic!(
                    "{:?}: expected {expected:?}, parsed {parsed:?}",
                    String::from_utf8_lossy(&line)
                ),
            }
        }
        // Both outcomes are exercised.
        assert!(agreed[0] > 1_000 && agreed[1] > 1_000, "{agreed:?}");
    }

    #[test]
    fn interface_ids_borrow_the_line_and_dashes_are_absent() {
        let format = Format::default();
        let line = b"2 123456789012 eni-0a1b2c3d 10.0.0.1 10.0.0.2 443 49152 6 10 840 1700000000 1700000060 ACCEPT OK";
        let record = format.record(line).unwrap();
        assert_eq!(record.interface_id, Some(&b"eni-0a1b2c3d"[..]));
        assert_eq!(record.srcport, Some(443));
        assert_eq!(record.end, Some(1_700_000_060));
        let line = b"2 123456789012 - - - - - - - - 1700000000 1700000060 - NODATA";
        let record = format.record(line).unwrap();
        assert_eq!(record.interface_id, None);
        assert_eq!(record.srcaddr, None);
        assert_eq!((record.packets, record.bytes), (0, 0));
        assert_eq!(record.log_status, Some(LogStatus::NoData));
        // A bad field is named; a wrong count wins over it.
        for (line, expected) in [
            (
                &b"2 1 eni-1 10.0.0.1 10.0.0.2 443 x 6 10 840 1 2 ACCEPT OK"[..],
                "field dstport: \"x\" is not a number",
            ),
            (
                b"2 1 eni-1 10.0.0.1 10.0.0.2 443 x 6 10 840 1 2 ACCEPT",
                "13 fields where the format has 14",
            ),
            (
                b"2 1 eni-1 10.0.0.1 10.0.0.2 443 80 6 10 840 1 2 ACCEPT OK 7",
                "more fields where the format has 14",
            ),
            (
                b"2 1 eni-1 10.0.0.1 10.0.0.2 70000 80 6 10 840 1 2 ACCEPT OK",
                "field srcport: \"70000\" is not a number in range",
            ),
        ] {
            let error = format.record(line).unwrap_err();
            assert!(error.starts_with(expected), "{error}");
        }
    }
}
