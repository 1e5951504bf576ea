//! who-can and can-i over the demo snapshot (`examples/demo-snapshot`): RBAC objects from
//! `k8s/*.json`, EKS access entries from `aws/eks/access-entries/`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use garrison_authz::rbac::{Authorizer, Grant, Request, Scope, UserInfo, Via};
use garrison_core::{LoadOptions, load_paths};

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/demo-snapshot");

fn demo() -> Authorizer {
    let loaded = load_paths(&[DEMO.to_string()], &LoadOptions::default());
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    let (authorizer, diagnostics) =
        Authorizer::from_objects(&loaded.objects, loaded.snapshot.as_ref());
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    assert_eq!(authorizer.access_entries().len(), 4);
    authorizer
}

fn subjects(grants: &[Grant]) -> Vec<String> {
    let mut subjects: Vec<String> = grants.iter().map(|g| g.subject.to_string()).collect();
    subjects.sort();
    subjects.dedup();
    subjects
}

fn grant_of<'a>(grants: &'a [Grant], subject: &str) -> &'a Grant {
    grants
        .iter()
        .find(|grant| grant.subject.to_string() == subject)
        .unwrap_or_else(|| panic!("{subject} not among {:#?}", subjects(grants)))
}

const CI_DEPLOYER: &str =
    "User arn:aws:iam::111122223333:user/ci-deployer (EKS access entry, in group platform-admins)";
const PLATFORM_ADMIN: &str = "User arn:aws:sts::111122223333:assumed-role/platform-admin/{{SessionName}} \
                              (EKS access entry arn:aws:iam::111122223333:role/platform-admin)";
const DEV_TEAM: &str = "User arn:aws:sts::111122223333:assumed-role/dev-team/{{SessionName}} \
                        (EKS access entry arn:aws:iam::111122223333:role/dev-team)";
const DEV_TEAM_IN_GROUP: &str = "User arn:aws:sts::111122223333:assumed-role/dev-team/{{SessionName}} \
                                 (EKS access entry arn:aws:iam::111122223333:role/dev-team, in \
                                 group payments-devs)";

#[test]
fn who_can_read_secrets_in_platform_tools() {
    let grants =
        demo().who_can(&Request::resource("get", "", "secrets").in_namespace("platform-tools"));
    let found = subjects(&grants);
    for expected in [
        "Group platform-admins",
        "Group system:masters",
        "ServiceAccount platform-tools/ci-runner",
        "ServiceAccount platform-tools/external-secrets",
        "User eks:addon-manager",
        CI_DEPLOYER,
        PLATFORM_ADMIN,
    ] {
        assert!(
            found.iter().any(|s| s == expected),
            "{expected} missing from {found:#?}"
        );
    }
    // view (payments) and AmazonEKSEditPolicy (checkout, analytics) do not reach here.
    assert!(
        !found
            .iter()
            .any(|s| s.contains("dev-team") || s.contains("payments-devs")),
        "{found:#?}"
    );
    // ingress-nginx may only list and watch secrets cluster-wide, not get them.
    assert!(
        !found
            .iter()
            .any(|s| s == "ServiceAccount ingress-nginx/ingress-nginx")
    );

    let ci_runner = grant_of(&grants, "ServiceAccount platform-tools/ci-runner");
    assert_eq!(
        ci_runner.binding.to_string(),
        "RoleBinding platform-tools/ci-runner-edit"
    );
    assert_eq!(ci_runner.role.to_string(), "ClusterRole edit");
    assert_eq!(ci_runner.rule.index, 0);
    let admin = grant_of(&grants, PLATFORM_ADMIN);
    assert_eq!(
        admin.binding.to_string(),
        "access policy AmazonEKSClusterAdminPolicy (cluster) of EKS access entry \
         arn:aws:iam::111122223333:role/platform-admin"
    );
}

#[test]
fn access_policies_apply_in_their_namespaces_only() {
    let authorizer = demo();
    let checkout =
        authorizer.who_can(&Request::resource("get", "", "secrets").in_namespace("checkout"));
    let grant = grant_of(&checkout, DEV_TEAM);
    assert!(
        matches!(&grant.binding, Via::AccessPolicy { policy, .. } if policy == "AmazonEKSEditPolicy")
    );
    let payments =
        authorizer.who_can(&Request::resource("get", "", "secrets").in_namespace("payments"));
    assert!(!subjects(&payments).iter().any(|s| s.contains("dev-team")));
}

