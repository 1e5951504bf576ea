//! The AWS half of the snapshot: the parsing pitfalls of the research note (§6.3), the peer
//! bugs the checks avoid (§6.4), casing, and UNKNOWN for data that is missing, failed or
//! unreadable. Each test builds a small snapshot in memory and runs the checks concerned.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use garrison_checks::{CHECKS, find_check, run_checks};
use garrison_core::loader::load_snapshot_files;
use garrison_core::{Config, Inventory, Status};
use serde_json::{Value, json};

/// `(check id, status, resource name, message)` of every result of `ids` over the snapshot.
fn scan(files: &[(&str, Value)], ids: &[&str]) -> Vec<(String, Status, String, String)> {
    let files = files
        .iter()
        .map(|(path, value)| {
            let text = match value {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            (path.to_string(), text)
        })
        .collect();
    let loaded = load_snapshot_files("test-snapshot", files);
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    let inventory = Inventory::new(loaded);
    let checks: Vec<_> = ids
        .iter()
        .map(|id| find_check(id).unwrap_or_else(|| panic!("no check {id}")))
        .collect();
    run_checks(&inventory, &Config::default(), &checks)
        .into_iter()
        .map(|f| {
            (
                f.check.id.to_string(),
                f.status,
                f.object.name.to_string(),
                f.message,
            )
        })
        .collect()
}

fn statuses(results: &[(String, Status, String, String)], id: &str) -> Vec<Status> {
    results
        .iter()
        .filter(|(check, ..)| check == id)
        .map(|(_, status, ..)| *status)
        .collect()
}

fn cluster(fields: Value) -> (&'static str, Value) {
    let mut cluster = json!({"name": "c", "arn": "arn:aws:eks:us-east-1:111122223333:cluster/c", "version": "1.33"});
    for (key, value) in fields.as_object().unwrap() {
        cluster[key] = value.clone();
    }
    (
        "aws/eks/describe-cluster.json",
        json!({ "cluster": cluster }),
    )
}

// §6.3 pitfall 1, and Prowler's `clusterLogging[0]`: the enabled types are the union of the
// entries with `enabled: true`, in whatever order EKS lists them.
#[test]
fn logging_is_the_union_of_enabled_entries() {
    let logging = json!({"logging": {"clusterLogging": [
        {"types": ["controllerManager", "scheduler"], "enabled": false},
        {"types": ["api", "audit"], "enabled": true},
        {"types": ["authenticator"], "enabled": true}
    ]}});
    let results = scan(
        &[cluster(logging)],
        &["EKS-LOG-001", "EKS-LOG-002", "EKS-LOG-003"],
    );
    assert_eq!(statuses(&results, "EKS-LOG-001"), [Status::Pass]);
    assert_eq!(statuses(&results, "EKS-LOG-002"), [Status::Pass]);
    let mut types = statuses(&results, "EKS-LOG-003");
    types.sort();
    assert_eq!(types, [Status::Fail, Status::Fail, Status::Pass]);
    let only_disabled =
        json!({"logging": {"clusterLogging": [{"types": ["audit"], "enabled": false}]}});
    let results = scan(&[cluster(only_disabled)], &["EKS-LOG-001"]);
    assert_eq!(statuses(&results, "EKS-LOG-001"), [Status::Fail]);
}

// §6.3 pitfall 2, and the peers that look only for 0.0.0.0/0: `::/0` is the internet too, and an
// absent list on an IPv6 cluster defaults to both.
#[test]
fn public_endpoint_open_to_ipv6_internet_fails() {
    let open_v6 = json!({"resourcesVpcConfig": {"endpointPublicAccess": true, "publicAccessCidrs": ["203.0.113.0/24", "::/0"]}});
    let results = scan(&[cluster(open_v6)], &["EKS-NET-002"]);
    let of = |cidr: &str| results.iter().find(|r| r.3.starts_with(cidr)).unwrap().1;
    assert_eq!(of("203.0.113.0/24"), Status::Pass);
    assert_eq!(of("::/0"), Status::Fail);
    let default_v6 = json!({"resourcesVpcConfig": {"endpointPublicAccess": true}, "kubernetesNetworkConfig": {"ipFamily": "ipv6"}});
    let results = scan(&[cluster(default_v6)], &["EKS-NET-002"]);
    assert_eq!(statuses(&results, "EKS-NET-002"), [Status::Fail]);
    assert!(results[0].3.contains("::/0"), "{}", results[0].3);
}

// §6.3 pitfall 3, and the peers that treat any encryptionConfig as a pass or its absence as
// "unencrypted": default envelope encryption from 1.28, and `resources` must hold `secrets`.
#[test]
fn secrets_encryption_is_version_aware_and_needs_secrets() {
    let results = scan(&[cluster(json!({"version": "1.30"}))], &["EKS-ENC-001"]);
    assert_eq!(results[0].1, Status::Fail);
    assert!(results[0].3.contains("AWS-owned"), "{}", results[0].3);
    let results = scan(&[cluster(json!({"version": "1.27"}))], &["EKS-ENC-001"]);
    assert!(
        results[0].3.contains("before Kubernetes 1.28"),
        "{}",
        results[0].3
    );
    let no_secrets = json!({"encryptionConfig": [{"resources": ["configmaps"], "provider": {"keyArn": "arn:aws:kms:us-east-1:1:key/k"}}]});
    let results = scan(&[cluster(no_secrets)], &["EKS-ENC-001"]);
    assert_eq!(results[0].1, Status::Fail);
    assert!(results[0].3.contains("does not cover secrets"));
}

fn vpc_cni(configuration: &str) -> (&'static str, Value) {
    (
        "aws/eks/addons/vpc-cni.json",
        json!({"addon": {"addonName": "vpc-cni", "addonVersion": "v1.20.4-eksbuild.2", "configurationValues": configuration}}),
    )
}

// §6.3 pitfall 4: configurationValues is JSON or YAML text; empty means the defaults
// (enableNetworkPolicy false). And Kubescape's bug: the VPC CNI engine counts.
#[test]
fn cni_configuration_is_read_as_json_or_yaml() {
    for text in [
        "{\"enableNetworkPolicy\": \"true\"}",
        "enableNetworkPolicy: \"true\"\n",
        "enableNetworkPolicy: true\nnodeAgent:\n  enablePolicyEventLogs: \"true\"\n",
    ] {
        let results = scan(&[cluster(json!({})), vpc_cni(text)], &["EKS-NP-001"]);
        assert_eq!(statuses(&results, "EKS-NP-001"), [Status::Pass], "{text}");
    }
    let results = scan(&[cluster(json!({})), vpc_cni("")], &["EKS-NP-001"]);
    assert_eq!(statuses(&results, "EKS-NP-001"), [Status::Fail]);
    let results = scan(
        &[
            cluster(json!({})),
            vpc_cni("enableNetworkPolicy: [unclosed"),
        ],
        &["EKS-NP-001"],
    );
    assert_eq!(statuses(&results, "EKS-NP-001"), [Status::Unknown]);
    assert!(
        results[0].3.contains("could not be read"),
        "{}",
        results[0].3
    );
}

// Prowler passes network policy whenever a cluster security group exists: it must not.
#[test]
fn a_cluster_security_group_is_not_network_policy_enforcement() {
    let with_group = json!({"resourcesVpcConfig": {"clusterSecurityGroupId": "sg-1"}});
    let results = scan(
        &[
            cluster(with_group),
            vpc_cni("{\"enableNetworkPolicy\": \"false\"}"),
        ],
        &["EKS-NP-001"],
    );
    assert_eq!(statuses(&results, "EKS-NP-001"), [Status::Fail]);
}

// §6.3 pitfall 5: aws-auth mappings are YAML inside ConfigMap strings; on an API-only cluster
// they are dead configuration, reported as a warning.
#[test]
fn aws_auth_mappings_on_an_api_cluster_are_dead_configuration() {
    let aws_auth = json!({"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "aws-auth", "namespace": "kube-system"},
        "data": {"mapRoles": "- rolearn: arn:aws:iam::1:role/old\n  username: old\n  groups: [system:masters]\n"}}]});
    let api = json!({"accessConfig": {"authenticationMode": "API"}});
    let results = scan(
        &[cluster(api.clone()), ("k8s/configmaps.json", aws_auth)],
        &["EKS-CAM-002"],
    );
    assert_eq!(statuses(&results, "EKS-CAM-002"), [Status::Warn]);
    let results = scan(&[cluster(api)], &["EKS-CAM-002"]);
    assert_eq!(statuses(&results, "EKS-CAM-002"), [Status::Pass]);
}

