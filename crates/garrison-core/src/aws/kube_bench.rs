//! kube-bench's report for one node: `kube-bench run --targets node --json`, stored as
//! `kube-bench/<node>.json`. File permissions and ownership on a node (CIS 3.1.x) cannot be read
//! from any API, so a kube-bench Job's output is the snapshot's source for them.
//!
//! kube-bench writes `{"Controls": [...], "Totals": {...}}`; releases before 0.6 wrote the bare
//! list of controls. Both are accepted, members it may omit are `Option`, unknown ones ignored.

use serde::Deserialize;

use super::list;

#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum KubeBenchReport {
    Wrapped {
        #[serde(rename = "Controls", default, deserialize_with = "list")]
        controls: Vec<KubeBenchControls>,
    },
    Bare(Vec<KubeBenchControls>),
}

/// One controls file's results (`node_type` `node` for the worker node section).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct KubeBenchControls {
    pub id: Option<String>,
    pub version: Option<String>,
    #[serde(default, deserialize_with = "list")]
    pub tests: Vec<KubeBenchGroup>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct KubeBenchGroup {
    pub section: Option<String>,
    #[serde(default, deserialize_with = "list")]
    pub results: Vec<KubeBenchResult>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct KubeBenchResult {
    /// The benchmark id: `3.1.1`.
    pub test_number: Option<String>,
    pub test_desc: Option<String>,
    /// `PASS`, `FAIL`, `WARN` or `INFO`.
    pub status: Option<String>,
    pub actual_value: Option<String>,
}

impl KubeBenchReport {
    /// Every result of the report with its JSON pointer, in report order.
    pub fn results(&self) -> Vec<(String, &KubeBenchResult)> {
        let (controls, prefix) = match self {
            KubeBenchReport::Wrapped { controls } => (controls, "/Controls"),
            KubeBenchReport::Bare(controls) => (controls, ""),
        };
        let mut found = Vec::new();
        for (c, control) in controls.iter().enumerate() {
            for (g, group) in control.tests.iter().enumerate() {
                for (r, result) in group.results.iter().enumerate() {
                    found.push((format!("{prefix}/{c}/tests/{g}/results/{r}"), result));
                }
            }
        }
        found
    }

    /// The result of benchmark test `number` (`3.1.1`), with its pointer.
    pub fn result(&self, number: &str) -> Option<(String, &KubeBenchResult)> {
        self.results()
            .into_iter()
            .find(|(_, result)| result.test_number.as_deref() == Some(number))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn result(number: &str, status: &str) -> serde_json::Value {
        serde_json::json!({"test_number": number, "status": status, "actual_value": "permissions=600"})
    }

    #[test]
    fn wrapped_and_bare_reports_are_read_alike() {
        let controls = serde_json::json!([{"id": "3", "node_type": "node",
            "tests": [{"section": "3.1", "results": [result("3.1.1", "PASS"), result("3.1.3", "FAIL")]}]}]);
        let wrapped: KubeBenchReport = serde_json::from_value(
            serde_json::json!({"Controls": controls.clone(), "Totals": {"total_fail": 1}}),
        )
        .unwrap();
        let bare: KubeBenchReport = serde_json::from_value(controls).unwrap();
        let (pointer, found) = wrapped.result("3.1.3").unwrap();
        assert_eq!(pointer, "/Controls/0/tests/0/results/1");
        assert_eq!(found.status.as_deref(), Some("FAIL"));
        let (pointer, found) = bare.result("3.1.3").unwrap();
        assert_eq!(pointer, "/0/tests/0/results/1");
        assert_eq!(found.status.as_deref(), Some("FAIL"));
        assert!(wrapped.result("3.1.2").is_none());
    }
}
