//! Replays audited requests through a policy set: what the policies would have denied, allowed
//! or left to RBAC, summarised by user, verb and resource, with examples.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::audit::AuditedRequest;
use crate::authorizer::{Decision, Engine};
use crate::policies::Policies;

/// How many examples each summary row keeps.
pub const EXAMPLES_PER_ROW: usize = 3;

/// One replayed request, as an example.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Example {
    pub audit_id: String,
    pub location: String,
    pub request: String,
    pub policies: Vec<String>,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster_decision: Option<String>,
}

/// The requests of one user, verb and resource that got one decision.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Row {
    pub decision: Decision,
    pub user: String,
    pub verb: String,
    pub resource: String,
    pub count: usize,
    pub examples: Vec<Example>,
}

/// The whole replay.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub requests: usize,
    pub allow: usize,
    pub deny: usize,
    pub no_opinion: usize,
    /// Denials of requests the cluster itself allowed: what enforcing the policies would break.
    pub newly_denied: usize,
    /// Deny rows first, then allow, then no opinion; most requests first within each.
    pub rows: Vec<Row>,
}

fn describe(request: &crate::AccessRequest) -> String {
    use crate::request::Target;
    match &request.target {
        Target::NonResource { path } => format!("{} {path}", request.verb),
        Target::Resource(resource) => {
            let mut text = format!("{} {}", request.verb, request.describe_target());
            if !resource.name.is_empty() {
                text.push_str(&format!(" {:?}", resource.name));
            }
            if !resource.namespace.is_empty() {
                text.push_str(&format!(" in {}", resource.namespace));
            }
            text
        }
    }
}

/// Decides every request and summarises.
pub fn replay(engine: &Engine, policies: &Policies, requests: &[AuditedRequest]) -> Summary {
    let mut summary = Summary::default();
    let mut rows: BTreeMap<(Decision, String, String, String), Row> = BTreeMap::new();
    for audited in requests {
        let request = &audited.request;
        let answer = engine.decide(policies, request);
        summary.requests += 1;
        match answer.decision {
            Decision::Allow => summary.allow += 1,
            Decision::Deny => {
                summary.deny += 1;
                if audited.cluster_decision.as_deref() == Some("allow") {
                    summary.newly_denied += 1;
                }
            }
            Decision::NoOpinion => summary.no_opinion += 1,
        }
        let key = (
            answer.decision,
            request.user.name.clone(),
            request.verb.clone(),
            request.describe_target(),
        );
        let row = rows.entry(key).or_insert_with(|| Row {
            decision: answer.decision,
            user: request.user.name.clone(),
            verb: request.verb.clone(),
            resource: request.describe_target(),
            count: 0,
            examples: Vec::new(),
        });
        row.count += 1;
        if row.examples.len() < EXAMPLES_PER_ROW {
            row.examples.push(Example {
                audit_id: audited.audit_id.clone(),
                location: audited.location.clone(),
                request: describe(request),
                policies: answer.policies,
                reason: answer.reason,
                cluster_decision: audited.cluster_decision.clone(),
            });
        }
    }
    let mut rows: Vec<Row> = rows.into_values().collect();
    let order = |decision: Decision| match decision {
        Decision::Deny => 0,
        Decision::Allow => 1,
        Decision::NoOpinion => 2,
    };
    rows.sort_by(|a, b| {
        order(a.decision)
            .cmp(&order(b.decision))
            .then(b.count.cmp(&a.count))
            .then_with(|| (&a.user, &a.verb, &a.resource).cmp(&(&b.user, &b.verb, &b.resource)))
    });
    summary.rows = rows;
    summary
}