fn irsa_role(document: Value) -> Vec<(&'static str, Value)> {
    vec![
        cluster(json!({})),
        (
            "k8s/serviceaccounts.json",
            json!({"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1", "kind": "ServiceAccount",
                "metadata": {"name": "app", "namespace": "shop", "annotations": {"eks.amazonaws.com/role-arn": "arn:aws:iam::1:role/app"}}}]}),
        ),
        (
            "aws/iam/roles/app.role.json",
            json!({"Role": {"RoleName": "app", "Arn": "arn:aws:iam::1:role/app", "AssumeRolePolicyDocument": document}}),
        ),
    ]
}

const ISSUER: &str = "oidc.eks.us-east-1.amazonaws.com/id/ABC";

// §6.3 pitfall 6: policy documents decoded or URL-encoded; Action a string or a list;
// conditions under ForAnyValue:/ForAllValues: forms.
#[test]
fn irsa_trust_policies_in_every_encoding() {
    let scoped = json!({"Version": "2012-10-17", "Statement": {"Effect": "Allow",
        "Principal": {"Federated": format!("arn:aws:iam::1:oidc-provider/{ISSUER}")},
        "Action": ["sts:AssumeRoleWithWebIdentity"],
        "Condition": {"StringEquals": {format!("{ISSUER}:sub"): "system:serviceaccount:shop:app", format!("{ISSUER}:aud"): "sts.amazonaws.com"}}}});
    let results = scan(&irsa_role(scoped.clone()), &["EKS-IAM-007"]);
    assert_eq!(statuses(&results, "EKS-IAM-007"), [Status::Pass]);
    // The raw IAM API returns the document URL-encoded.
    let encoded: String = scoped
        .to_string()
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect();
    let results = scan(&irsa_role(Value::String(encoded)), &["EKS-IAM-007"]);
    assert_eq!(statuses(&results, "EKS-IAM-007"), [Status::Pass]);
    let wildcard = json!({"Statement": [{"Effect": "Allow",
        "Principal": {"Federated": format!("arn:aws:iam::1:oidc-provider/{ISSUER}")},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"ForAnyValue:StringLike": {format!("{ISSUER}:sub"): "system:serviceaccount:*"}}}]});
    let results = scan(&irsa_role(wildcard), &["EKS-IAM-007"]);
    assert_eq!(statuses(&results, "EKS-IAM-007"), [Status::Fail]);
    assert!(results[0].3.contains("wildcard"), "{}", results[0].3);
}

