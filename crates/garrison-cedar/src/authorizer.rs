//! Decisions: a matching forbid denies, a matching permit allows, and neither leaves the
//! request to the next authorizer (RBAC), as an authorization webhook's "no opinion".

use std::collections::HashSet;

use cedar_policy::{Decision as CedarDecision, Effect};
use serde::{Deserialize, Serialize};

use crate::entities::{BuildError, Types, to_cedar_with_groups};
use crate::policies::{Policies, ResourceFacts};
use crate::request::{AccessRequest, Impersonated, Target};

/// What the authorizer answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Decision {
    Allow,
    Deny,
    NoOpinion,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allow => "allow",
            Decision::Deny => "deny",
            Decision::NoOpinion => "no-opinion",
        }
    }
}

/// A decision with the policies that made it and a reason naming them and their annotations.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Answer {
    pub decision: Decision,
    /// The deciding policies' ids.
    pub policies: Vec<String>,
    pub reason: String,
}

/// Identities that the authorizer never judges (no opinion, whatever the policies say): the
/// cluster's own components, so that no policy can lock them out. Configuration, not code.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bypass {
    #[serde(default)]
    pub users: HashSet<String>,
    #[serde(default)]
    pub groups: HashSet<String>,
}

impl Bypass {
    /// Why `request` bypasses the policies, if it does.
    fn reason(&self, request: &AccessRequest) -> Option<String> {
        if self.users.contains(&request.user.name) {
            return Some(format!(
                "user {:?} bypasses Cedar policies",
                request.user.name
            ));
        }
        request
            .user
            .groups
            .iter()
            .find(|group| self.groups.contains(*group))
            .map(|group| format!("group {group:?} bypasses Cedar policies"))
    }
}

/// The parts of a decision that do not change when policies are reloaded.
#[derive(Clone, Debug)]
pub struct Engine {
    types: Types,
    bypass: Bypass,
    authorizer: cedar_policy::Authorizer,
}

impl Engine {
    pub fn new(bypass: Bypass) -> Result<Engine, BuildError> {
        Ok(Engine {
            types: Types::new()?,
            bypass,
            authorizer: cedar_policy::Authorizer::new(),
        })
    }

    pub fn types(&self) -> &Types {
        &self.types
    }

    /// Decides `request` under `policies`.
    ///
    /// A forbid whose condition fails to evaluate denies (fail closed): Cedar skips a policy
    /// that errors, which for a forbid would turn "denied" into "allowed".
    pub fn decide(&self, policies: &Policies, request: &AccessRequest) -> Answer {
        if let Some(reason) = self.bypass.reason(request) {
            return Answer {
                decision: Decision::NoOpinion,
                policies: Vec::new(),
                reason,
            };
        }
        // The impersonated group is the resource, which `principal in resource` compares with
        // the principal's groups.
        let impersonated_group = match &request.target {
            Target::Resource(resource) => match resource.impersonated(&request.verb) {
                Some(Impersonated::Group(group)) => Some(group),
                _ => None,
            },
            Target::NonResource { .. } => None,
        };
        let relevant =
            |group: &str| policies.names_group(group) || impersonated_group == Some(group);
        let (cedar_request, entities) = match to_cedar_with_groups(&self.types, request, &relevant)
        {
            Ok(built) => built,
            Err(error) => {
                return Answer {
                    decision: Decision::NoOpinion,
                    policies: Vec::new(),
                    reason: error.to_string(),
                };
            }
        };
        // The union of the slices' decisions is the decision over the whole set: any
        // satisfied forbid denies, else any satisfied permit allows.
        let principal = self.types.principal_uid(&request.user.name);
        let groups: Vec<_> = request
            .user
            .groups
            .iter()
            .filter(|group| policies.names_group(group))
            .map(|group| self.types.group_uid(group))
            .collect();
        let mut forbids = Vec::new();
        let mut permits = Vec::new();
        let mut failed_forbids: Vec<String> = Vec::new();
        let action = self.types.action_uid(&request.verb);
        let facts = match cedar_request.resource() {
            Some(resource) => ResourceFacts::new(&entities, resource.clone()),
            None => ResourceFacts::unknown(),
        };
        for slice in policies.slices(&principal, groups, &action, &facts) {
            let response = self
                .authorizer
                .is_authorized(&cedar_request, slice, &entities);
            let reasons = response
                .diagnostics()
                .reason()
                .filter_map(|id| policies.info(id));
            match response.decision() {
                CedarDecision::Deny => forbids.extend(reasons),
                CedarDecision::Allow => permits.extend(reasons),
            }
            failed_forbids.extend(response.diagnostics().errors().filter_map(|error| {
                let cedar_policy::AuthorizationError::PolicyEvaluationError(error) = error;
                let info = policies.info(error.policy_id())?;
                (info.effect == Effect::Forbid).then(|| format!("{}: {error}", info.id))
            }));
        }
        let (decision, mut deciding) = if !forbids.is_empty() {
            (CedarDecision::Deny, forbids)
        } else if !permits.is_empty() {
            (CedarDecision::Allow, permits)
        } else {
            (CedarDecision::Deny, Vec::new())
        };
        deciding.sort_by(|a, b| (&a.file, a.line, &a.id).cmp(&(&b.file, b.line, &b.id)));
        deciding.dedup_by(|a, b| a.id == b.id);
        let describe = |verb: &str| {
            let parts: Vec<String> = deciding
                .iter()
                .map(|info| {
                    let location = format!("{}:{}", info.file, info.line);
                    let mut text = if location.ends_with(&info.id) {
                        info.id.clone()
                    } else {
                        format!("{} ({location})", info.id)
                    };
                    if !info.annotations.is_empty() {
                        let notes: Vec<String> = info
                            .annotations
                            .iter()
                            .map(|(key, value)| format!("@{key}({value:?})"))
                            .collect();
                        text = format!("{text} {}", notes.join(" "));
                    }
                    text
                })
                .collect();
            format!("{verb} by {}", parts.join("; "))
        };
        let ids = || deciding.iter().map(|info| info.id.clone()).collect();
        match decision {
            CedarDecision::Deny if !deciding.is_empty() => Answer {
                decision: Decision::Deny,
                policies: ids(),
                reason: describe("denied"),
            },
            _ if !failed_forbids.is_empty() => Answer {
                decision: Decision::Deny,
                policies: Vec::new(),
                reason: format!(
                    "denied because a forbid policy could not be evaluated: {}",
                    failed_forbids.join("; ")
                ),
            },
            CedarDecision::Allow => Answer {
                decision: Decision::Allow,
                policies: ids(),
                reason: describe("allowed"),
            },
            CedarDecision::Deny => Answer {
                decision: Decision::NoOpinion,
                policies: Vec::new(),
                reason: "no Cedar policy applies".to_string(),
            },
        }
    }
}
