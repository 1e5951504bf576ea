//! SDK output → the JSON the AWS CLI prints, which is what the snapshot model reads.
//!
//! The SDK's types are not serde. Each converter names the members it writes with the CLI's
//! spelling ([`cli!`]); absent members are left out rather than written as `null`, as the CLI
//! does, so that "not set" stays distinguishable from "false" or "empty".

use std::collections::HashMap;

use serde_json::Value;

/// A value as the CLI would print it.
pub trait ToJson {
    fn to_json(&self) -> Value;
}

impl ToJson for Value {
    fn to_json(&self) -> Value {
        self.clone()
    }
}

impl ToJson for String {
    fn to_json(&self) -> Value {
        Value::String(self.clone())
    }
}

impl ToJson for str {
    fn to_json(&self) -> Value {
        Value::String(self.to_string())
    }
}

impl ToJson for bool {
    fn to_json(&self) -> Value {
        Value::Bool(*self)
    }
}

impl ToJson for i32 {
    fn to_json(&self) -> Value {
        Value::from(*self)
    }
}

impl ToJson for i64 {
    fn to_json(&self) -> Value {
        Value::from(*self)
    }
}

impl ToJson for f64 {
    fn to_json(&self) -> Value {
        serde_json::Number::from_f64(*self).map_or(Value::Null, Value::Number)
    }
}

impl<T: ToJson + ?Sized> ToJson for &T {
    fn to_json(&self) -> Value {
        (**self).to_json()
    }
}

impl<T: ToJson> ToJson for Option<T> {
    fn to_json(&self) -> Value {
        self.as_ref().map_or(Value::Null, ToJson::to_json)
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn to_json(&self) -> Value {
        Value::Array(self.iter().map(ToJson::to_json).collect())
    }
}

impl<T: ToJson> ToJson for [T] {
    fn to_json(&self) -> Value {
        Value::Array(self.iter().map(ToJson::to_json).collect())
    }
}

impl ToJson for HashMap<String, String> {
    fn to_json(&self) -> Value {
        // Sorted, so that two collections of the same data are byte-identical.
        let sorted: std::collections::BTreeMap<&String, &String> = self.iter().collect();
        serde_json::to_value(sorted).unwrap_or(Value::Null)
    }
}

impl ToJson for aws_sdk_kms::primitives::DateTime {
    fn to_json(&self) -> Value {
        self.fmt(aws_sdk_kms::primitives::DateTimeFormat::DateTime)
            .map_or(Value::Null, Value::String)
    }
}

/// An SDK enum as its wire string.
pub fn text<T: AsRef<str>>(value: &Option<T>) -> Value {
    value.as_ref().map_or(Value::Null, |value| {
        Value::String(value.as_ref().to_string())
    })
}

/// A list of SDK enums as their wire strings.
pub fn texts<T: AsRef<str>>(values: &Option<Vec<T>>) -> Value {
    values.as_ref().map_or(Value::Null, |values| {
        Value::Array(
            values
                .iter()
                .map(|value| Value::String(value.as_ref().to_string()))
                .collect(),
        )
    })
}

/// A JSON object of the members whose values are present.
macro_rules! cli {
    ($($key:literal => $value:expr),* $(,)?) => {{
        #[allow(unused_mut)]
        let mut members = serde_json::Map::new();
        $(
            let value = $crate::aws::convert::ToJson::to_json(&$value);
            if !value.is_null() {
                members.insert($key.to_string(), value);
            }
        )*
        serde_json::Value::Object(members)
    }};
}
pub(crate) use cli;

/// Implements [`ToJson`] for SDK structs with [`cli!`].
macro_rules! to_json {
    ($($type:ty => |$this:ident| $body:expr;)*) => {
        $(
            impl $crate::aws::convert::ToJson for $type {
                fn to_json(&self) -> serde_json::Value {
                    let $this = self;
                    $body
                }
            }
        )*
    };
}
pub(crate) use to_json;

/// A required SDK enum as its wire string.
pub fn name<T: AsRef<str>>(value: &T) -> Value {
    Value::String(value.as_ref().to_string())
}
