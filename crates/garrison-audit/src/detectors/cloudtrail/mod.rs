//! Detectors over CloudTrail records of the EKS API (`eventSource: eks.amazonaws.com`), one
//! file per detector. Only successful calls are reported.

use serde_json::Value;

pub mod access_entry_cluster_admin;
pub mod authentication_mode_changed;
pub mod encryption_config_changed;
pub mod logging_disabled;
pub mod public_endpoint_enabled;

/// The string at `pointer`, or "".
pub(crate) fn text<'v>(value: &'v Value, pointer: &str) -> &'v str {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// Undoes the URL encoding CloudTrail applies to path parameters (`arn%3Aaws%3Aiam…`).
pub(crate) fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let escape = bytes[index] == b'%'
            && index + 2 < bytes.len()
            && bytes[index + 1].is_ascii_hexdigit()
            && bytes[index + 2].is_ascii_hexdigit();
        // Both digits are ASCII, so the slice is on character boundaries.
        if let Some(byte) = escape
            .then(|| u8::from_str_radix(&text[index + 1..index + 3], 16).ok())
            .flatten()
        {
            out.push(byte);
            index += 3;
            continue;
        }
        out.push(bytes[index]);
        index += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::decode;

    #[test]
    fn decodes_percent_escapes() {
        assert_eq!(
            decode("arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2FAdmin"),
            "arn:aws:iam::123456789012:role/Admin"
        );
        assert_eq!(decode("plain%zz%4"), "plain%zz%4");
    }
}
