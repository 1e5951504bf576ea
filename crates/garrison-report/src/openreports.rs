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

/// One report: its metadata, summary and results.
fn report_object(flavour: Flavour, namespace: Option<&str>, findings: &[&Finding]) -> Value {
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
    metadata.insert(
        "name".to_string(),
        json!(match namespace {
            Some(namespace) => format!("garrison-{namespace}"),
            None => "garrison-cluster".to_string(),
        }),
    );
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
/// there are cluster-scoped findings), then one per namespace in name order.
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
        .map(|(namespace, findings)| report_object(flavour, *namespace, findings))
        .collect();
    let list = json!({"apiVersion": "v1", "kind": "List", "items": items});
    let mut text = serde_json::to_string_pretty(&list).unwrap_or_default();
    text.push('\n');
    text
}
