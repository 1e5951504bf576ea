//! Label selectors: `matchLabels` and `matchExpressions`, ANDed, as the API server evaluates them.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

pub type Labels = BTreeMap<String, String>;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Requirement {
    Equals(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    DoesNotExist(String),
}

/// A label selector. The empty selector selects everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selector {
    requirements: Vec<Requirement>,
    /// netpol-analyzer's rendering: `k=v,...` for matchLabels (sorted by key), then each
    /// expression as `{Key:k,Operator:Op,Values:[a b],}` (sorted).
    text: String,
    /// Whether the selector has matchExpressions.
    has_expressions: bool,
}

impl Selector {
    /// The selector that selects everything (`{}`).
    pub fn everything() -> Selector {
        Selector::default()
    }

    /// Converts a `LabelSelector`; an unknown operator, or `In`/`NotIn` without values, is an error.
    pub fn from_label_selector(selector: &LabelSelector) -> Result<Selector, String> {
        let mut requirements = Vec::new();
        for (key, value) in selector.match_labels.iter().flatten() {
            requirements.push(Requirement::Equals(key.clone(), value.clone()));
        }
        for expression in selector.match_expressions.iter().flatten() {
            let key = expression.key.clone();
            let values = expression.values.clone().unwrap_or_default();
            let requirement = match expression.operator.as_str() {
                "In" | "NotIn" if values.is_empty() => {
                    return Err(format!(
                        "matchExpressions operator {} on key {key:?} needs at least one value",
                        expression.operator
                    ));
                }
                "In" => Requirement::In(key, values),
                "NotIn" => Requirement::NotIn(key, values),
                "Exists" | "DoesNotExist" if !values.is_empty() => {
                    return Err(format!(
                        "matchExpressions operator {} on key {key:?} takes no values",
                        expression.operator
                    ));
                }
                "Exists" => Requirement::Exists(key),
                "DoesNotExist" => Requirement::DoesNotExist(key),
                other => {
                    return Err(format!(
                        "matchExpressions has unknown operator {other:?} (In, NotIn, Exists, DoesNotExist)"
                    ));
                }
            };
            requirements.push(requirement);
        }
        let mut labels: Vec<String> = selector
            .match_labels
            .iter()
            .flatten()
            .map(|(key, value)| format!("{key}={value}"))
            .collect();
        labels.sort();
        let mut expressions: Vec<String> = selector
            .match_expressions
            .iter()
            .flatten()
            .map(|expression| {
                format!(
                    "{{Key:{},Operator:{},Values:[{}],}}",
                    expression.key,
                    expression.operator,
                    expression.values.clone().unwrap_or_default().join(" ")
                )
            })
            .collect();
        expressions.sort();
        let has_expressions = !expressions.is_empty();
        labels.extend(expressions);
        Ok(Selector {
            requirements,
            text: labels.join(","),
            has_expressions,
        })
    }

    /// The selector `{key: value}`.
    pub fn equals(key: &str, value: &str) -> Selector {
        Selector {
            requirements: vec![Requirement::Equals(key.to_string(), value.to_string())],
            text: format!("{key}={value}"),
            has_expressions: false,
        }
    }

    /// netpol-analyzer's text for the selector (empty for the empty selector).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Whether the selector has matchExpressions (not only matchLabels).
    pub fn has_expressions(&self) -> bool {
        self.has_expressions
    }

    /// The value the selector requires of `key` when that is its only requirement.
    pub fn only_equals(&self, key: &str) -> Option<&str> {
        match self.requirements.as_slice() {
            [Requirement::Equals(k, value)] if k == key => Some(value),
            _ => None,
        }
    }

    /// A canonical form: two selectors with the same requirements (in any order; `In` with one
    /// value the same as `=`) have the same key.
    pub fn canonical(&self) -> String {
        let mut parts: Vec<(String, String)> = self
            .requirements
            .iter()
            .map(|requirement| {
                let sorted = |values: &Vec<String>| {
                    let mut values = values.clone();
                    values.sort();
                    values.dedup();
                    values.join(",")
                };
                match requirement {
                    Requirement::Equals(key, value) => (key.clone(), format!("{key}={value}")),
                    Requirement::In(key, values) if values.len() == 1 => {
                        (key.clone(), format!("{key}={}", values[0]))
                    }
                    Requirement::In(key, values) => {
                        (key.clone(), format!("{key} in ({})", sorted(values)))
                    }
                    Requirement::NotIn(key, values) => {
                        (key.clone(), format!("{key} notin ({})", sorted(values)))
                    }
                    Requirement::Exists(key) => (key.clone(), key.clone()),
                    Requirement::DoesNotExist(key) => (key.clone(), format!("!{key}")),
                }
            })
            .collect();
        parts.sort();
        parts
            .into_iter()
            .map(|(_, text)| text)
            .collect::<Vec<_>>()
            .join(",")
    }

