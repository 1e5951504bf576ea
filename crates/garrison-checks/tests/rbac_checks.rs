//! The RBAC checks (EKS-CIS-4.1.x, EKS-RBAC-CSR) through the engine: one finding per subject
//! that holds the permission, on the binding, naming the binding, the role and the rule; RBAC
//! scoping (cluster-scoped permissions only through ClusterRoleBindings), aggregated
//! ClusterRoles, resourceNames, access-entry members, allow-lists.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use garrison_checks::{CHECKS, run_checks};
use garrison_core::loader::load_snapshot_files;
use garrison_core::{Config, Finding, Inventory, LoadOptions, Status, load_paths};

const RBAC_CHECKS: &[&str] = &[
    "EKS-CIS-4.1.1",
    "EKS-CIS-4.1.2",
    "EKS-CIS-4.1.3",
    "EKS-CIS-4.1.4",
    "EKS-CIS-4.1.8",
    "EKS-CIS-4.1.9",
    "EKS-CIS-4.1.10",
    "EKS-CIS-4.1.11",
    "EKS-CIS-4.1.12",
    "EKS-RBAC-CSR",
];

const MANIFESTS: &str = r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: node-debugger
rules:
- apiGroups: [""]
  resources: ["nodes/proxy"]
  verbs: ["get"]
---
# nodes/proxy through a RoleBinding: nodes are cluster-scoped, so it grants nothing.
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: debug-in-team-a
  namespace: team-a
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: node-debugger}
subjects:
- {kind: User, name: alice}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: debug-everywhere
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: node-debugger}
subjects:
- {kind: User, name: alice}
- {kind: Group, name: sre}
---
# An aggregated ClusterRole as written in a chart: no rules of its own.
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: team-reader
aggregationRule:
  clusterRoleSelectors:
  - matchLabels: {example.com/aggregate-to-team-reader: "true"}
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: team-reader-secrets
  labels: {example.com/aggregate-to-team-reader: "true"}
rules:
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["get"]
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "list"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: readers
  namespace: team-a
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: team-reader}
subjects:
- {kind: ServiceAccount, name: reporter}
- {kind: Group, name: team-a-devs}
---
# Secrets limited by resourceNames: not general secret access.
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: one-secret
  namespace: team-a
rules:
- apiGroups: [""]
  resources: ["secrets"]
  resourceNames: ["app-config"]
  verbs: ["get"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: one-secret
  namespace: team-a
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: one-secret}
subjects:
- {kind: ServiceAccount, name: app}
---
# Three rules that create pods or controllers, two subjects: two findings.
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: deployer
  namespace: team-a
rules:
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["create"]
- apiGroups: ["apps"]
  resources: ["*"]
  verbs: ["create", "update"]
- apiGroups: ["batch"]
  resources: ["jobs", "cronjobs"]
  verbs: ["*"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: deployers
  namespace: team-a
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: deployer}
subjects:
- {kind: ServiceAccount, name: ci, namespace: ci}
- {kind: User, name: bob}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: binder
rules:
- apiGroups: ["rbac.authorization.k8s.io"]
  resources: ["clusterroles"]
  resourceNames: ["cluster-admin"]
  verbs: ["bind"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: binder
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: binder}
subjects:
- {kind: ServiceAccount, name: operator, namespace: ops}
---
# Approval without a signer: the API server requires both, so not reported.
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: half-approver
rules:
- apiGroups: ["certificates.k8s.io"]
  resources: ["certificatesigningrequests/approval"]
  verbs: ["update"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: half-approver
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: half-approver}
subjects:
- {kind: User, name: carol}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: dangling
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: does-not-exist}
subjects:
- {kind: User, name: dave}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: cluster-admin
rules:
- apiGroups: ["*"]
  resources: ["*"]
  verbs: ["*"]
- nonResourceURLs: ["*"]
  verbs: ["*"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: cluster-admin
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects:
- {kind: Group, name: system:masters}
- {kind: Group, name: platform-admins}
---
# cluster-admin in one namespace through a RoleBinding.
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: team-a-admin
  namespace: team-a
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects:
- {kind: User, name: erin}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: system:managed
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects:
- {kind: User, name: system:kube-controller-manager}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: broken
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: frank
"#;

const ACCESS_ENTRY: &str = r#"{
    "accessEntry": {
        "principalArn": "arn:aws:iam::111122223333:role/platform",
        "kubernetesGroups": ["platform-admins"],
        "username": "arn:aws:sts::111122223333:assumed-role/platform/{{SessionName}}",
        "type": "STANDARD"
    }
}"#;

