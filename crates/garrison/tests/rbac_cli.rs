//! `garrison rbac who-can` and `garrison rbac can-i` as a user meets them: output, exit codes
//! (can-i 0 yes / 1 no / 2 error; who-can 0 / 2 error), inputs (snapshot, manifests, stdin).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{garrison, stderr, stdout, with_stdin};

use serde_json::Value;

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/demo-snapshot");

#[test]
fn who_can_lists_subjects_with_their_bindings() {
    let output = garrison(&[
        "rbac",
        "who-can",
        "get",
        "secrets",
        "-n",
        "platform-tools",
        DEMO,
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains(
            "ServiceAccount platform-tools/ci-runner\n  RoleBinding platform-tools/ci-runner-edit \
             → ClusterRole edit (rules[0])\n"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "User arn:aws:iam::111122223333:user/ci-deployer (EKS access entry, in group \
             platform-admins)\n  ClusterRoleBinding platform-admins-cluster-admin → ClusterRole \
             cluster-admin (rules[0])\n"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "  access policy AmazonEKSClusterAdminPolicy (cluster) of EKS access entry \
             arn:aws:iam::111122223333:role/platform-admin (rules[0])\n"
        ),
        "{text}"
    );
    assert!(
        text.ends_with(
            "garrison rbac who-can: 7 subjects may get secrets in namespace platform-tools\n"
        ),
        "{text}"
    );
}

#[test]
fn who_can_json_and_the_demo_agree() {
    let from_path = garrison(&[
        "rbac",
        "who-can",
        "create",
        "pods/exec",
        "-A",
        "-f",
        "json",
        DEMO,
    ]);
    let from_demo = garrison(&[
        "rbac",
        "who-can",
        "create",
        "pods/exec",
        "-A",
        "-f",
        "json",
        "--demo",
    ]);
    assert_eq!(from_path.status.code(), Some(0), "{}", stderr(&from_path));
    assert_eq!(from_demo.status.code(), Some(0), "{}", stderr(&from_demo));
    let from_path: Value = serde_json::from_slice(&from_path.stdout).unwrap();
    let from_demo: Value = serde_json::from_slice(&from_demo.stdout).unwrap();
    assert_eq!(from_path["grants"], from_demo["grants"]);
    assert_eq!(from_path["request"]["target"]["subresource"], "exec");
    assert_eq!(
        from_path["request"]["target"]["scope"]["type"],
        "anyNamespace"
    );
    let grants = from_path["grants"].as_array().unwrap();
    let ci_runner = grants
        .iter()
        .find(|grant| grant["subject"]["name"] == "ci-runner")
        .expect("edit lets ci-runner exec into pods of platform-tools");
    assert_eq!(ci_runner["subject"]["kind"], "ServiceAccount");
    assert_eq!(ci_runner["subject"]["namespace"], "platform-tools");
    assert_eq!(ci_runner["binding"]["kind"], "RoleBinding");
    assert_eq!(ci_runner["binding"]["name"], "ci-runner-edit");
    assert_eq!(ci_runner["role"]["name"], "edit");
    assert_eq!(ci_runner["rule"]["index"], 2);
    assert!(
        grants
            .iter()
            .any(|grant| grant["binding"]["kind"] == "AccessPolicy"
                && grant["binding"]["policy"] == "AmazonEKSEditPolicy"),
        "dev-team's edit policy covers pods/exec in its namespaces"
    );
}

#[test]
fn who_can_non_resource_urls() {
    let output = garrison(&["rbac", "who-can", "get", "/metrics", "--demo"]);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    assert!(
        text.contains("User system:anonymous\n  ClusterRoleBinding legacy-metrics-anonymous"),
        "{text}"
    );
}

#[test]
fn can_i_answers_yes_with_the_grant_and_exits_zero() {
    let output = garrison(&[
        "rbac",
        "can-i",
        "--as",
        "arn:aws:sts::111122223333:assumed-role/dev-team/alice",
        "get",
        "pods",
        "-n",
        "payments",
        "--demo",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "yes\n  as Group payments-devs (EKS access entry arn:aws:iam::111122223333:role/dev-team): \
         RoleBinding payments/payments-devs-view → ClusterRole view (rules[0])\n"
    );
}

#[test]
fn can_i_answers_no_and_exits_one() {
    let output = garrison(&[
        "rbac",
        "can-i",
        "--as",
        "system:serviceaccount:platform-tools:fluent-bit",
        "create",
        "nodes/proxy",
        DEMO,
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.starts_with("no\n"), "{text}");
    assert!(
        text.contains("(groups: system:serviceaccounts, system:serviceaccounts:platform-tools, system:authenticated)"),
        "{text}"
    );
    let output = garrison(&[
        "rbac",
        "can-i",
        "--as",
        "system:serviceaccount:platform-tools:fluent-bit",
        "get",
        "nodes/proxy",
        "--name",
        "ip-10-0-12-34.ec2.internal",
        "-f",
        "json",
        DEMO,
    ]);
    assert_eq!(output.status.code(), Some(0));
    let answer: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(answer["allowed"], true);
    assert_eq!(
        answer["grant"]["binding"]["name"],
        "fluent-bit-role-binding"
    );
}

#[test]
fn can_i_with_groups_over_manifests_from_stdin() {
    let manifests = "\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: deployer}
rules:
- {apiGroups: [apps], resources: [deployments], verbs: [create]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: deployers, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: deployer}
subjects:
- {kind: Group, name: release-managers}
";
    let ask = |namespace: &str, extra: &[&str]| {
        let mut args = vec![
            "rbac",
            "can-i",
            "--as",
            "jane",
            "create",
            "deployments.apps",
            "-n",
            namespace,
            "-f",
            "json",
        ];
        args.extend_from_slice(extra);
        args.push("-");
        with_stdin(&args, manifests)
    };
    let output = ask("shop", &["--as-group", "release-managers"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let answer: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(answer["grant"]["subject"]["kind"], "Group");
    assert_eq!(
        answer["user"]["groups"],
        serde_json::json!(["release-managers", "system:authenticated"])
    );
    // Without the group, and in another namespace with it: no.
    assert_eq!(ask("shop", &[]).status.code(), Some(1));
    let output = ask("other", &["--as-group", "release-managers"]);
    assert_eq!(output.status.code(), Some(1));
    let answer: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(answer["allowed"], false);
    assert!(answer["grant"].is_null());
}

#[test]
fn errors_exit_two() {
    let cases: &[&[&str]] = &[
        // nothing to read
        &["rbac", "who-can", "get", "pods"],
        &["rbac", "can-i", "--as", "jane", "get", "pods"],
        // an input that cannot be read
        &[
            "rbac",
            "who-can",
            "get",
            "pods",
            "/nonexistent/garrison-rbac",
        ],
        &[
            "rbac",
            "can-i",
            "--as",
            "jane",
            "get",
            "pods",
            "/nonexistent/garrison-rbac",
        ],
        // --as is required
        &["rbac", "can-i", "get", "pods", "--demo"],
        // a non-resource URL has no namespace
        &[
            "rbac", "who-can", "get", "/healthz", "-n", "default", "--demo",
        ],
        // the group given twice
        &[
            "rbac",
            "who-can",
            "create",
            "deployments.apps",
            "--api-group",
            "apps",
            "--demo",
        ],
        // -A and -n together
        &[
            "rbac", "who-can", "get", "pods", "-A", "-n", "default", "--demo",
        ],
    ];
    for args in cases {
        let output = garrison(args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stdout(&output)
        );
        assert!(!stderr(&output).is_empty(), "{args:?}");
    }
}

#[test]
fn unreadable_rbac_objects_are_reported_and_left_out() {
    let manifests = "\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: broken}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: jane
";
    let output = with_stdin(&["rbac", "who-can", "get", "pods", "-"], manifests);
    assert_eq!(output.status.code(), Some(0));
    let errors = stderr(&output);
    assert!(
        errors.contains("ClusterRoleBinding broken: field /subjects: invalid type"),
        "{errors}"
    );
    assert_eq!(
        stdout(&output),
        "garrison rbac who-can: 0 subjects may get pods cluster-wide\n"
    );
}
