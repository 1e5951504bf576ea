//! Lines of JSON pointers in JSON text, by scanning bytes instead of parsing: findings name the
//! line of the offending field, and in a 100,000-object snapshot most workloads have some finding,
//! so this runs on the hot path of a scan.

/// The offset of the node at `pointer` (for a member, the offset of its key), or of its deepest
/// ancestor that exists.
fn offset_of(text: &[u8], pointer: &str) -> usize {
    let mut position = skip_whitespace(text, 0);
    let mut found = position;
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        let next = match text.get(position) {
            Some(b'{') => find_member(text, position, &segment),
            Some(b'[') => segment
                .parse::<usize>()
                .ok()
                .and_then(|index| find_element(text, position, index)),
            _ => None,
        };
        match next {
            Some((marker, value)) => {
                found = marker;
                position = value;
            }
            None => break,
        }
    }
    found
}

/// The 1-based line of the node at `pointer` in `text`.
pub(crate) fn line_of_pointer(text: &str, pointer: &str) -> u32 {
    let offset = offset_of(text.as_bytes(), pointer);
    crate::source::line_at(text, offset)
}

fn skip_whitespace(text: &[u8], mut position: usize) -> usize {
    while text
        .get(position)
        .is_some_and(|byte| byte.is_ascii_whitespace())
    {
        position += 1;
    }
    position
}

/// `position` is at an opening quote; returns the position after the closing one.
fn skip_string(text: &[u8], mut position: usize) -> usize {
    position += 1;
    while let Some(byte) = text.get(position) {
        match byte {
            b'\\' => position += 2,
            b'"' => return position + 1,
            _ => position += 1,
        }
    }
    position
}

fn skip_value(text: &[u8], position: usize) -> usize {
    match text.get(position) {
        Some(b'"') => skip_string(text, position),
        Some(b'{' | b'[') => {
            let mut depth = 0usize;
            let mut cursor = position;
            while let Some(byte) = text.get(cursor) {
                match byte {
                    b'"' => {
                        cursor = skip_string(text, cursor);
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return cursor + 1;
                        }
                    }
                    _ => {}
                }
                cursor += 1;
            }
            cursor
        }
        _ => {
            let mut cursor = position;
            while text.get(cursor).is_some_and(|byte| {
                !matches!(byte, b',' | b'}' | b']') && !byte.is_ascii_whitespace()
            }) {
                cursor += 1;
            }
            cursor
        }
    }
}

/// In the object at `position`, the member named `name`: (offset of its key, offset of its value).
fn find_member(text: &[u8], position: usize, name: &str) -> Option<(usize, usize)> {
    let mut cursor = skip_whitespace(text, position + 1);
    loop {
        if text.get(cursor) != Some(&b'"') {
            return None;
        }
        let key_start = cursor;
        let key_end = skip_string(text, cursor);
        let raw_key = text.get(key_start + 1..key_end.saturating_sub(1))?;
        let matches = if raw_key.contains(&b'\\') {
            std::str::from_utf8(text.get(key_start..key_end)?)
                .ok()
                .and_then(|quoted| serde_json::from_str::<String>(quoted).ok())
                .is_some_and(|key| key == name)
        } else {
            raw_key == name.as_bytes()
        };
        cursor = skip_whitespace(text, key_end);
        if text.get(cursor) != Some(&b':') {
            return None;
        }
        let value = skip_whitespace(text, cursor + 1);
        if matches {
            return Some((key_start, value));
        }
        cursor = skip_whitespace(text, skip_value(text, value));
        match text.get(cursor) {
            Some(b',') => cursor = skip_whitespace(text, cursor + 1),
            _ => return None,
        }
    }
}

/// In the array at `position`, element `index`: (its offset, its offset).
fn find_element(text: &[u8], position: usize, index: usize) -> Option<(usize, usize)> {
    let mut cursor = skip_whitespace(text, position + 1);
    for _ in 0..index {
        if matches!(text.get(cursor), Some(b']') | None) {
            return None;
        }
        cursor = skip_whitespace(text, skip_value(text, cursor));
        match text.get(cursor) {
            Some(b',') => cursor = skip_whitespace(text, cursor + 1),
            _ => return None,
        }
    }
    if matches!(text.get(cursor), Some(b']') | None) {
        return None;
    }
    Some((cursor, cursor))
}

#[cfg(test)]
mod tests {
    use super::line_of_pointer;

    #[test]
    fn finds_members_elements_and_nearest_ancestors() {
        let text = "{\n  \"kind\": \"Pod\",\n  \"spec\": {\n    \"containers\": [\n      {\"name\": \"a\"},\n      {\n        \"name\": \"b\",\n        \"securityContext\": {\"privileged\": true}\n      }\n    ],\n    \"a/b\": 1\n  }\n}";
        assert_eq!(line_of_pointer(text, "/kind"), 2);
        assert_eq!(
            line_of_pointer(text, "/spec/containers/1/securityContext/privileged"),
            8
        );
        assert_eq!(line_of_pointer(text, "/spec/containers/1/missing"), 6);
        assert_eq!(line_of_pointer(text, "/spec/containers/0"), 5);
        assert_eq!(line_of_pointer(text, "/spec/a~1b"), 11);
        assert_eq!(line_of_pointer(text, "/spec/containers/7"), 4);
    }

    #[test]
    fn survives_strings_with_brackets_and_escapes() {
        let text = "{\"a\": \"}]\\\"{\", \"b\": [1, \"x,]\", {\"c\": 2}],\n \"d\": 3}";
        assert_eq!(line_of_pointer(text, "/d"), 2);
        assert_eq!(line_of_pointer(text, "/b/2/c"), 1);
    }
}
