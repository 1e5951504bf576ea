//! The namespaces admission judges by, read from `--namespaces`: files or directories of
//! Namespace objects (a `kubectl get namespaces -o json` list, manifests, or a cluster
//! snapshot). Pods found alongside are kept by namespace, for the warnings about existing pods
//! when a namespace's enforce label is tightened.
//!
//! There is no API server to ask here: a namespace created after the file was written is not
//! known, and is judged as a namespace without labels (by the configured defaults). The files
//! are re-read when they change.
//!
//! Served in a cluster, the namespaces come from a watch on the API server instead (`live`,
//! feature `kube`), and a namespace the watch has not seen is what it is to the built-in
//! plugin when its namespace lookup fails: [`lookup_failure`].

use std::collections::BTreeMap;

use garrison_checks::pss::go_quote;
use garrison_core::loader::load_text;
use garrison_core::{LoadOptions, Loaded, load_paths};
use k8s_openapi::api::core::v1::Pod;
use serde_json::Value;

use super::pod_security::{
    ERROR_ANNOTATION, IGNORED_POD_SUBRESOURCES, NamespaceMap, PodSecurity, template_resource,
};
use super::review::{Operation, Request, Status, StatusCause, StatusDetails, Verdict};

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct NamespacesError(pub String);

/// Reads the namespaces (and pods) of `paths`. A document that does not parse is an error, so
/// that a typo cannot silently drop a namespace's labels.
pub fn load(paths: &[String]) -> Result<NamespaceMap, NamespacesError> {
    if paths.is_empty() {
        return Ok(NamespaceMap::new());
    }
    let loaded = load_paths(paths, &LoadOptions::default());
    if let Some(input) = loaded.unreadable_inputs.first() {
        return Err(NamespacesError(format!("cannot read {input}")));
    }
    from_loaded(&loaded)
}

/// Reads the namespaces (and pods) of `text` as if read from a file called `name`.
pub fn parse(name: &str, text: &str) -> Result<NamespaceMap, NamespacesError> {
    from_loaded(&load_text(name, text))
}

fn from_loaded(loaded: &Loaded) -> Result<NamespaceMap, NamespacesError> {
    let mut map = NamespaceMap::new();
    if let Some(problem) = loaded
        .diagnostics
        .iter()
        .find(|d| d.level == garrison_core::DiagnosticLevel::Error)
    {
        return Err(NamespacesError(problem.to_string()));
    }
    for object in &loaded.objects {
        match (object.api_version.as_str(), object.kind.as_str()) {
            ("v1", "Namespace") => {
                let labels: BTreeMap<String, String> = object
                    .labels()
                    .into_iter()
                    .flatten()
                    .filter_map(|(key, value)| Some((key.clone(), value.as_str()?.to_string())))
                    .collect();
                map.entry(object.name.clone()).or_default().labels = labels;
            }
            ("v1", "Pod") => {
                let Some(namespace) = object.namespace.clone() else {
                    continue;
                };
                let pod: Pod =
                    serde_json::from_value(Value::clone(&object.value)).map_err(|error| {
                        NamespacesError(format!(
                            "{}:{}: Pod {namespace}/{}: {error}",
                            object.origin.file.name, object.origin.line, object.name
                        ))
                    })?;
                map.entry(namespace).or_default().pods.push(pod);
            }
            _ => {}
        }
    }
    Ok(map)
}

/// The files' names, sizes and modification times: a change in any means a reload.
pub fn fingerprint(paths: &[String]) -> Vec<(String, u64, Option<std::time::SystemTime>)> {
    let mut out = Vec::new();
    let mut stack: Vec<std::path::PathBuf> = paths.iter().map(std::path::PathBuf::from).collect();
    while let Some(path) = stack.pop() {
        let Ok(metadata) = std::fs::metadata(&path) else {
            continue;
        };
        if metadata.is_dir() {
            for entry in std::fs::read_dir(&path).into_iter().flatten().flatten() {
                stack.push(entry.path());
            }
        } else {
            out.push((
                path.display().to_string(),
                metadata.len(),
                metadata.modified().ok(),
            ));
        }
    }
    out.sort();
    out
}

/// The built-in plugin's answer when the request's namespace cannot be found (upstream's
/// `ValidatePod` and `ValidatePodController`), or `None` when the namespace is known or the
/// plugin would not look it up: operations other than create and update, ignored pod
/// subresources, workload subresources, exempt namespaces and users, and every other resource.
///
/// A pod is denied with 500 `InternalError` (`failed to lookup namespace "NAME"`); a workload
/// is allowed with the failure in the `error` audit annotation. Upstream's own webhook asks
/// the API server once more before failing; here the watch is the only source, so a namespace
/// it has not delivered yet (created a moment ago) fails the same way.
pub fn lookup_failure(
    pod_security: &PodSecurity,
    request: &Request,
    namespaces: &NamespaceMap,
) -> Option<Verdict> {
    let namespace = request.namespace.as_str();
    if !matches!(request.operation, Operation::Create | Operation::Update)
        || namespace.is_empty()
        || namespaces.contains_key(namespace)
    {
        return None;
    }
    let group = request.resource.group.as_str();
    let resource = request.resource.resource.as_str();
    let sub_resource = request.sub_resource.as_str();
    let pod = (group, resource) == ("", "pods");
    let judged = if pod {
        !IGNORED_POD_SUBRESOURCES.contains(&sub_resource)
    } else {
        template_resource(group, resource) && sub_resource.is_empty()
    };
    let exemptions = &pod_security.exemptions;
    let username = request.user_info.username.as_str();
    if !judged
        || exemptions.namespaces.iter().any(|n| n == namespace)
        || (!username.is_empty() && exemptions.usernames.iter().any(|u| u == username))
    {
        return None;
    }
    let quoted = go_quote(namespace);
    let failure = format!("failed to lookup namespace {quoted}");
    let cause = format!("namespaces {quoted} not found");
    if pod {
        let message = format!("Internal error occurred: {failure}");
        let mut status = Status::new(500, "InternalError", message.clone());
        status.details = Some(StatusDetails {
            name: String::new(),
            group: String::new(),
            kind: String::new(),
            causes: vec![StatusCause {
                reason: String::new(),
                message: failure,
                field: String::new(),
            }],
        });
        let mut verdict = Verdict::deny(status);
        verdict
            .audit_annotations
            .insert(ERROR_ANNOTATION.to_string(), format!("{message}: {cause}"));
        Some(verdict)
    } else {
        let mut verdict = Verdict::allow();
        verdict
            .audit_annotations
            .insert(ERROR_ANNOTATION.to_string(), format!("{failure}: {cause}"));
        Some(verdict)
    }
}
