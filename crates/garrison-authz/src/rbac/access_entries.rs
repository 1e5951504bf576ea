//! EKS access entries: IAM principals given Kubernetes groups (which RoleBindings and
//! ClusterRoleBindings then bind) and EKS access policies (which EKS's own authorizer applies,
//! cluster-wide or in listed namespaces, next to RBAC).
//!
//! The four standard access policies grant what the user-facing ClusterRoles of the same purpose
//! grant: AmazonEKSClusterAdminPolicy ≈ `cluster-admin`, AmazonEKSAdminPolicy ≈ `admin`,
//! AmazonEKSEditPolicy ≈ `edit`, AmazonEKSViewPolicy ≈ `view`; AmazonEKSAdminViewPolicy reads
//! everything, Secrets included. Their rules are built in (the upstream bootstrap rules of those
//! roles) rather than read from the cluster's ClusterRoles, because EKS does not read them
//! either: aggregating a CRD into `edit` does not change AmazonEKSEditPolicy. Other access
//! policies (the node and Auto Mode policies) are not modelled and grant nothing here.

use std::sync::LazyLock;

use garrison_core::{Diagnostic, Snapshot};
use k8s_openapi::api::rbac::v1::PolicyRule;
use serde::Serialize;
use serde_json::Value;

/// One access entry, read from `describe-access-entry` and `list-associated-access-policies`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessEntry {
    pub principal_arn: String,
    /// The Kubernetes username, possibly a template such as
    /// `arn:aws:sts::111122223333:assumed-role/dev/{{SessionName}}`.
    pub username: Option<String>,
    pub kubernetes_groups: Vec<String>,
    /// `STANDARD`, or a node type (`EC2_LINUX`, `FARGATE_LINUX`, …).
    #[serde(rename = "type")]
    pub entry_type: Option<String>,
    pub policies: Vec<AccessPolicy>,
}

/// An access policy associated with an access entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessPolicy {
    pub policy_arn: String,
    pub scope: AccessScope,
}

/// Where an access policy applies.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase", tag = "type", content = "namespaces")]
pub enum AccessScope {
    Cluster,
    Namespaces(Vec<String>),
}

impl AccessEntry {
    /// The name the entry's principal has in Kubernetes: its username, or its ARN.
    pub fn kubernetes_username(&self) -> &str {
        self.username.as_deref().unwrap_or(&self.principal_arn)
    }

    /// Whether a node identity (anything but `STANDARD`) rather than a person or a pipeline.
    pub fn is_node(&self) -> bool {
        self.entry_type
            .as_deref()
            .is_some_and(|entry_type| entry_type != "STANDARD")
    }

    /// Whether a request made as Kubernetes user `user` is this entry's: the principal ARN, or
    /// the username with each `{{…}}` placeholder (`{{SessionName}}`, `{{EC2PrivateDNSName}}`)
    /// standing for any non-empty text.
    pub fn matches_user(&self, user: &str) -> bool {
        user == self.principal_arn
            || self
                .username
                .as_deref()
                .is_some_and(|template| template_matches(template, user))
    }
}

impl AccessPolicy {
    /// The policy's name: the last segment of its ARN.
    pub fn name(&self) -> &str {
        self.policy_arn
            .rsplit_once('/')
            .map_or(self.policy_arn.as_str(), |(_, name)| name)
    }

    /// Whether the policy applies in `namespace`. A trailing `*` is a prefix: a namespace name
    /// cannot contain `*`, so nothing else could be meant by it.
    pub fn applies_in(&self, namespace: &str) -> bool {
        match &self.scope {
            AccessScope::Cluster => true,
            AccessScope::Namespaces(namespaces) => {
                namespaces
                    .iter()
                    .any(|pattern| match pattern.strip_suffix('*') {
                        Some(prefix) => namespace.starts_with(prefix),
                        None => pattern == namespace,
                    })
            }
        }
    }
}

