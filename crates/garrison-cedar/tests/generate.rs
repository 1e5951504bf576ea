//! `garrison authz schema --snapshot`: the schema generated from a cluster's discovery and
//! OpenAPI documents (`tests/schema-snapshot/`, real upstream documents trimmed, and a CRD) parses
//! with cedar-policy, keeps every policy the shipped schema accepts, types admission objects, and
//! refuses policies that name fields the objects do not have.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use garrison_cedar::Policies;
use garrison_cedar::generate::{ClusterApi, Generated, generate};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schema-snapshot")
}

fn generated() -> Generated {
    let api = ClusterApi::from_snapshot(&fixture()).unwrap();
    generate(&api).unwrap()
}

fn schema(generated: &Generated) -> cedar_policy::Schema {
    cedar_policy::Schema::from_cedarschema_str(&generated.text)
        .unwrap_or_else(|error| panic!("{:?}\n{}", miette::Report::new(error), generated.text))
        .0
}

#[test]
fn the_fixture_cluster_has_its_kinds_and_a_crd() {
    let generated = generated();
    assert_eq!(
        generated.entity_types,
        [
            "com::example::stable::v1::CronTab",
            "io::k8s::networking::v1::NetworkPolicy"
        ]
    );
    // Discovery lists Ingress and IngressClass, the trimmed OpenAPI document does not.
    assert_eq!(generated.warnings.len(), 2, "{:?}", generated.warnings);
    assert!(generated.warnings[0].starts_with("Ingress (networking.k8s.io/v1)"));
    assert!(generated.warnings[1].starts_with("IngressClass (networking.k8s.io/v1)"));
    let schema = schema(&generated);
    let types: Vec<String> = schema.entity_types().map(|t| t.to_string()).collect();
    for expected in [
        "com::example::stable::v1::CronTab",
        "io::k8s::networking::v1::NetworkPolicy",
        "k8s::Resource",
        "k8s::User",
    ] {
        assert!(
            types.iter().any(|t| t == expected),
            "{expected} in {types:?}"
        );
    }
    // The shared actions take the admission kinds as resources.
    let create: Vec<String> = schema
        .resources_for_action(&r#"k8s::Action::"create""#.parse().unwrap())
        .unwrap()
        .map(|t| t.to_string())
        .collect();
    assert!(
        create.contains(&"com::example::stable::v1::CronTab".to_string()),
        "{create:?}"
    );
    assert!(create.contains(&"k8s::Resource".to_string()), "{create:?}");
    let get: Vec<String> = schema
        .resources_for_action(&r#"k8s::Action::"get""#.parse().unwrap())
        .unwrap()
        .map(|t| t.to_string())
        .collect();
    assert!(!get.iter().any(|t| t.contains("CronTab")), "{get:?}");
}

/// The shipped example policies (the CLI tests' policy directory and every valid case file)
/// validate against the generated schema as they do against the shipped one.
#[test]
fn shipped_policies_still_validate() {
    let schema = schema(&generated());
    let mut sources = Vec::new();
    let shop = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../garrison/tests/data/authz/policies/shop.cedar");
    sources.push((
        "shop.cedar".to_string(),
        std::fs::read_to_string(&shop).unwrap_or_else(|error| panic!("{shop:?}: {error}")),
    ));
    let cases = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut files: Vec<_> = std::fs::read_dir(&cases)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    for file in files {
        let case: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        if case.get("policyError").is_some() {
            continue;
        }
        let lines: Vec<&str> = case["policies"]
            .as_array()
            .unwrap()
            .iter()
            .map(|line| line.as_str().unwrap())
            .collect();
        sources.push((file.display().to_string(), lines.join("\n")));
    }
    assert!(sources.len() >= 8, "expected the case files in {cases:?}");
    for (file, text) in &sources {
        let shipped = garrison_cedar::schema::schema().unwrap();
        let pair = [(file.clone(), text.clone())];
        Policies::from_sources(&pair, &shipped).unwrap_or_else(|error| panic!("{file}: {error}"));
        Policies::from_sources(&pair, &schema)
            .unwrap_or_else(|error| panic!("{file} against the generated schema: {error}"));
    }
}

#[test]
fn admission_policies_are_typed_by_the_objects() {
    let schema = schema(&generated());
    let good = r#"
@id("crontab-replicas")
forbid(principal, action == k8s::Action::"create", resource is com::example::stable::v1::CronTab)
  when { resource has spec && resource.spec has replicas && resource.spec.replicas > 5 };

@id("netpol-locked")
forbid(principal, action == k8s::Action::"update", resource is io::k8s::networking::v1::NetworkPolicy)
  when { resource has oldObject && resource.oldObject.hasTag("locked") };

@id("netpol-selector")
forbid(principal, action in [k8s::Action::"create", k8s::Action::"update"], resource is io::k8s::networking::v1::NetworkPolicy)
  when { resource has metadata && resource.metadata has annotations
         && resource.metadata.annotations.contains({key: "example.com/open", value: "true"})
         && resource has spec && resource.spec.podSelector has matchLabels && resource.spec.podSelector.matchLabels.isEmpty() };

@id("crontab-env")
permit(principal in k8s::Group::"ops", action == k8s::Action::"delete", resource is com::example::stable::v1::CronTab)
  when { resource has spec && resource.spec has env && resource.spec.env.contains({key: "TIER", value: "batch"}) };
"#;
    let policies = Policies::from_sources(
        &[("admission.cedar".to_string(), good.to_string())],
        &schema,
    )
    .unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(policies.len(), 4);

    for (bad, expected) in [
        // A field the CRD does not have.
        (
            r#"forbid(principal, action == k8s::Action::"create", resource is com::example::stable::v1::CronTab) when { resource.spec.schedule == "x" };"#,
            "schedule",
        ),
        // Untyped (preserve-unknown-fields) parts are not in the schema.
        (
            r#"forbid(principal, action == k8s::Action::"create", resource is com::example::stable::v1::CronTab) when { resource has spec && resource.spec.template == "x" };"#,
            "template",
        ),
        // A number is a string.
        (
            r#"forbid(principal, action == k8s::Action::"create", resource is com::example::stable::v1::CronTab) when { resource.spec.weight > 1 };"#,
            "weight",
        ),
    ] {
        let error = Policies::from_sources(&[("bad.cedar".to_string(), bad.to_string())], &schema)
            .expect_err(bad)
            .to_string();
        assert!(error.contains(expected), "{bad}: {error}");
    }
}

#[test]
fn generated_schema_snapshot() {
    let generated = generated();
    // Only the generated namespaces: the `k8s` one is the shipped schema.
    let start = generated
        .text
        .find("namespace com::example::stable::v1")
        .expect("the CRD's namespace");
    insta::assert_snapshot!("fixture_schema", &generated.text[start..]);
}

#[test]
fn an_empty_snapshot_is_an_error_naming_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let error = ClusterApi::from_snapshot(dir.path())
        .unwrap_err()
        .to_string();
    assert!(error.contains("k8s/discovery/*.json"), "{error}");
    assert!(error.contains("k8s/openapi/v3/*.json"), "{error}");
}

/// A policy the validator accepts with a warning loads, and the warning names its file and line:
/// here a namespace name whose first letter is Cyrillic, so it reads as `ci` but is not.
#[test]
fn validator_warnings_are_kept_with_file_and_line() {
    let schema = garrison_cedar::schema::schema().unwrap();
    let text = "permit(principal == k8s::User::\"admin\", action == k8s::Action::\"impersonate\", resource == k8s::User::\"alice\");\n\
                permit(principal == k8s::User::\"admin\", action == k8s::Action::\"impersonate\", resource is k8s::ServiceAccount) when { resource.namespace == \"\u{0441}i\" };\n";
    let policies =
        Policies::from_sources(&[("mixed.cedar".to_string(), text.to_string())], &schema)
            .expect("warnings do not refuse a policy set");
    assert_eq!(policies.len(), 2);
    let warnings = policies.warnings();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].starts_with("mixed.cedar:2: policy mixed.cedar:2: "),
        "{warnings:?}"
    );
    assert!(warnings[0].contains("mix"), "{warnings:?}");

    let clean = Policies::from_sources(
        &[("clean.cedar".to_string(), text.replace('\u{0441}', "c"))],
        &schema,
    )
    .unwrap();
    assert!(clean.warnings().is_empty(), "{:?}", clean.warnings());
}