    pub fn is_everything(&self) -> bool {
        self.requirements.is_empty()
    }

    pub fn matches(&self, labels: &Labels) -> bool {
        self.requirements
            .iter()
            .all(|requirement| match requirement {
                Requirement::Equals(key, value) => labels.get(key) == Some(value),
                Requirement::In(key, values) => labels.get(key).is_some_and(|v| values.contains(v)),
                Requirement::NotIn(key, values) => {
                    labels.get(key).is_none_or(|v| !values.contains(v))
                }
                Requirement::Exists(key) => labels.contains_key(key),
                Requirement::DoesNotExist(key) => !labels.contains_key(key),
            })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn selector(json: serde_json::Value) -> Result<Selector, String> {
        let parsed: LabelSelector = serde_json::from_value(json).unwrap();
        Selector::from_label_selector(&parsed)
    }

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn operators() {
        let cases = [
            (serde_json::json!({}), &[("a", "1")][..], true),
            (
                serde_json::json!({"matchLabels": {"a": "1"}}),
                &[("a", "1")][..],
                true,
            ),
            (
                serde_json::json!({"matchLabels": {"a": "1"}}),
                &[("a", "2")][..],
                false,
            ),
            (
                serde_json::json!({"matchExpressions": [{"key": "a", "operator": "In", "values": ["1", "2"]}]}),
                &[("a", "2")][..],
                true,
            ),
            (
                serde_json::json!({"matchExpressions": [{"key": "a", "operator": "NotIn", "values": ["1"]}]}),
                &[][..],
                true,
            ),
            (
                serde_json::json!({"matchExpressions": [{"key": "a", "operator": "NotIn", "values": ["1"]}]}),
                &[("a", "1")][..],
                false,
            ),
            (
                serde_json::json!({"matchExpressions": [{"key": "a", "operator": "Exists"}]}),
                &[("b", "1")][..],
                false,
            ),
            (
                serde_json::json!({"matchExpressions": [{"key": "a", "operator": "DoesNotExist"}]}),
                &[("b", "1")][..],
                true,
            ),
            (
                serde_json::json!({"matchLabels": {"a": "1"}, "matchExpressions": [{"key": "b", "operator": "Exists"}]}),
                &[("a", "1")][..],
                false,
            ),
        ];
        for (json, pod, expected) in cases {
            let text = json.to_string();
            assert_eq!(
                selector(json).unwrap().matches(&labels(pod)),
                expected,
                "{text} on {pod:?}"
            );
        }
    }

    #[test]
    fn canonical_form_and_text() {
        let single_in = selector(serde_json::json!({"matchExpressions": [{"key": "app", "operator": "In", "values": ["x"]}]})).unwrap();
        let equals = selector(serde_json::json!({"matchLabels": {"app": "x"}})).unwrap();
        assert_eq!(single_in.canonical(), equals.canonical());
        let two = selector(serde_json::json!({"matchLabels": {"b": "2", "a": "1"}})).unwrap();
        let swapped = selector(serde_json::json!({"matchLabels": {"a": "1", "b": "2"}})).unwrap();
        assert_eq!(two.canonical(), swapped.canonical());
        assert_ne!(two.canonical(), equals.canonical());
        assert_eq!(two.text(), "a=1,b=2");
        let not_in = selector(serde_json::json!({
            "matchLabels": {"tier": "db"},
            "matchExpressions": [{"key": "env", "operator": "NotIn", "values": ["a", "b"]}]
        }))
        .unwrap();
        assert_eq!(
            not_in.text(),
            "tier=db,{Key:env,Operator:NotIn,Values:[a b],}"
        );
        assert!(not_in.has_expressions());
        assert_eq!(
            Selector::equals("kubernetes.io/metadata.name", "ns1")
                .only_equals("kubernetes.io/metadata.name"),
            Some("ns1")
        );
    }

    #[test]
    fn bad_operators_are_errors() {
        assert!(
            selector(serde_json::json!({"matchExpressions": [{"key": "a", "operator": "Equals", "values": ["1"]}]}))
                .is_err()
        );
        assert!(
            selector(serde_json::json!({"matchExpressions": [{"key": "a", "operator": "In"}]}))
                .is_err()
        );
    }
}