#[test]
fn who_can_read_pods_in_payments_names_the_group_and_its_access_entry() {
    let grants = demo().who_can(&Request::resource("list", "", "pods").in_namespace("payments"));
    let group = grant_of(&grants, "Group payments-devs");
    assert_eq!(
        group.binding.to_string(),
        "RoleBinding payments/payments-devs-view"
    );
    grant_of(&grants, DEV_TEAM_IN_GROUP);
    grant_of(&grants, DEV_TEAM);
}

#[test]
fn aggregated_rules_reach_view_and_edit() {
    let request = Request::resource("get", "monitoring.coreos.com", "prometheusrules")
        .in_namespace("payments");
    let grants = demo().who_can(&request);
    let group = grant_of(&grants, "Group payments-devs");
    assert_eq!(group.role.to_string(), "ClusterRole view");
    assert_eq!(
        group.rule.role.to_string(),
        "ClusterRole kube-prometheus-stack-crd-view"
    );
    assert_eq!(
        group.rule.describe(&group.role),
        "rules[0] of ClusterRole kube-prometheus-stack-crd-view, aggregated"
    );
    // edit aggregates view, so ci-runner (edit in platform-tools) has it there, transitively.
    let request = request.in_namespace("platform-tools");
    let grants = demo().who_can(&request);
    grant_of(&grants, "ServiceAccount platform-tools/ci-runner");
}

#[test]
fn cluster_scoped_requests_ignore_role_bindings() {
    let grants = demo().who_can(&Request::resource("create", "", "persistentvolumes"));
    let found = subjects(&grants);
    assert!(
        found
            .iter()
            .any(|s| s == "ServiceAccount kube-system/ebs-csi-controller-sa")
    );
    // payments-devs-storage binds storage-admin (which lists persistentvolumes) with a RoleBinding.
    assert!(
        !found.iter().any(|s| s.contains("payments-devs")),
        "{found:#?}"
    );
    let anywhere = demo().who_can(
        &Request::resource("create", "", "persistentvolumeclaims").with_scope(Scope::AnyNamespace),
    );
    assert!(
        subjects(&anywhere)
            .iter()
            .any(|s| s == "Group payments-devs")
    );
}

#[test]
fn who_can_read_metrics() {
    let found = subjects(&demo().who_can(&Request::non_resource("get", "/metrics")));
    for expected in [
        "ServiceAccount monitoring/prometheus",
        "ServiceAccount platform-tools/fluent-bit",
        "User eks:k8s-metrics",
        "User system:anonymous",
    ] {
        assert!(
            found.iter().any(|s| s == expected),
            "{expected} missing from {found:#?}"
        );
    }
}

#[test]
fn can_i_as_access_entry_and_service_account() {
    let authorizer = demo();
    let alice =
        UserInfo::impersonated("arn:aws:sts::111122223333:assumed-role/dev-team/alice", &[]);
    let grant = authorizer
        .can_i(
            &alice,
            &Request::resource("get", "", "pods").in_namespace("payments"),
        )
        .unwrap();
    assert_eq!(
        grant.binding.to_string(),
        "RoleBinding payments/payments-devs-view"
    );
    assert_eq!(
        grant.subject.access_entry.as_deref(),
        Some("arn:aws:iam::111122223333:role/dev-team")
    );
    assert!(
        authorizer
            .can_i(
                &alice,
                &Request::resource("delete", "", "pods").in_namespace("payments")
            )
            .is_none()
    );
    let grant = authorizer
        .can_i(
            &alice,
            &Request::resource("create", "apps", "deployments").in_namespace("checkout"),
        )
        .unwrap();
    assert_eq!(grant.role.to_string(), "access policy AmazonEKSEditPolicy");

    let fluent_bit = UserInfo::impersonated("system:serviceaccount:platform-tools:fluent-bit", &[]);
    let grant = authorizer
        .can_i(
            &fluent_bit,
            &Request::resource("get", "", "nodes/proxy").named("ip-10-0-12-34.ec2.internal"),
        )
        .unwrap();
    assert_eq!(
        grant.binding.to_string(),
        "ClusterRoleBinding fluent-bit-role-binding"
    );
    assert!(
        authorizer
            .can_i(&fluent_bit, &Request::resource("create", "", "nodes/proxy"))
            .is_none()
    );
}
