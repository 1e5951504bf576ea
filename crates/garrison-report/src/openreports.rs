//! Kubernetes policy reports: OpenReports (`openreports.io/v1alpha1` `Report` per namespace,
//! `ClusterReport` for cluster-scoped and AWS findings) and the older wg-policy shape
//! (`wgpolicyk8s.io/v1alpha2` `PolicyReport` / `ClusterPolicyReport`) that Kyverno still
//! publishes by default.
//!
//! The output is one JSON `v1` `List` whose items are the reports, which `kubectl apply -f`
//! (and `kubectl create -f`) accepts as it is.

use std::collections::BTreeMap;

use garrison_core::{Finding, Status};
use serde_json::{Map, Value, json};

use crate::Report;

/// Which custom resources to emit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavour {
    OpenReports,
    PolicyReport,
}

impl Flavour {
    fn api_version(self) -> &'static str {
        match self {
            Flavour::OpenReports => "openreports.io/v1alpha1",
            Flavour::PolicyReport => "wgpolicyk8s.io/v1alpha2",
        }
    }

    fn kind(self, namespaced: bool) -> &'static str {
        match (self, namespaced) {
            (Flavour::OpenReports, true) => "Report",
            (Flavour::OpenReports, false) => "ClusterReport",
            (Flavour::PolicyReport, true) => "PolicyReport",
            (Flavour::PolicyReport, false) => "ClusterPolicyReport",
        }
    }
}

/// The report `result` of a finding; a suppressed finding is skipped (with its reason in the
/// result's properties), whatever its status.
fn result(finding: &Finding) -> &'static str {
    if finding.suppressed.is_some() {
        return "skip";
    }
    match finding.status {
        Status::Fail => "fail",
        Status::Warn => "warn",
        Status::Unknown => "error",
        Status::Pass => "pass",
        Status::NotApplicable => "skip",
    }
}

fn report_result(finding: &Finding) -> Value {
    let meta = finding.check;
    let object = &finding.object;
    let mut resource = Map::new();
    resource.insert("kind".to_string(), json!(object.kind));
    resource.insert("name".to_string(), json!(object.name));
    if let Some(namespace) = &object.namespace {
        resource.insert("namespace".to_string(), json!(namespace));
    }
    let mut properties = BTreeMap::new();
    properties.insert("title", meta.title.to_string());
    properties.insert("level", meta.level.as_str().to_string());
    properties.insert("status", finding.status.as_str().to_string());
    if let Some(pointer) = &finding.pointer {
        properties.insert("pointer", pointer.clone());
    }
    if let Some(cis) = meta.cis {
        properties.insert("cis", cis.to_string());
    }
    if let Some(control) = meta.security_hub {
        properties.insert("securityHub", control.to_string());
    }
    if let Some(arn) = &object.arn {
        properties.insert("arn", arn.to_string());
    }
    if let Some(source) = &object.source {
        let location = match object.line {
            Some(line) => format!("{source}:{line}"),
            None => source.to_string(),
        };
        properties.insert("location", location);
    }
    if let Some(reason) = &finding.suppressed {
        properties.insert("suppressed", reason.clone());
    }
    json!({
        "source": "garrison",
        "policy": meta.id,
        "rule": meta.name,
        "category": meta.control.title(),
        "severity": meta.severity.as_str(),
        "result": result(finding),
        "scored": true,
        "resources": [resource],
        "message": finding.message,
        "properties": properties,
    })
}

/// The most results one report holds. The API server refuses objects over about 1.5 MiB (the
/// etcd request limit); a result is well under 1 KiB, so a namespace with more results is
/// split into `garrison-NS`, `garrison-NS-2`, …
pub const MAX_RESULTS: usize = 1000;