fn findings() -> Vec<Finding> {
    let loaded = load_snapshot_files(
        "fixture",
        vec![
            ("k8s/rbac.yaml".to_string(), MANIFESTS.to_string()),
            (
                "aws/eks/access-entries/platform.describe.json".to_string(),
                ACCESS_ENTRY.to_string(),
            ),
        ],
    );
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    let inventory = Inventory::new(loaded);
    let checks: Vec<_> = CHECKS
        .iter()
        .filter(|check| RBAC_CHECKS.contains(&check.meta.id))
        .collect();
    assert_eq!(checks.len(), RBAC_CHECKS.len());
    run_checks(&inventory, &Config::default(), &checks)
}

/// The (status, pointer, message) results of `check` on the object called `name`.
fn results(findings: &[Finding], check: &str, name: &str) -> Vec<(Status, String, String)> {
    findings
        .iter()
        .filter(|f| f.check.id == check && &*f.object.name == name)
        .map(|f| {
            (
                f.status,
                f.pointer.clone().unwrap_or_default(),
                f.message.clone(),
            )
        })
        .collect()
}

fn failures(findings: &[Finding], check: &str, name: &str) -> Vec<(String, String)> {
    results(findings, check, name)
        .into_iter()
        .filter(|(status, _, _)| *status == Status::Fail)
        .map(|(_, pointer, message)| (pointer, message))
        .collect()
}

fn passes(findings: &[Finding], check: &str, name: &str) -> bool {
    let results = results(findings, check, name);
    !results.is_empty() && results.iter().all(|(status, _, _)| *status == Status::Pass)
}

#[test]
fn cluster_scoped_permissions_come_only_from_cluster_role_bindings() {
    let findings = findings();
    assert!(passes(&findings, "EKS-CIS-4.1.10", "debug-in-team-a"));
    let failed = failures(&findings, "EKS-CIS-4.1.10", "debug-everywhere");
    assert_eq!(failed.len(), 2, "{failed:?}");
    assert_eq!(failed[0].0, "/subjects/0");
    assert_eq!(
        failed[0].1,
        "User alice can get nodes/proxy cluster-wide through ClusterRoleBinding debug-everywhere \
         → ClusterRole node-debugger (rules[0])"
    );
    assert_eq!(failed[1].0, "/subjects/1");
    assert!(failed[1].1.starts_with("Group sre can get nodes/proxy"));
}

#[test]
fn aggregated_cluster_roles_and_defaulted_service_account_namespaces() {
    let findings = findings();
    let failed = failures(&findings, "EKS-CIS-4.1.2", "readers");
    assert_eq!(
        failed,
        vec![
            (
                "/subjects/0".to_string(),
                "ServiceAccount team-a/reporter can get/list secrets in namespace team-a through \
                 RoleBinding team-a/readers → ClusterRole team-reader (rules[1] of ClusterRole \
                 team-reader-secrets, aggregated)"
                    .to_string()
            ),
            (
                "/subjects/1".to_string(),
                "Group team-a-devs can get/list secrets in namespace team-a through RoleBinding \
                 team-a/readers → ClusterRole team-reader (rules[1] of ClusterRole \
                 team-reader-secrets, aggregated)"
                    .to_string()
            ),
        ]
    );
    // A secret limited by resourceNames is not general secret access.
    assert!(passes(&findings, "EKS-CIS-4.1.2", "one-secret"));
}

#[test]
fn one_finding_per_subject_not_per_rule() {
    let findings = findings();
    let failed = failures(&findings, "EKS-CIS-4.1.4", "deployers");
    assert_eq!(failed.len(), 2, "{failed:?}");
    assert_eq!(
        failed[0].1,
        "ServiceAccount ci/ci can create pods, deployments.apps, replicasets.apps, \
         statefulsets.apps, daemonsets.apps, jobs.batch, cronjobs.batch in namespace team-a \
         through RoleBinding team-a/deployers → Role team-a/deployer (rules[0], rules[1], rules[2])"
    );
    assert!(failed[1].1.starts_with("User bob can create pods"));
}

#[test]
fn resource_names_limit_is_reported_where_named_objects_count() {
    let findings = findings();
    let failed = failures(&findings, "EKS-CIS-4.1.8", "binder");
    assert_eq!(failed.len(), 1);
    assert_eq!(
        failed[0].1,
        "ServiceAccount ops/operator can bind clusterroles.rbac.authorization.k8s.io (only \
         cluster-admin) cluster-wide through ClusterRoleBinding binder → ClusterRole binder (rules[0])"
    );
}

#[test]
fn csr_approval_needs_both_permissions() {
    let findings = findings();
    assert!(passes(&findings, "EKS-RBAC-CSR", "half-approver"));
}