fn detector(document: Value) -> Vec<(&'static str, Value)> {
    vec![
        cluster(json!({})),
        ("aws/guardduty/get-detector.json", document),
    ]
}

// §6.3 pitfall 7: GuardDuty is PascalCase from the CLI and camelCase on the wire; both read the
// same. And Prowler's bug: the RUNTIME_MONITORING name counts, not only the legacy one.
#[test]
fn guardduty_reads_both_casings_and_both_feature_generations() {
    let pascal = json!({"Status": "ENABLED", "Features": [
        {"Name": "EKS_AUDIT_LOGS", "Status": "ENABLED"},
        {"Name": "EKS_RUNTIME_MONITORING", "Status": "DISABLED"},
        {"Name": "RUNTIME_MONITORING", "Status": "ENABLED", "AdditionalConfiguration": [{"Name": "EKS_ADDON_MANAGEMENT", "Status": "ENABLED"}]}]});
    let camel = json!({"status": "ENABLED", "features": [
        {"name": "EKS_AUDIT_LOGS", "status": "ENABLED"},
        {"name": "EKS_RUNTIME_MONITORING", "status": "DISABLED"},
        {"name": "RUNTIME_MONITORING", "status": "ENABLED", "additionalConfiguration": [{"name": "EKS_ADDON_MANAGEMENT", "status": "ENABLED"}]}]});
    let ids = ["EKS-GD-001", "EKS-GD-002", "EKS-GD-003", "EKS-GD-004"];
    let from_cli = scan(&detector(pascal), &ids);
    let from_wire = scan(&detector(camel), &ids);
    assert_eq!(from_cli, from_wire);
    for id in ids {
        assert_eq!(statuses(&from_cli, id), [Status::Pass], "{id}");
    }
    let legacy_only = json!({"Status": "ENABLED", "Features": [{"Name": "EKS_RUNTIME_MONITORING", "Status": "ENABLED"}],
        "DataSources": {"Kubernetes": {"AuditLogs": {"Status": "ENABLED"}}}});
    let results = scan(&detector(legacy_only), &["EKS-GD-002", "EKS-GD-003"]);
    assert_eq!(statuses(&results, "EKS-GD-002"), [Status::Pass]);
    assert_eq!(statuses(&results, "EKS-GD-003"), [Status::Pass]);
}

