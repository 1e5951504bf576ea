//! A small reader of Kubernetes audit events (`audit.k8s.io/v1` `Event`), enough to turn each
//! request back into what the authorizer saw. Input is JSON lines (the API server's log
//! backend), an `EventList`, a JSON array or one event. Events of one request (its stages)
//! share an `auditID`; each request is taken once.

use std::collections::{BTreeMap, HashSet};

use serde::Deserialize;
use serde_json::Value;

use crate::request::{AccessRequest, ResourceRequest, Target, UserInfo};

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AuditUser {
    #[serde(default)]
    username: String,
    #[serde(default)]
    uid: Option<String>,
    #[serde(default)]
    groups: Vec<String>,
    #[serde(default)]
    extra: BTreeMap<String, Vec<String>>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ObjectReference {
    #[serde(default)]
    resource: String,
    #[serde(default)]
    namespace: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    api_group: String,
    #[serde(default)]
    api_version: String,
    #[serde(default)]
    subresource: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawEvent {
    #[serde(default, rename = "auditID")]
    audit_id: String,
    #[serde(default, rename = "requestURI")]
    request_uri: String,
    #[serde(default)]
    verb: String,
    #[serde(default)]
    user: AuditUser,
    #[serde(default)]
    impersonated_user: Option<AuditUser>,
    #[serde(default)]
    object_ref: Option<ObjectReference>,
    #[serde(default)]
    annotations: BTreeMap<String, String>,
}

/// One request of the audit log.
#[derive(Clone, Debug)]
pub struct AuditedRequest {
    pub audit_id: String,
    /// `file:line` (or `file:#index` for a list).
    pub location: String,
    /// The request as the authorizer saw it: as the impersonated user when there was one.
    pub request: AccessRequest,
    /// The cluster's own decision (`authorization.k8s.io/decision` annotation), if recorded.
    pub cluster_decision: Option<String>,
}

/// What a log holds: its requests, and the events that could not be read.
#[derive(Debug, Default)]
pub struct AuditLog {
    pub requests: Vec<AuditedRequest>,
    pub problems: Vec<String>,
}

fn user_info(user: AuditUser) -> UserInfo {
    UserInfo {
        name: user.username,
        uid: user.uid.filter(|uid| !uid.is_empty()),
        groups: user.groups,
        extra: user.extra,
    }
}

fn to_request(event: RawEvent) -> AccessRequest {
    let user = user_info(event.impersonated_user.unwrap_or(event.user));
    let target = match event.object_ref {
        Some(object) if !object.resource.is_empty() => Target::Resource(ResourceRequest {
            api_group: object.api_group,
            version: object.api_version,
            resource: object.resource,
            subresource: object.subresource,
            name: object.name,
            namespace: object.namespace,
            label_selector: None,
            field_selector: None,
        }),
        _ => Target::NonResource {
            path: event
                .request_uri
                .split('?')
                .next()
                .unwrap_or_default()
                .to_string(),
        },
    };
    AccessRequest {
        user,
        verb: event.verb,
        target,
    }
}

impl AuditLog {
    /// Reads the events of one file's text.
    pub fn read(&mut self, file: &str, text: &str, seen: &mut HashSet<String>) {
        let trimmed = text.trim_start();
        // A whole-file JSON document (list, array or one event) or JSON lines.
        let whole = if trimmed.starts_with('[') || !trimmed.contains('\n') {
            serde_json::from_str::<Value>(text).ok()
        } else {
            serde_json::from_str::<Value>(text)
                .ok()
                .filter(|value| value.get("items").is_some())
        };
        let events: Vec<(String, Value)> = match whole {
            Some(Value::Array(items)) => items
                .into_iter()
                .enumerate()
                .map(|(index, item)| (format!("{file}:#{index}"), item))
                .collect(),
            Some(Value::Object(mut object)) => match object.remove("items") {
                Some(Value::Array(items)) => items
                    .into_iter()
                    .enumerate()
                    .map(|(index, item)| (format!("{file}:#{index}"), item))
                    .collect(),
                _ => vec![(format!("{file}:1"), Value::Object(object))],
            },
            _ => {
                let mut events = Vec::new();
                for (index, line) in text.lines().enumerate() {
                    if line.trim().is_empty() {
                        continue;
                    }
                    let location = format!("{file}:{}", index + 1);
                    match serde_json::from_str::<Value>(line) {
                        Ok(value) => events.push((location, value)),
                        Err(error) => self.problems.push(format!("{location}: {error}")),
                    }
                }
                events
            }
        };
        for (location, value) in events {
            let event: RawEvent = match serde_json::from_value(value) {
                Ok(event) => event,
                Err(error) => {
                    self.problems
                        .push(format!("{location}: not an audit event: {error}"));
                    continue;
                }
            };
            if event.verb.is_empty() {
                self.problems
                    .push(format!("{location}: audit event without a verb"));
                continue;
            }
            // The stages of one request share its audit ID; the first one stands for it.
            if !event.audit_id.is_empty() && !seen.insert(event.audit_id.clone()) {
                continue;
            }
            let cluster_decision = event
                .annotations
                .get("authorization.k8s.io/decision")
                .cloned();
            let audit_id = event.audit_id.clone();
            self.requests.push(AuditedRequest {
                audit_id,
                location,
                request: to_request(event),
                cluster_decision,
            });
        }
    }
}