fn template_matches(template: &str, user: &str) -> bool {
    // Split the template into literal parts around `{{…}}` placeholders.
    let mut literals = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let Some(end) = rest[start..].find("}}") else {
            break;
        };
        literals.push(&rest[..start]);
        rest = &rest[start + end + 2..];
    }
    literals.push(rest);
    if literals.len() == 1 {
        return template == user;
    }
    let (Some(first), Some(last)) = (literals.first(), literals.last()) else {
        return false;
    };
    let Some(mut remaining) = user.strip_prefix(first) else {
        return false;
    };
    for literal in &literals[1..literals.len() - 1] {
        // A placeholder stands for at least one character.
        let Some(found) = remaining.get(1..).and_then(|tail| tail.find(literal)) else {
            return false;
        };
        remaining = &remaining[1 + found + literal.len()..];
    }
    remaining.len() > last.len() && remaining.ends_with(last)
}

type RuleSpec = (
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
);

const READ: &[&str] = &["get", "list", "watch"];
const WRITE: &[&str] = &["create", "delete", "deletecollection", "patch", "update"];
const READ_WRITE: &[&str] = &[
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];

/// `system:aggregate-to-admin` (Kubernetes bootstrap policy).
const ADMIN: &[RuleSpec] = &[
    (
        &["authorization.k8s.io"],
        &["localsubjectaccessreviews"],
        &["create"],
    ),
    (
        &["rbac.authorization.k8s.io"],
        &["rolebindings", "roles"],
        READ_WRITE,
    ),
];

/// `system:aggregate-to-edit` (Kubernetes bootstrap policy).
const EDIT: &[RuleSpec] = &[
    (
        &[""],
        &[
            "pods/attach",
            "pods/exec",
            "pods/portforward",
            "pods/proxy",
            "secrets",
            "services/proxy",
        ],
        READ,
    ),
    (&[""], &["serviceaccounts"], &["impersonate"]),
    (
        &[""],
        &[
            "pods",
            "pods/attach",
            "pods/exec",
            "pods/portforward",
            "pods/proxy",
        ],
        WRITE,
    ),
    (&[""], &["pods/eviction"], &["create"]),
    (
        &[""],
        &[
            "configmaps",
            "events",
            "persistentvolumeclaims",
            "replicationcontrollers",
            "replicationcontrollers/scale",
            "secrets",
            "serviceaccounts",
            "services",
            "services/proxy",
        ],
        WRITE,
    ),
    (&[""], &["serviceaccounts/token"], &["create"]),
    (
        &["apps"],
        &[
            "daemonsets",
            "deployments",
            "deployments/rollback",
            "deployments/scale",
            "replicasets",
            "replicasets/scale",
            "statefulsets",
            "statefulsets/scale",
        ],
        WRITE,
    ),
    (&["autoscaling"], &["horizontalpodautoscalers"], WRITE),
    (&["batch"], &["cronjobs", "jobs"], WRITE),
    (
        &["extensions"],
        &[
            "daemonsets",
            "deployments",
            "deployments/rollback",
            "deployments/scale",
            "ingresses",
            "networkpolicies",
            "replicasets",
            "replicasets/scale",
            "replicationcontrollers/scale",
        ],
        WRITE,
    ),
    (&["policy"], &["poddisruptionbudgets"], WRITE),
    (
        &["networking.k8s.io"],
        &["ingresses", "networkpolicies"],
        WRITE,
    ),
    (&["coordination.k8s.io"], &["leases"], READ_WRITE),
];