fn nodes(items: Value) -> (&'static str, Value) {
    (
        "k8s/nodes.json",
        json!({"apiVersion": "v1", "kind": "List", "items": items}),
    )
}

fn node(name: &str, provider: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "labels": {"eks.amazonaws.com/nodegroup": "ng"}},
        "spec": {"providerID": provider}, "status": {"nodeInfo": {"kubeletVersion": "v1.33.5-eks-1", "osImage": "Amazon Linux 2023"}}})
}

// §6.3 pitfalls 8 and 9, and hardeneks' `Instances[0]`: every instance of every reservation is
// read, matched to Nodes by providerID, so a drifted second instance is caught even when the
// launch template is right.
#[test]
fn instance_metadata_is_read_per_instance_not_per_reservation() {
    let instances = json!({"Reservations": [{"Instances": [
        {"InstanceId": "i-1", "MetadataOptions": {"HttpTokens": "required", "HttpPutResponseHopLimit": 1, "HttpEndpoint": "enabled"}},
        {"InstanceId": "i-2", "MetadataOptions": {"HttpTokens": "optional", "HttpPutResponseHopLimit": 2, "HttpEndpoint": "enabled"}},
        {"InstanceId": "i-not-a-node", "MetadataOptions": {"HttpTokens": "optional"}}]}]});
    let template = json!({"LaunchTemplateVersions": [{"LaunchTemplateId": "lt-1", "VersionNumber": 1,
        "LaunchTemplateData": {"MetadataOptions": {"HttpTokens": "required", "HttpPutResponseHopLimit": 1}}}]});
    let files = [
        cluster(json!({})),
        ("aws/ec2/describe-instances.json", instances),
        (
            "aws/ec2/describe-launch-template-versions/lt-1-1.json",
            template,
        ),
        nodes(json!([
            node("n1", "aws:///us-east-1a/i-1"),
            node("n2", "aws:///us-east-1b/i-2"),
            node(
                "fargate-ip-10-0-0-1",
                "aws:///us-east-1a/fargate-ip-10-0-0-1"
            )
        ])),
    ];
    let results = scan(&files, &["EKS-IAM-004", "EKS-IAM-005"]);
    let of = |id: &str, name: &str| {
        results
            .iter()
            .filter(|(check, _, resource, _)| check == id && resource == name)
            .map(|(_, status, ..)| *status)
            .collect::<Vec<_>>()
    };
    assert_eq!(of("EKS-IAM-004", "lt-1-1"), [Status::Pass]);
    assert_eq!(of("EKS-IAM-004", "i-1"), [Status::Pass]);
    assert_eq!(of("EKS-IAM-004", "i-2"), [Status::Fail]);
    assert_eq!(of("EKS-IAM-005", "i-2"), [Status::Fail]);
    // Only instances behind Nodes are judged; the Fargate node has no instance.
    assert!(of("EKS-IAM-004", "i-not-a-node").is_empty());
    assert_eq!(results.iter().filter(|r| r.0 == "EKS-IAM-004").count(), 3);
}

