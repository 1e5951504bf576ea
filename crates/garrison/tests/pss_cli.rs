//! `garrison pss` as a user meets it: exit codes, the JSON shape, and the API server's own text.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{stderr, stdout, with_stdin};

use std::process::Output;

use serde_json::Value;

fn json_of(output: &Output) -> Vec<Value> {
    serde_json::from_str::<Value>(&stdout(output))
        .unwrap_or_else(|error| panic!("not JSON ({error}): {}", stdout(output)))
        .as_array()
        .expect("a JSON array")
        .clone()
}

const WEB_POD: &str = "\
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: apps
spec:
  containers:
  - name: app
    image: nginx:1.27
";

const COMPLIANT_DEPLOYMENT: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: apps
spec:
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      securityContext:
        runAsNonRoot: true
        seccompProfile: {type: RuntimeDefault}
      containers:
      - name: api
        image: api:1
        securityContext:
          allowPrivilegeEscalation: false
          capabilities: {drop: [ALL]}
";

const HOST_CRONJOB: &str = "\
apiVersion: batch/v1
kind: CronJob
metadata:
  name: backup
  namespace: ops
spec:
  schedule: '0 * * * *'
  jobTemplate:
    spec:
      template:
        metadata:
          annotations:
            container.apparmor.security.beta.kubernetes.io/dump: unconfined
        spec:
          restartPolicy: Never
          hostPID: true
          containers:
          - name: dump
            image: busybox
";

const RESTRICTED_DENIAL: &str = concat!(
    r#"pods "web" is forbidden: violates PodSecurity "restricted:v1.30": "#,
    r#"allowPrivilegeEscalation != false (container "app" must set securityContext.allowPrivilegeEscalation=false), "#,
    r#"unrestricted capabilities (container "app" must set securityContext.capabilities.drop=["ALL"]), "#,
    r#"runAsNonRoot != true (pod or container "app" must set securityContext.runAsNonRoot=true), "#,
    r#"seccompProfile (pod or container "app" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")"#,
);

#[test]
fn json_has_one_element_per_evaluated_object_with_the_api_servers_messages() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("apps.yaml");
    let service =
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  ports: [{port: 80}]\n";
    std::fs::write(
        &file,
        format!("{WEB_POD}---\n{COMPLIANT_DEPLOYMENT}---\n{service}---\n{HOST_CRONJOB}"),
    )
    .unwrap();
    let path = file.to_str().unwrap();
    let output = with_stdin(&["pss", "--version", "v1.30", "--format", "json", path], "");
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let items = json_of(&output);
    assert_eq!(items.len(), 3, "the Service has no pod spec: {items:#?}");

    let pod = &items[0];
    // The key set, whatever the order: serde_json keeps document order when a dependency
    // (cedar-policy) enables its `preserve_order` feature.
    let mut keys: Vec<&str> = pod
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    let mut expected_keys = vec![
        "allowed",
        "kind",
        "line",
        "message",
        "name",
        "namespace",
        "policy",
        "reasons",
        "source",
    ];
    expected_keys.sort_unstable();
    assert_eq!(keys, expected_keys);
    assert_eq!(pod["source"], path);
    assert_eq!(pod["line"], 1);
    assert_eq!(pod["kind"], "Pod");
    assert_eq!(pod["namespace"], "apps");
    assert_eq!(pod["name"], "web");
    assert_eq!(pod["policy"], "restricted:v1.30");
    assert_eq!(pod["allowed"], false);
    assert_eq!(
        pod["reasons"],
        serde_json::json!([
            "allowPrivilegeEscalation != false",
            "unrestricted capabilities",
            "runAsNonRoot != true",
            "seccompProfile"
        ])
    );
    assert_eq!(pod["message"], RESTRICTED_DENIAL);

    let deployment = &items[1];
    assert_eq!(deployment["kind"], "Deployment");
    assert_eq!(deployment["line"], 11);
    assert_eq!(deployment["allowed"], true);
    assert_eq!(deployment["reasons"], serde_json::json!([]));
    assert_eq!(deployment["message"], Value::Null);

    // A workload is judged through its pod template, with the warning text; the template's
    // annotations count, and templates get no create-time AppArmor copying.
    let cronjob = &items[2];
    assert_eq!(cronjob["kind"], "CronJob");
    assert_eq!(cronjob["namespace"], "ops");
    assert_eq!(cronjob["allowed"], false);
    let message = cronjob["message"].as_str().unwrap();
    assert!(
        message.starts_with(concat!(
            r#"would violate PodSecurity "restricted:v1.30": "#,
            r#"forbidden AppArmor profile (annotation must not set AppArmor profile type to "container.apparmor.security.beta.kubernetes.io/dump="unconfined""), "#,
            r#"host namespaces (hostPID=true), allowPrivilegeEscalation != false (container "dump""#
        )),
        "{message}"
    );
}

#[test]
fn exit_code_is_zero_when_everything_is_allowed() {
    let output = with_stdin(&["pss", "-", "--format", "json"], COMPLIANT_DEPLOYMENT);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let items = json_of(&output);
    assert_eq!(items[0]["source"], "<stdin>");
    assert_eq!(items[0]["policy"], "restricted:latest");

    // The same pod passes baseline.
    let output = with_stdin(&["pss", "--level", "baseline", "-"], WEB_POD);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
}

#[test]
fn the_table_names_each_object_and_prints_the_message() {
    let output = with_stdin(&["pss", "--version", "v1.30", "-"], WEB_POD);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(text.contains("<stdin>:1  Pod apps/web  denied"), "{text}");
    assert!(text.contains(RESTRICTED_DENIAL), "{text}");
    assert!(
        text.ends_with(
            "garrison pss: 1 object judged against restricted:v1.30: 0 allowed, 1 violate\n"
        ),
        "{text}"
    );
}

#[test]
fn a_generate_name_pod_is_denied_without_a_name() {
    let pod = WEB_POD.replace("name: web", "generateName: web-");
    let output = with_stdin(&["pss", "-f", "json", "-"], &pod);
    assert_eq!(output.status.code(), Some(1));
    let items = json_of(&output);
    let message = items[0]["message"].as_str().unwrap();
    assert!(
        message.starts_with(r#"pods is forbidden: violates PodSecurity "restricted:latest": "#),
        "{message}"
    );
}

#[test]
fn usage_and_input_errors_exit_with_two() {
    for args in [
        vec!["pss", "--version", "1.30", "-"],
        vec!["pss", "--version", "v1.05", "-"],
        vec!["pss", "--level", "strict", "-"],
        vec!["pss", "--level", "privileged", "-"],
        vec!["pss", "--format", "sarif", "-"],
        vec!["pss"],
    ] {
        let output = with_stdin(&args, WEB_POD);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    let output = with_stdin(&["pss", "/nonexistent/pods.yaml"], "");
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("/nonexistent/pods.yaml"));

    let mistyped = WEB_POD.replace("  containers:", "  hostNetwork: yes-please\n  containers:");
    let output = with_stdin(&["pss", "-"], &mistyped);
    assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
    assert!(
        stderr(&output).contains("hostNetwork"),
        "{}",
        stderr(&output)
    );
}