/// `system:aggregate-to-view` (Kubernetes bootstrap policy).
const VIEW: &[RuleSpec] = &[
    (
        &[""],
        &[
            "configmaps",
            "endpoints",
            "persistentvolumeclaims",
            "persistentvolumeclaims/status",
            "pods",
            "replicationcontrollers",
            "replicationcontrollers/scale",
            "serviceaccounts",
            "services",
            "services/status",
        ],
        READ,
    ),
    (
        &[""],
        &[
            "bindings",
            "events",
            "limitranges",
            "namespaces/status",
            "pods/log",
            "pods/status",
            "replicationcontrollers/status",
            "resourcequotas",
            "resourcequotas/status",
        ],
        READ,
    ),
    (&[""], &["namespaces"], READ),
    (&["discovery.k8s.io"], &["endpointslices"], READ),
    (
        &["apps"],
        &[
            "controllerrevisions",
            "daemonsets",
            "daemonsets/status",
            "deployments",
            "deployments/scale",
            "deployments/status",
            "replicasets",
            "replicasets/scale",
            "replicasets/status",
            "statefulsets",
            "statefulsets/scale",
            "statefulsets/status",
        ],
        READ,
    ),
    (
        &["autoscaling"],
        &[
            "horizontalpodautoscalers",
            "horizontalpodautoscalers/status",
        ],
        READ,
    ),
    (
        &["batch"],
        &["cronjobs", "cronjobs/status", "jobs", "jobs/status"],
        READ,
    ),
    (
        &["extensions"],
        &[
            "daemonsets",
            "daemonsets/status",
            "deployments",
            "deployments/scale",
            "deployments/status",
            "ingresses",
            "ingresses/status",
            "networkpolicies",
            "replicasets",
            "replicasets/scale",
            "replicasets/status",
            "replicationcontrollers/scale",
        ],
        READ,
    ),
    (
        &["policy"],
        &["poddisruptionbudgets", "poddisruptionbudgets/status"],
        READ,
    ),
    (
        &["networking.k8s.io"],
        &["ingresses", "ingresses/status", "networkpolicies"],
        READ,
    ),
];

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|item| item.to_string()).collect()
}

fn rules(specs: &[&[RuleSpec]]) -> Vec<PolicyRule> {
    specs
        .iter()
        .flat_map(|specs| specs.iter())
        .map(|(groups, resources, verbs)| PolicyRule {
            api_groups: Some(strings(groups)),
            resources: Some(strings(resources)),
            verbs: strings(verbs),
            ..PolicyRule::default()
        })
        .collect()
}

static POLICY_RULES: LazyLock<Vec<(&'static str, Vec<PolicyRule>)>> = LazyLock::new(|| {
    let mut cluster_admin = rules(&[&[(&["*"], &["*"], &["*"])]]);
    cluster_admin.push(PolicyRule {
        non_resource_urls: Some(strings(&["*"])),
        verbs: strings(&["*"]),
        ..PolicyRule::default()
    });
    vec![
        ("AmazonEKSClusterAdminPolicy", cluster_admin),
        ("AmazonEKSAdminPolicy", rules(&[ADMIN, EDIT, VIEW])),
        ("AmazonEKSEditPolicy", rules(&[EDIT, VIEW])),
        ("AmazonEKSViewPolicy", rules(&[VIEW])),
        (
            "AmazonEKSAdminViewPolicy",
            rules(&[&[(&["*"], &["*"], READ)]]),
        ),
    ]
});

/// The rules of an EKS access policy, by name; `None` for a policy that is not modelled.
pub fn access_policy_rules(name: &str) -> Option<&'static [PolicyRule]> {
    POLICY_RULES
        .iter()
        .find(|(policy, _)| *policy == name)
        .map(|(_, rules)| rules.as_slice())
}

