//! A fast walk over one JSON object: each key, then its value either stepped over (its text
//! kept, not parsed), read in place as a nested object or array, or handed to serde where it
//! stands. The audit reader uses it to pick the dozen fields detectors read out of events whose
//! bulk (`requestObject`, `responseObject`, `managedFields`) most detectors never look at: those
//! values are stepped over a word at a time instead of being parsed, and a request body is read
//! later, the same way, only if a detector asks (see `EventView::body`). Every byte of a line
//! is walked once (twice for a body a detector reads).
//!
//! Stepped-over values are checked for structure (strings closed, brackets balanced, top-level
//! literals and numbers spelled right, nothing but JSON's characters between tokens), not
//! parsed; the fields that are read are checked as serde_json would (types, duplicate fields).
//! A truncated or garbled line is still rejected.

/// Why the text is not a JSON object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanError {
    pub offset: usize,
    pub message: &'static str,
}

impl std::fmt::Display for ScanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at byte {}", self.message, self.offset)
    }
}

fn error<T>(offset: usize, message: &'static str) -> Result<T, ScanError> {
    Err(ScanError { offset, message })
}

/// The members of a JSON object, in order: the whole text's top level ([`Members::new`]) or
/// an object nested in it ([`Members::object`]). Either the whole member at a time
/// ([`Members::next`]) or the key first ([`Members::next_key`]) and then its value read one of
/// three ways: its text stepped over ([`Members::value`]), a nested object's members
/// ([`Members::object`], closed with [`Members::close`]), or handed to serde in place
/// ([`Members::deserialize`]); each value is walked once.
#[derive(Debug)]
pub struct Members<'a> {
    text: &'a str,
    /// Where the next key (or the closing brace) is; after [`Members::next_key`], where the
    /// value starts; once done, one past the closing brace.
    at: usize,
    done: bool,
    /// A nested object ends at its closing brace; the top level also checks that only
    /// whitespace follows.
    nested: bool,
    /// An array's elements ([`Members::array`], [`Members::next_element`]) rather than an
    /// object's members.
    array: bool,
}

