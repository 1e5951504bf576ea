//! Aggregated ClusterRoles: the label selectors of `aggregationRule.clusterRoleSelectors`, as
//! `metav1.LabelSelectorAsSelector` and the ClusterRole aggregation controller evaluate them.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

/// Whether `selector` selects an object with `labels`. `Err` for a selector the API server
/// cannot convert (an unknown operator, `In`/`NotIn` without values, `Exists`/`DoesNotExist`
/// with values); the aggregation controller then leaves the ClusterRole's rules as they are.
///
/// A selector with neither `matchLabels` nor `matchExpressions` selects every object.
pub fn selector_matches(
    selector: &LabelSelector,
    labels: &BTreeMap<String, String>,
) -> Result<bool, String> {
    let mut matches = true;
    for (key, value) in selector.match_labels.iter().flatten() {
        matches &= labels.get(key) == Some(value);
    }
    for expression in selector.match_expressions.iter().flatten() {
        let values = expression.values.as_deref().unwrap_or_default();
        let label = labels.get(&expression.key);
        let requirement = match expression.operator.as_str() {
            "In" | "NotIn" if values.is_empty() => {
                return Err(format!(
                    "operator {} on {:?} needs values",
                    expression.operator, expression.key
                ));
            }
            "Exists" | "DoesNotExist" if !values.is_empty() => {
                return Err(format!(
                    "operator {} on {:?} takes no values",
                    expression.operator, expression.key
                ));
            }
            "In" => label.is_some_and(|label| values.contains(label)),
            "NotIn" => label.is_none_or(|label| !values.contains(label)),
            "Exists" => label.is_some(),
            "DoesNotExist" => label.is_none(),
            other => return Err(format!("{other:?} is not a valid label selector operator")),
        };
        matches &= requirement;
    }
    Ok(matches)
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelectorRequirement;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn expression(key: &str, operator: &str, values: &[&str]) -> LabelSelectorRequirement {
        LabelSelectorRequirement {
            key: key.to_string(),
            operator: operator.to_string(),
            values: (!values.is_empty()).then(|| values.iter().map(|v| v.to_string()).collect()),
        }
    }

    #[test]
    fn empty_selector_selects_everything() {
        assert_eq!(
            selector_matches(&LabelSelector::default(), &labels(&[])),
            Ok(true)
        );
    }

    #[test]
    fn expressions() {
        let object = labels(&[("tier", "web"), ("team", "a")]);
        let select = |expressions: Vec<LabelSelectorRequirement>| {
            selector_matches(
                &LabelSelector {
                    match_expressions: Some(expressions),
                    ..LabelSelector::default()
                },
                &object,
            )
        };
        assert_eq!(
            select(vec![expression("tier", "In", &["web", "db"])]),
            Ok(true)
        );
        assert_eq!(
            select(vec![expression("tier", "NotIn", &["web"])]),
            Ok(false)
        );
        assert_eq!(
            select(vec![expression("absent", "NotIn", &["x"])]),
            Ok(true)
        );
        assert_eq!(select(vec![expression("team", "Exists", &[])]), Ok(true));
        assert_eq!(
            select(vec![expression("team", "DoesNotExist", &[])]),
            Ok(false)
        );
        assert!(select(vec![expression("team", "Exists", &["a"])]).is_err());
        assert!(select(vec![expression("team", "In", &[])]).is_err());
        assert!(select(vec![expression("team", "Equals", &["a"])]).is_err());
    }
}