// §6.3 pitfall 8: a managed node group without a launch template of its own launches from a
// hidden EKS-created one, found through its Auto Scaling group; `$Default` is a version number
// found through describe-launch-templates.
#[test]
fn node_group_template_is_resolved_through_its_auto_scaling_group() {
    let group = json!({"nodegroup": {"nodegroupName": "ng", "resources": {"autoScalingGroups": [{"name": "eks-ng-1"}]}}});
    let groups = json!({"AutoScalingGroups": [{"AutoScalingGroupName": "eks-ng-1",
        "MixedInstancesPolicy": {"LaunchTemplate": {"LaunchTemplateSpecification": {"LaunchTemplateId": "lt-eks", "Version": "$Default"}}}}]});
    let templates = json!({"LaunchTemplates": [{"LaunchTemplateId": "lt-eks", "DefaultVersionNumber": 2, "LatestVersionNumber": 3}]});
    let version = |tokens: &str| {
        json!({"LaunchTemplateVersions": [{"LaunchTemplateId": "lt-eks",
        "LaunchTemplateData": {"MetadataOptions": {"HttpTokens": tokens, "HttpPutResponseHopLimit": 2}}}]})
    };
    let files = [
        cluster(json!({})),
        ("aws/eks/nodegroups/ng.json", group),
        ("aws/autoscaling/describe-auto-scaling-groups.json", groups),
        ("aws/ec2/describe-launch-templates.json", templates),
        (
            "aws/ec2/describe-launch-template-versions/lt-eks-2.json",
            version("optional"),
        ),
        (
            "aws/ec2/describe-launch-template-versions/lt-eks-3.json",
            version("required"),
        ),
    ];
    let results = scan(&files, &["EKS-IAM-004"]);
    let group = results.iter().find(|r| r.2 == "ng").unwrap();
    assert_eq!(group.1, Status::Fail, "{}", group.3);
    assert!(group.3.contains("lt-eks-2"), "{}", group.3);
    // Without the Auto Scaling groups, the node group's template is unknown, not assumed.
    let results = scan(&files[..2], &["EKS-IAM-004"]);
    let group = results.iter().find(|r| r.2 == "ng").unwrap();
    assert_eq!(group.1, Status::Unknown);
    assert!(
        group.3.contains("describe-auto-scaling-groups"),
        "{}",
        group.3
    );
}

// §6.3 pitfall 10: new or optional members may be missing; they are UNKNOWN or not applicable,
// never a guess.
#[test]
fn optional_members_absent_are_unknown_not_fail() {
    let results = scan(
        &[cluster(json!({}))],
        &["EKS-MGD-009", "EKS-AUTO-001", "EKS-CAM-001"],
    );
    assert_eq!(statuses(&results, "EKS-MGD-009"), [Status::Unknown]);
    assert_eq!(statuses(&results, "EKS-AUTO-001"), [Status::NotApplicable]);
    assert_eq!(statuses(&results, "EKS-CAM-001"), [Status::Unknown]);
}

fn access_entry(name: &str, kind: &str, policy: &str) -> Vec<(String, Value)> {
    let principal = format!("arn:aws:iam::1:role/{name}");
    vec![
        (
            format!("aws/eks/access-entries/{name}.describe.json"),
            json!({"accessEntry": {"principalArn": principal, "type": kind, "kubernetesGroups": []}}),
        ),
        (
            format!("aws/eks/access-entries/{name}.policies.json"),
            json!({"principalArn": principal, "associatedAccessPolicies": [{"policyArn": format!("arn:aws:eks::aws:cluster-access-policy/{policy}"), "accessScope": {"type": "cluster", "namespaces": []}}]}),
        ),
    ]
}

// §6.3 pitfall 11: node-type access entries are not people and are never reported as admins.
#[test]
fn node_access_entries_are_not_reported_as_administrators() {
    let mut files: Vec<(String, Value)> =
        access_entry("nodes", "EC2_LINUX", "AmazonEKSClusterAdminPolicy");
    files.extend(access_entry(
        "admin",
        "STANDARD",
        "AmazonEKSClusterAdminPolicy",
    ));
    files.push((
        "aws/eks/describe-cluster.json".to_string(),
        cluster(json!({})).1,
    ));
    let files: Vec<(&str, Value)> = files.iter().map(|(p, v)| (p.as_str(), v.clone())).collect();
    let results = scan(&files, &["EKS-CAM-004"]);
    assert_eq!(results.len(), 1, "{results:?}");
    assert_eq!(results[0].1, Status::Fail);
    assert_eq!(results[0].2, "arn:aws:iam::1:role/admin");
}

// §6.3 pitfall 13: the kubelet's configz needs nodes/proxy; a node without it is UNKNOWN, and a
// collection failure says why.
#[test]
fn kubelet_checks_are_unknown_without_configz() {
    let manifest = json!({"calls": [], "failed": [{"call": "k8s:GetNodeConfigz", "file": "k8s/nodes/n2.configz.json", "error": "Forbidden: cannot get nodes/proxy"}]});
    let configz = json!({"kubeletconfig": {"readOnlyPort": 0}});
    let files = [
        ("manifest.json", manifest),
        ("k8s/nodes/n1.configz.json", configz),
        nodes(json!([
            node("n1", "aws:///a/i-1"),
            node("n2", "aws:///a/i-2"),
            node("n3", "aws:///a/i-3")
        ])),
    ];
    let results = scan(&files, &["EKS-CIS-3.2.4"]);
    let find = |name: &str| results.iter().find(|r| r.2 == name).unwrap();
    assert_eq!(find("n1").1, Status::Pass);
    assert_eq!(find("n2").1, Status::Unknown);
    assert!(find("n2").3.contains("Forbidden"), "{}", find("n2").3);
    assert_eq!(find("n3").1, Status::Unknown);
    assert!(find("n3").3.contains("not collected"), "{}", find("n3").3);
}