fn skip_space(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() && matches!(bytes[at], b' ' | b'\n' | b'\r' | b'\t') {
        at += 1;
    }
    at
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Flags (high bit of the byte) the bytes of `word` equal to `byte`. The lowest flag is exact;
/// borrows may set flags above it, which callers never look at.
fn equal_bytes(word: u64, byte: u8) -> u64 {
    let value = word ^ (ONES * u64::from(byte));
    value.wrapping_sub(ONES) & !value & HIGHS
}

/// The end (one past the closing quote) of the string whose opening quote is at `at`. Most
/// strings of Kubernetes objects are short, so 8 bytes at a time (quote and backslash found
/// by bit tricks) beat calling a SIMD search per string.
#[inline(always)]
fn skip_string(bytes: &[u8], at: usize) -> Result<usize, ScanError> {
    let mut position = at + 1;
    while let Some(chunk) = bytes.get(position..position + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let word = u64::from_le_bytes(word);
        let quotes = equal_bytes(word, b'"');
        let backslashes = equal_bytes(word, b'\\');
        if quotes == 0 && backslashes == 0 {
            position += 8;
            continue;
        }
        let quote = quotes.trailing_zeros();
        let backslash = backslashes.trailing_zeros();
        if quote < backslash {
            return Ok(position + (quote / 8) as usize + 1);
        }
        // A backslash escapes the next byte (a `\uXXXX` escape's digits need no care).
        position += (backslash / 8) as usize + 2;
    }
    skip_string_end(bytes, at, position)
}

/// The last bytes of a string, fewer than 8 before the end of the text. Kept out of line so
/// that [`skip_string`]'s word loop is inlined where strings are stepped over.
#[inline(never)]
fn skip_string_end(bytes: &[u8], at: usize, mut position: usize) -> Result<usize, ScanError> {
    loop {
        let found = match memchr::memchr2(b'"', b'\\', bytes.get(position..).unwrap_or(&[])) {
            Some(index) => position + index,
            None => return error(at, "unterminated string"),
        };
        if bytes[found] == b'"' {
            return Ok(found + 1);
        }
        position = found + 2;
        if position > bytes.len() {
            return error(at, "unterminated string");
        }
    }
}

/// The end of the value that starts at `at` (no leading whitespace).
fn skip_value(bytes: &[u8], at: usize) -> Result<usize, ScanError> {
    match bytes.get(at) {
        Some(b'"') => skip_string(bytes, at),
        Some(b'{' | b'[') => skip_nested(bytes, at),
        Some(b't' | b'f' | b'n' | b'-' | b'0'..=b'9') => {
            let mut end = at;
            while end < bytes.len()
                && matches!(bytes[end], b'a'..=b'z' | b'0'..=b'9' | b'-' | b'+' | b'.' | b'E')
            {
                end += 1;
            }
            let token = &bytes[at..end];
            let valid = match token[0] {
                b't' => token == b"true",
                b'f' => token == b"false",
                b'n' => token == b"null",
                _ => token.iter().all(|b| !b.is_ascii_lowercase() || *b == b'e'),
            };
            if valid {
                Ok(end)
            } else {
                error(at, "invalid literal")
            }
        }
        Some(_) => error(at, "expected a value"),
        None => error(at, "unexpected end of input"),
    }
}

/// The end of the object or array that opens at `at`: brackets are counted outside strings,
/// and must match.
fn skip_nested(bytes: &[u8], at: usize) -> Result<usize, ScanError> {
    // A small stack of open brackets; nesting deeper than 128 is refused as serde_json does.
    let mut stack = [0u8; 128];
    let mut depth = 0usize;
    let mut position = at;
    while position < bytes.len() {
        match bytes[position] {
            b'"' => {
                position = skip_string(bytes, position)?;
                continue;
            }
            open @ (b'{' | b'[') => {
                if depth == stack.len() {
                    return error(position, "recursion limit exceeded");
                }
                stack[depth] = open;
                depth += 1;
            }
            close @ (b'}' | b']') => {
                let expected = if close == b'}' { b'{' } else { b'[' };
                if depth == 0 || stack[depth - 1] != expected {
                    return error(position, "mismatched bracket");
                }
                depth -= 1;
                if depth == 0 {
                    return Ok(position + 1);
                }
            }
            b' ' | b'\n' | b'\r' | b'\t' | b',' | b':' => {}
            b'a'..=b'z' | b'0'..=b'9' | b'-' | b'+' | b'.' | b'E' => {}
            _ => return error(position, "unexpected character"),
        }
        position += 1;
    }
    error(at, "unterminated object or array")
}

impl<'a> Members<'a> {
    /// The members of the object `text` (surrounding whitespace allowed).
    pub fn new(text: &'a str) -> Result<Members<'a>, ScanError> {
        let bytes = text.as_bytes();
        let at = skip_space(bytes, 0);
        if bytes.get(at) != Some(&b'{') {
            return error(at, "expected an object");
        }
        Ok(Members {
            text,
            at: at + 1,
            done: false,
            nested: false,
            array: false,
        })
    }

    /// The next member: the key's text between its quotes (escapes left as written) and the
    /// value's text. `Ok(None)` after the closing brace.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<Option<(&'a str, &'a str)>, ScanError> {
        match self.next_key()? {
            Some(key) => Ok(Some((key, self.value()?))),
            None => Ok(None),
        }
    }

    /// The next key (its text between the quotes, escapes left as written); its value must be
    /// read next. `Ok(None)` after the closing brace.
    pub fn next_key(&mut self) -> Result<Option<&'a str>, ScanError> {
        if self.done {
            return Ok(None);
        }
        let bytes = self.text.as_bytes();
        let mut at = skip_space(bytes, self.at);
        match bytes.get(at) {
            Some(b'}') => {
                self.done = true;
                self.at = at + 1;
                if !self.nested {
                    let rest = skip_space(bytes, at + 1);
                    if rest != bytes.len() {
                        return error(rest, "trailing characters");
                    }
                }
                return Ok(None);
            }
            Some(b'"') => {}
            Some(_) => return error(at, "expected a key"),
            None => return error(at, "unexpected end of input"),
        }
        let key_end = skip_string(bytes, at)?;
        let key = &self.text[at + 1..key_end - 1];
        at = skip_space(bytes, key_end);
        if bytes.get(at) != Some(&b':') {
            return error(at, "expected ':'");
        }
        self.at = skip_space(bytes, at + 1);
        Ok(Some(key))
    }

    /// The text of the value whose key was just read, stepped over.
    pub fn value(&mut self) -> Result<&'a str, ScanError> {
        let start = self.at;
        let end = skip_value(self.text.as_bytes(), start)?;
        self.after_value(end)?;
        Ok(&self.text[start..end])
    }

    /// Whether the value whose key was just read is `null`; it is then stepped over.
    pub fn null(&mut self) -> Result<bool, ScanError> {
        if self.text.as_bytes().get(self.at) != Some(&b'n') {
            return Ok(false);
        }
        // `n` starts no value but `null`; anything else is refused by the step over it.
        Ok(self.value()? == "null")
    }

    /// The members of the object that is the value whose key was just read. Read them all,
    /// then hand them back to [`Members::close`].
    pub fn object(&self) -> Result<Members<'a>, ScanError> {
        if self.text.as_bytes().get(self.at) != Some(&b'{') {
            return error(self.at, "expected an object");
        }
        Ok(Members {
            text: self.text,
            at: self.at + 1,
            done: false,
            nested: true,
            array: false,
        })
    }

    /// The elements of the array that is the value whose key (or element) was just reached:
    /// step from one to the next with [`Members::next_element`], read each with the methods
    /// that read a member's value, then hand the array back to [`Members::close`].
    pub fn array(&self) -> Result<Members<'a>, ScanError> {
        if self.text.as_bytes().get(self.at) != Some(&b'[') {
            return error(self.at, "expected an array");
        }
        Ok(Members {
            text: self.text,
            at: self.at + 1,
            done: false,
            nested: true,
            array: true,
        })
    }

    /// Whether the array has another element, which must then be read; `false` after the
    /// closing bracket.
    pub fn next_element(&mut self) -> Result<bool, ScanError> {
        if self.done {
            return Ok(false);
        }
        let bytes = self.text.as_bytes();
        let at = skip_space(bytes, self.at);
        if bytes.get(at) == Some(&b']') {
            self.done = true;
            self.at = at + 1;
            return Ok(false);
        }
        self.at = at;
        Ok(true)
    }

    /// Goes on after the nested object `inner`, whose members must all have been read.
    pub fn close(&mut self, inner: Members<'a>) -> Result<(), ScanError> {
        if !inner.done {
            return error(inner.at, "nested object not read to its end");
        }
        self.after_value(inner.at)
    }

    /// The value whose key was just read, deserialized by serde_json where it stands (strings
    /// without escapes borrowed from the text).
    pub fn deserialize<T: serde::Deserialize<'a>>(&mut self) -> Result<T, String> {
        let rest = &self.text[self.at..];
        let mut stream = serde_json::Deserializer::from_str(rest).into_iter::<T>();
        let value = match stream.next() {
            Some(Ok(value)) => value,
            Some(Err(error)) => return Err(error.to_string()),
            None => return Err("expected a value".to_string()),
        };
        let end = self.at + stream.byte_offset();
        self.after_value(end).map_err(|e| e.to_string())?;
        Ok(value)
    }

    /// After a value ending at `end`: a comma and another member (or element), or the closing
    /// brace (or bracket).
    fn after_value(&mut self, end: usize) -> Result<(), ScanError> {
        let bytes = self.text.as_bytes();
        let closing = if self.array { b']' } else { b'}' };
        let at = skip_space(bytes, end);
        match bytes.get(at) {
            Some(b',') => {
                let next = skip_space(bytes, at + 1);
                if bytes.get(next) == Some(&closing) {
                    return error(next, "trailing comma");
                }
                self.at = at + 1;
            }
            Some(&byte) if byte == closing => self.at = at,
            Some(_) if self.array => return error(at, "expected ',' or ']'"),
            Some(_) => return error(at, "expected ',' or '}'"),
            None => return error(at, "unexpected end of input"),
        }
        Ok(())
    }
}

