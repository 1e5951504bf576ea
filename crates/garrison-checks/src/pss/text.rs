//! The small string helpers upstream builds every detail with (`policy/helpers.go`), reproduced
//! byte for byte because admission messages are compared as text by people and by scripts.

use std::fmt::Write;

/// `pluralize(singular, plural, n)`: the singular form only when `n == 1` (zero is plural).
pub(crate) fn pluralize(
    singular: &'static str,
    plural: &'static str,
    count: usize,
) -> &'static str {
    if count == 1 { singular } else { plural }
}

/// Appends upstream's `joinQuote`: `"a", "b"`. Each item is wrapped in double quotes without
/// escaping anything inside it, so an item that already contains quotes (an AppArmor annotation
/// written `k="v"`) is quoted again verbatim.
pub(crate) fn push_join_quote<S: AsRef<str>>(out: &mut String, items: &[S]) {
    for (index, item) in items.iter().enumerate() {
        if index > 0 {
            out.push_str(", ");
        }
        out.push('"');
        out.push_str(item.as_ref());
        out.push('"');
    }
}

/// `noun "a", "b"`, e.g. `containers "a", "b"`: the setter phrase most details start with.
pub(crate) fn containers_phrase<S: AsRef<str>>(names: &[S]) -> String {
    let mut out =
        String::with_capacity(16 + names.iter().map(|s| s.as_ref().len() + 4).sum::<usize>());
    out.push_str(pluralize("container", "containers", names.len()));
    out.push(' ');
    push_join_quote(&mut out, names);
    out
}

/// Sorts and removes duplicates: Go's `sets.String.List()`, which sorts bytewise as `str` does.
pub(crate) fn sorted_set<T: Ord>(items: &mut Vec<T>) {
    items.sort_unstable();
    items.dedup();
}

/// Go's `%q` (`strconv.Quote`) of a string: the form upstream prints annotation values and the
/// API server prints object names in.
pub fn go_quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    push_go_quote(&mut out, text);
    out
}

pub(crate) fn push_go_quote(out: &mut String, text: &str) {
    out.push('"');
    for character in text.chars() {
        match character {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{07}' => out.push_str("\\a"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{0b}' => out.push_str("\\v"),
            printable if go_is_print(printable) => out.push(printable),
            // `write!` into a String cannot fail; the results are ignored rather than unwrapped.
            control if u32::from(control) < 0x80 => {
                let _ = write!(out, "\\x{:02x}", u32::from(control));
            }
            other if u32::from(other) < 0x1_0000 => {
                let _ = write!(out, "\\u{:04x}", u32::from(other));
            }
            other => {
                let _ = write!(out, "\\U{:08x}", u32::from(other));
            }
        }
    }
    out.push('"');
}

/// Go's `unicode.IsPrint`: graphic characters and the ASCII space. Rust has no Unicode category
/// tables in `std`, so this recognises what is *not* printable by the ranges that occur in
/// practice: controls, every space and separator but U+0020, format characters, private use and
/// noncharacters. Unassigned code points are the only difference from Go (Go escapes them).
fn go_is_print(character: char) -> bool {
    if character == ' ' {
        return true;
    }
    if character.is_control() || character.is_whitespace() {
        return false;
    }
    let code = u32::from(character);
    let format_or_private = matches!(
        code,
        0x00AD
            | 0x0600..=0x0605
            | 0x061C
            | 0x06DD
            | 0x070F
            | 0x0890..=0x0891
            | 0x08E2
            | 0x180E
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x2064
            | 0x2066..=0x206F
            | 0xE000..=0xF8FF
            | 0xFDD0..=0xFDEF
            | 0xFEFF
            | 0xFFF9..=0xFFFB
            | 0x110BD
            | 0x110CD
            | 0x13430..=0x1343F
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0001
            | 0xE0020..=0xE007F
            | 0xF0000..=0x10FFFF
    );
    // U+xFFFE and U+xFFFF of every plane are noncharacters.
    let noncharacter = code & 0xFFFE == 0xFFFE;
    !(format_or_private || noncharacter)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn join_quote(items: &[&str]) -> String {
        let mut out = String::new();
        push_join_quote(&mut out, items);
        out
    }

    #[test]
    fn join_quote_does_not_escape() {
        assert_eq!(join_quote(&["a", r#"k="v""#]), r#""a", "k="v"""#);
        assert_eq!(join_quote(&[]), "");
    }

    #[test]
    fn go_quote_matches_strconv_quote() {
        assert_eq!(go_quote("unconfined"), r#""unconfined""#);
        assert_eq!(go_quote(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(go_quote("tab\there\n"), r#""tab\there\n""#);
        assert_eq!(go_quote("\u{1}\u{7f}"), r#""\x01\x7f""#);
        assert_eq!(go_quote("é☃"), "\"é☃\"");
        assert_eq!(go_quote("\u{a0}\u{200b}"), r#""\u00a0\u200b""#);
        assert_eq!(go_quote("\u{10ffff}"), r#""\U0010ffff""#);
    }

    #[test]
    fn pluralize_is_singular_only_for_one() {
        assert_eq!(pluralize("volume", "volumes", 1), "volume");
        assert_eq!(pluralize("volume", "volumes", 0), "volumes");
        assert_eq!(pluralize("volume", "volumes", 2), "volumes");
    }
}