#[test]
fn cluster_admin_and_its_allowances() {
    let findings = findings();
    let mut results = results(&findings, "EKS-CIS-4.1.1", "cluster-admin");
    results.sort_by(|a, b| a.1.cmp(&b.1));
    assert_eq!(results.len(), 2, "{results:?}");
    assert_eq!(results[0].0, Status::Pass, "system:masters is allowed");
    assert_eq!(results[0].1, "/subjects/0");
    assert_eq!(results[1].0, Status::Fail);
    assert_eq!(
        results[1].2,
        "Group platform-admins can do anything cluster-wide through ClusterRoleBinding \
         cluster-admin → ClusterRole cluster-admin (rules[0]); members by EKS access entry: \
         arn:aws:iam::111122223333:role/platform"
    );
    let failed = failures(&findings, "EKS-CIS-4.1.1", "team-a-admin");
    assert_eq!(
        failed,
        vec![(
            "/subjects/0".to_string(),
            "User erin can do anything in namespace team-a through RoleBinding team-a/team-a-admin \
             → ClusterRole cluster-admin (rules[0])"
                .to_string()
        )]
    );
    // system:-named bindings are reported but allow-listed by the engine.
    let managed: Vec<_> = findings
        .iter()
        .filter(|f| f.check.id == "EKS-CIS-4.1.1" && &*f.object.name == "system:managed")
        .collect();
    assert_eq!(managed.len(), 1);
    assert!(managed[0].suppressed.is_some());
}

#[test]
fn missing_roles_grant_nothing_and_unreadable_bindings_are_unknown() {
    let findings = findings();
    for check in RBAC_CHECKS.iter().filter(|id| **id != "EKS-CIS-4.1.3") {
        assert!(passes(&findings, check, "dangling"), "{check}");
        let broken = results(&findings, check, "broken");
        assert_eq!(broken.len(), 1, "{check}: {broken:?}");
        assert_eq!(broken[0].0, Status::Unknown, "{check}");
        assert!(
            broken[0]
                .2
                .starts_with("the binding cannot be evaluated: /subjects: invalid type"),
            "{}",
            broken[0].2
        );
        assert_eq!(broken[0].1, "/subjects");
    }
}

#[test]
fn wildcards_are_reported_per_rule_of_each_role() {
    let findings = findings();
    let failed = failures(&findings, "EKS-CIS-4.1.3", "deployer");
    assert_eq!(
        failed,
        vec![
            (
                "/rules/1".to_string(),
                "rules[1] uses * in resources".to_string()
            ),
            (
                "/rules/2".to_string(),
                "rules[2] uses * in verbs".to_string()
            ),
        ]
    );
    // cluster-admin is EKS-CIS-4.1.1's business; an aggregated role is judged by its parts.
    assert!(results(&findings, "EKS-CIS-4.1.3", "cluster-admin").is_empty());
    assert!(results(&findings, "EKS-CIS-4.1.3", "team-reader").is_empty());
    assert!(passes(&findings, "EKS-CIS-4.1.3", "team-reader-secrets"));
}

#[test]
fn demo_snapshot_has_a_pass_and_a_fail_for_every_rbac_check() {
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/demo-snapshot");
    let loaded = load_paths(&[demo.to_string()], &LoadOptions::default());
    let inventory = Inventory::new(loaded);
    let findings = run_checks(
        &inventory,
        &Config::default(),
        &CHECKS.iter().collect::<Vec<_>>(),
    );
    for check in RBAC_CHECKS {
        let of_check = || {
            findings
                .iter()
                .filter(|f| f.check.id == *check && f.suppressed.is_none())
        };
        assert!(
            of_check().any(|f| f.status == Status::Pass),
            "{check}: no PASS"
        );
        assert!(
            of_check().any(|f| f.status == Status::Fail),
            "{check}: no FAIL"
        );
        assert!(
            !of_check().any(|f| f.status == Status::Unknown),
            "{check}: UNKNOWN in the demo"
        );
    }
    let csr = failures(&findings, "EKS-RBAC-CSR", "kubelet-csr-approver");
    assert_eq!(csr.len(), 1);
    assert!(
        csr[0].1.contains("(only kubernetes.io/kubelet-serving)"),
        "{}",
        csr[0].1
    );
    // A RoleBinding cannot grant PersistentVolumes, whatever its ClusterRole lists.
    assert!(passes(&findings, "EKS-CIS-4.1.9", "payments-devs-storage"));
}

/// A check handed a copy of a binding (not a reference into the inventory) still finds it.
#[test]
fn bindings_are_found_by_identity_too() {
    use garrison_checks::checks::rbac::secret_read_access;
    use garrison_checks::engine::{Context, Shared};

    let loaded = load_snapshot_files(
        "fixture",
        vec![("k8s/rbac.yaml".to_string(), MANIFESTS.to_string())],
    );
    let inventory = Inventory::new(loaded);
    let config = Config::default();
    let shared = Shared::default();
    let context = Context {
        inventory: &inventory,
        config: &config,
        shared: &shared,
    };
    let readers = inventory
        .objects
        .iter()
        .find(|object| object.name == "readers")
        .unwrap();
    let from_inventory = secret_read_access::evaluate(&context, readers).unwrap();
    let copy = readers.clone();
    let from_copy = secret_read_access::evaluate(&context, &copy).unwrap();
    assert_eq!(from_inventory.len(), 2);
    assert_eq!(from_inventory, from_copy);
}