/// One report: its metadata, summary and results. `part` counts from 1.
fn report_object(
    flavour: Flavour,
    namespace: Option<&str>,
    part: usize,
    findings: &[&Finding],
) -> Value {
    let mut summary: BTreeMap<&str, usize> = ["pass", "fail", "warn", "error", "skip"]
        .into_iter()
        .map(|key| (key, 0))
        .collect();
    let results: Vec<Value> = findings
        .iter()
        .map(|finding| {
            *summary.entry(result(finding)).or_default() += 1;
            report_result(finding)
        })
        .collect();
    let mut metadata = Map::new();
    let base = match namespace {
        Some(namespace) => format!("garrison-{namespace}"),
        None => "garrison-cluster".to_string(),
    };
    let name = match part {
        1 => base,
        part => format!("{base}-{part}"),
    };
    metadata.insert("name".to_string(), json!(name));
    if let Some(namespace) = namespace {
        metadata.insert("namespace".to_string(), json!(namespace));
    }
    metadata.insert(
        "labels".to_string(),
        json!({"app.kubernetes.io/managed-by": "garrison"}),
    );
    let mut object = Map::new();
    object.insert("apiVersion".to_string(), json!(flavour.api_version()));
    object.insert("kind".to_string(), json!(flavour.kind(namespace.is_some())));
    object.insert("metadata".to_string(), Value::Object(metadata));
    if flavour == Flavour::OpenReports {
        object.insert("source".to_string(), json!("garrison"));
    }
    object.insert("summary".to_string(), json!(summary));
    object.insert("results".to_string(), json!(results));
    Value::Object(object)
}

/// Renders the findings a report lists as a `List` of reports: the cluster report first (when
/// there are cluster-scoped findings), then one per namespace in name order (several when it
/// has more than [`MAX_RESULTS`] results).
pub fn render(report: &Report<'_>, flavour: Flavour) -> String {
    let mut by_namespace: BTreeMap<Option<&str>, Vec<&Finding>> = BTreeMap::new();
    for finding in report.shown() {
        by_namespace
            .entry(finding.object.namespace.as_deref())
            .or_default()
            .push(finding);
    }
    let items: Vec<Value> = by_namespace
        .iter()
        .flat_map(|(namespace, findings)| {
            findings
                .chunks(MAX_RESULTS)
                .enumerate()
                .map(|(index, chunk)| report_object(flavour, *namespace, index + 1, chunk))
        })
        .collect();
    let list = json!({"apiVersion": "v1", "kind": "List", "items": items});
    let mut text = serde_json::to_string_pretty(&list).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::sync::Arc;

    use garrison_core::{CheckMeta, Level, ObjectRef, SeedControl, Severity};

    use super::*;

    static META: CheckMeta = CheckMeta {
        id: "TEST-001",
        name: "test-check",
        title: "A test check",
        severity: Severity::High,
        level: Level::Application,
        control: SeedControl::PodSecurity,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Fix it.",
        doc: "",
    };

    fn finding(namespace: Option<&str>, index: usize) -> Finding {
        Finding {
            check: &META,
            status: Status::Fail,
            object: ObjectRef {
                kind: Arc::from("Deployment"),
                namespace: namespace.map(Arc::from),
                name: Arc::from(format!("app-{index}").as_str()),
                arn: None,
                source: None,
                line: None,
            },
            pointer: None,
            message: "bad".to_string(),
            suppressed: None,
        }
    }

    #[test]
    fn a_large_namespace_is_split_into_reports_the_api_server_accepts() {
        let mut findings: Vec<Finding> = (0..MAX_RESULTS * 2 + 1)
            .map(|index| finding(Some("big"), index))
            .collect();
        findings.push(finding(None, 0));
        let report = Report {
            tool_version: "0",
            findings: &findings,
            diagnostics: &[],
            objects: 0,
            files: 0,
            cluster_arn: None,
            show_suppressed: false,
            include_passed: false,
            passes_not_listed: (0, 0),
            recorded_summary: None,
            asff: None,
            benchmark: None,
        };
        let list: Value = serde_json::from_str(&render(&report, Flavour::OpenReports)).unwrap();
        let items = list["items"].as_array().unwrap();
        let names: Vec<&str> = items
            .iter()
            .map(|item| item["metadata"]["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "garrison-cluster",
                "garrison-big",
                "garrison-big-2",
                "garrison-big-3"
            ]
        );
        let sizes: Vec<u64> = items
            .iter()
            .map(|item| item["summary"]["fail"].as_u64().unwrap())
            .collect();
        assert_eq!(sizes, [1, MAX_RESULTS as u64, MAX_RESULTS as u64, 1]);
        for item in items {
            assert!(serde_json::to_vec(item).unwrap().len() < 1024 * 1024);
        }
    }
}