/// Whether a string's text between its quotes has a backslash or a control character (which
/// serde_json refuses), looked for a word at a time.
fn needs_unescaping(bytes: &[u8]) -> bool {
    let flagged = |word: u64| {
        // Bytes below 0x20 (exact for "any": borrows start at a flagged byte) and backslashes.
        let below_space = word.wrapping_sub(ONES * 0x20) & !word & HIGHS;
        let backslash = word ^ (ONES * u64::from(b'\\'));
        below_space | (backslash.wrapping_sub(ONES) & !backslash & HIGHS) != 0
    };
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        if flagged(u64::from_le_bytes(word)) {
            return true;
        }
    }
    chunks.remainder().iter().any(|&b| b == b'\\' || b < 0x20)
}

/// A string value's text as a `Cow`: borrowed when it has no escapes, unescaped by serde_json
/// when it has. `Err` when the value is not a string.
pub fn string(value: &str) -> Result<std::borrow::Cow<'_, str>, String> {
    let bytes = value.as_bytes();
    if bytes.len() >= 2 && bytes[0] == b'"' && bytes[bytes.len() - 1] == b'"' {
        let inner = &value[1..value.len() - 1];
        if !needs_unescaping(inner.as_bytes()) {
            return Ok(std::borrow::Cow::Borrowed(inner));
        }
    }
    serde_json::from_str::<String>(value)
        .map(std::borrow::Cow::Owned)
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn members(text: &str) -> Result<Vec<(String, String)>, ScanError> {
        let mut members = Members::new(text)?;
        let mut all = Vec::new();
        while let Some((key, value)) = members.next()? {
            all.push((key.to_string(), value.to_string()));
        }
        Ok(all)
    }

    #[test]
    fn members_and_their_value_text() {
        let text = r#" { "a" : 1 , "b":{"x":[1,2,{"y":"}]\"{"}]},"c":"s\"t", "d":null,"e":-1.5e+3 ,"f":true} "#;
        let all = members(text).unwrap();
        assert_eq!(
            all,
            vec![
                ("a".into(), "1".into()),
                ("b".into(), r#"{"x":[1,2,{"y":"}]\"{"}]}"#.into()),
                ("c".into(), r#""s\"t""#.into()),
                ("d".into(), "null".into()),
                ("e".into(), "-1.5e+3".into()),
                ("f".into(), "true".into()),
            ]
        );
        assert_eq!(members("{}").unwrap(), vec![]);
    }

    /// `{"a": [...], "b": 2}` read with the cursor: the array's elements as text, then `b`.
    fn elements(text: &str) -> Result<(Vec<String>, String), ScanError> {
        let mut members = Members::new(text)?;
        assert_eq!(members.next_key()?, Some("a"));
        let mut array = members.array()?;
        let mut items = Vec::new();
        while array.next_element()? {
            items.push(array.value()?.to_string());
        }
        members.close(array)?;
        assert_eq!(members.next_key()?, Some("b"));
        let b = members.value()?.to_string();
        assert_eq!(members.next_key()?, None);
        Ok((items, b))
    }

    #[test]
    fn arrays_and_nested_objects_are_read_in_place() {
        assert_eq!(
            elements(r#"{"a": [ 1 , "x]" ,{"y":[]}, [2,3] ], "b": 2}"#).unwrap(),
            (
                vec![
                    "1".into(),
                    r#""x]""#.into(),
                    r#"{"y":[]}"#.into(),
                    "[2,3]".into()
                ],
                "2".into()
            )
        );
        assert_eq!(elements(r#"{"a":[],"b":2}"#).unwrap(), (vec![], "2".into()));
        for text in [
            r#"{"a":[1,],"b":2}"#,
            r#"{"a":[,1],"b":2}"#,
            r#"{"a":[1 2],"b":2}"#,
            r#"{"a":[1},"b":2}"#,
            r#"{"a":{},"b":2}"#,
        ] {
            assert!(elements(text).is_err(), "{text} was accepted");
        }
        let mut members = Members::new(r#"{"o": {"k": "v", "n": null}, "z": 1}"#).unwrap();
        assert_eq!(members.next_key().unwrap(), Some("o"));
        let mut inner = members.object().unwrap();
        assert_eq!(inner.next_key().unwrap(), Some("k"));
        assert_eq!(inner.value().unwrap(), r#""v""#);
        assert_eq!(inner.next_key().unwrap(), Some("n"));
        assert!(inner.null().unwrap());
        assert_eq!(inner.next_key().unwrap(), None);
        members.close(inner).unwrap();
        assert_eq!(members.next_key().unwrap(), Some("z"));
        assert_eq!(members.deserialize::<u32>().unwrap(), 1);
        assert_eq!(members.next_key().unwrap(), None);
    }

    #[test]
    fn broken_text_is_refused() {
        for text in [
            r#"{"a":1"#,
            r#"{"a":{"b":[1,2}}"#,
            r#"{"a":"open}"#,
            r#"{"a":1,}"#,
            r#"{"a" 1}"#,
            r#"{"a":1} x"#,
            r#"{"a":nul}"#,
            r#"{"a":{"b":@}}"#,
            r#"[1]"#,
            r#"{a:1}"#,
            "",
        ] {
            assert!(members(text).is_err(), "{text} was accepted");
        }
        let deep = format!("{{\"a\":{}{}}}", "[".repeat(200), "]".repeat(200));
        assert!(members(&deep).is_err());
    }

    #[test]
    fn strings_end_at_the_first_unescaped_quote() {
        for (text, end) in [
            (r#""""#, 2),
            (r#""abc" x"#, 5),
            (r#""abcdefghijklmnop" x"#, 18),
            (r#""abcdefg\"hij" x"#, 14),
            (r#""ab\"cdefghijk\\lmn\"o" x"#, 23),
        ] {
            assert_eq!(skip_string(text.as_bytes(), 0), Ok(end), "{text}");
        }
        assert!(skip_string(br#""abcdefghijklmnop"#, 0).is_err());
        assert!(skip_string(br#""abc"#, 0).is_err());
    }

    #[test]
    fn escapes_and_control_characters_are_found_anywhere() {
        assert!(!needs_unescaping(b""));
        assert!(!needs_unescaping(b"plain text of some length ~!/"));
        for at in 0..20 {
            for special in [b'\\', b'\n', 0x00, 0x1f] {
                let mut text = vec![b'a'; 20];
                text[at] = special;
                assert!(needs_unescaping(&text), "{special:#x} at {at}");
            }
            let mut text = vec![b'a'; 20];
            text[at] = 0x20;
            assert!(!needs_unescaping(&text));
            text[at] = 0xff;
            assert!(!needs_unescaping(&text));
        }
    }

    #[test]
    fn strings_borrow_unless_escaped() {
        assert!(matches!(
            string(r#""plain""#),
            Ok(std::borrow::Cow::Borrowed("plain"))
        ));
        assert_eq!(string(r#""a\nb\u0041""#).unwrap(), "a\nbA");
        assert!(string("0").is_err());
        assert!(string("null").is_err());
    }
}