/// Reads the access entries of a snapshot: `aws/eks/access-entries/<p>.describe.json` with the
/// policies of `<p>.policies.json` (matched by principal ARN, or by file name). A describe file
/// that cannot be read as an access entry is reported and skipped; a missing policies file
/// means no policies.
pub fn read_snapshot(snapshot: &Snapshot) -> (Vec<AccessEntry>, Vec<Diagnostic>) {
    const DIRECTORY: &str = "eks/access-entries/";
    let mut entries = Vec::new();
    let mut diagnostics = Vec::new();
    let documents = snapshot
        .aws
        .range(DIRECTORY.to_string()..)
        .take_while(|(key, _)| key.starts_with(DIRECTORY));
    let mut policies_by_stem = std::collections::BTreeMap::new();
    let mut policies_by_principal = std::collections::BTreeMap::new();
    let mut describes = Vec::new();
    for (key, document) in documents {
        if let Some(stem) = key.strip_suffix(".policies.json") {
            policies_by_stem.insert(stem, document);
            if let Some(principal) = document.get("principalArn").and_then(Value::as_str) {
                policies_by_principal.insert(principal, document);
            }
        } else if let Some(stem) = key.strip_suffix(".describe.json") {
            describes.push((key, stem, document));
        }
    }
    for (key, stem, document) in describes {
        let file = format!("{}/aws/{key}", snapshot.root);
        let Some(entry) = document.get("accessEntry") else {
            diagnostics.push(Diagnostic::error(
                file,
                None,
                "no accessEntry object: not the output of aws eks describe-access-entry",
            ));
            continue;
        };
        let Some(principal_arn) = entry.get("principalArn").and_then(Value::as_str) else {
            diagnostics.push(Diagnostic::error(
                file,
                None,
                "accessEntry.principalArn is missing or not a string",
            ));
            continue;
        };
        let text = |field: &str| entry.get(field).and_then(Value::as_str).map(str::to_string);
        let kubernetes_groups = entry
            .get("kubernetesGroups")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect();
        let policies_document = policies_by_principal
            .get(principal_arn)
            .or_else(|| policies_by_stem.get(stem));
        let policies = policies_document
            .and_then(|document| document.get("associatedAccessPolicies"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|policy| {
                let policy_arn = policy.get("policyArn")?.as_str()?.to_string();
                let scope = policy.get("accessScope");
                let scope = match scope.and_then(|s| s.get("type")).and_then(Value::as_str) {
                    Some("cluster") => AccessScope::Cluster,
                    _ => AccessScope::Namespaces(
                        scope
                            .and_then(|s| s.get("namespaces"))
                            .and_then(Value::as_array)
                            .into_iter()
                            .flatten()
                            .filter_map(Value::as_str)
                            .map(str::to_string)
                            .collect(),
                    ),
                };
                Some(AccessPolicy { policy_arn, scope })
            })
            .collect();
        entries.push(AccessEntry {
            principal_arn: principal_arn.to_string(),
            username: text("username"),
            kubernetes_groups,
            entry_type: text("type"),
            policies,
        });
    }
    (entries, diagnostics)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn username_templates() {
        let template = "arn:aws:sts::1:assumed-role/dev/{{SessionName}}";
        assert!(template_matches(
            template,
            "arn:aws:sts::1:assumed-role/dev/alice"
        ));
        assert!(!template_matches(
            template,
            "arn:aws:sts::1:assumed-role/dev/"
        ));
        assert!(!template_matches(
            template,
            "arn:aws:sts::1:assumed-role/ops/alice"
        ));
        assert!(template_matches(
            "system:node:{{EC2PrivateDNSName}}",
            "system:node:ip-10-0-1-2"
        ));
        assert!(template_matches("a-{{X}}-b-{{Y}}", "a-1-b-2"));
        assert!(!template_matches("a-{{X}}-b-{{Y}}", "a--b-2"));
        assert!(template_matches("plain", "plain"));
    }

    #[test]
    fn every_policy_has_rules() {
        for name in [
            "AmazonEKSClusterAdminPolicy",
            "AmazonEKSAdminPolicy",
            "AmazonEKSEditPolicy",
            "AmazonEKSViewPolicy",
            "AmazonEKSAdminViewPolicy",
        ] {
            assert!(
                access_policy_rules(name).is_some_and(|rules| !rules.is_empty()),
                "{name}"
            );
        }
        assert!(access_policy_rules("AmazonEKSAutoNodePolicy").is_none());
    }
}