/// Every cluster-level check, on a snapshot with a manifest but no AWS documents at all, reports
/// UNKNOWN (or nothing, or not applicable) and never PASS or FAIL.
#[test]
fn nothing_collected_is_never_a_pass() {
    let ids: Vec<&str> = CHECKS
        .iter()
        .filter(|check| matches!(check.runner, garrison_checks::Runner::Cluster { .. }))
        .map(|check| check.meta.id)
        .collect();
    assert!(ids.len() >= 80, "{} cluster checks", ids.len());
    let manifest = json!({"cluster": "c", "calls": [], "failed": []});
    let results = scan(&[("manifest.json", manifest)], &ids);
    let decided: Vec<_> = results
        .iter()
        .filter(|(_, status, ..)| matches!(status, Status::Pass | Status::Fail | Status::Warn))
        .collect();
    assert!(decided.is_empty(), "decided without data: {decided:#?}");
    assert!(results.iter().filter(|r| r.1 == Status::Unknown).count() >= 40);
}

// A call the manifest records as failed is UNKNOWN with the error; an unreadable document is
// UNKNOWN naming the member at fault.
#[test]
fn failed_and_unreadable_documents_are_unknown_with_the_reason() {
    let manifest = json!({"failed": [{"call": "eks:DescribeCluster", "file": "aws/eks/describe-cluster.json", "error": "AccessDeniedException: not authorized"}]});
    let results = scan(
        &[("manifest.json", manifest)],
        &["EKS-NET-001", "EKS-LOG-001"],
    );
    for (_, status, _, message) in &results {
        assert_eq!(*status, Status::Unknown);
        assert!(message.contains("AccessDeniedException"), "{message}");
    }
    let mistyped =
        json!({"cluster": {"name": "c", "resourcesVpcConfig": {"endpointPublicAccess": "yes"}}});
    let results = scan(
        &[("aws/eks/describe-cluster.json", mistyped)],
        &["EKS-NET-001"],
    );
    assert_eq!(results[0].1, Status::Unknown);
    assert!(
        results[0].3.contains("could not be read") && results[0].3.contains("endpointPublicAccess"),
        "{}",
        results[0].3
    );
}

/// Input that is not a snapshot (plain manifests) gets no cluster-level results at all.
#[test]
fn plain_manifests_get_no_cluster_results() {
    let loaded = garrison_core::loader::load_text(
        "pod.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: nginx\n",
    );
    let inventory = Inventory::new(loaded);
    let checks: Vec<_> = CHECKS
        .iter()
        .filter(|check| matches!(check.runner, garrison_checks::Runner::Cluster { .. }))
        .collect();
    assert!(run_checks(&inventory, &Config::default(), &checks).is_empty());
}

/// Session Manager preferences: a missing document (the account never saved preferences) is a
/// FAIL, since the defaults log nothing; another failure of the call stays UNKNOWN.
#[test]
fn session_logging_without_a_preferences_document() {
    let failed = |error: &str| {
        (
            "manifest.json",
            json!({"failed": [{"call": "ssm:GetDocument",
                               "file": "aws/ssm/get-document/SSM-SessionManagerRunShell.json",
                               "error": error}]}),
        )
    };
    // A missing document means the defaults (nothing logged); a denied call means unknown.
    for (error, status, said) in [
        (
            "InvalidDocument: The specified document does not exist.",
            Status::Fail,
            "no Session Manager preferences",
        ),
        (
            "AccessDeniedException: not authorized to perform ssm:GetDocument",
            Status::Unknown,
            "AccessDeniedException",
        ),
    ] {
        let results = scan(&[failed(error)], &["EKS-NODE-005"]);
        assert_eq!(statuses(&results, "EKS-NODE-005"), [status], "{results:?}");
        assert!(results[0].3.contains(said), "{results:?}");
    }
}
