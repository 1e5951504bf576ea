//! What the upstream fixture suite covers only loosely: exact details (upstream's own table tests
//! in `policy/check_*_test.go`), every version boundary, the restricted-over-baseline overrides,
//! Windows and user-namespace exemptions, message order and pluralisation, the empty-name form,
//! and the API server's defaulting and create-time mutations.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use garrison_checks::pss::{
    Forbidden, NEWEST_POLICY_VERSION, PssCheckId, PssLevel, PssParseError, PssPolicy, PssVersion,
    evaluate_pod, evaluate_pod_template, forbidden_detail, go_quote, pod_forbidden_message,
    violation_message, warning_message,
};
use k8s_openapi::api::core::v1::PodSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Deserialize;
use serde_json::{Value, json};

use PssLevel::{Baseline, Privileged, Restricted};

struct Pod {
    metadata: ObjectMeta,
    spec: PodSpec,
}

fn pod(metadata: Value, spec: Value) -> Pod {
    Pod {
        metadata: ObjectMeta::deserialize(&metadata).unwrap(),
        spec: PodSpec::deserialize(&spec).unwrap(),
    }
}

fn spec_only(spec: Value) -> Pod {
    pod(json!({"name": "p"}), spec)
}

fn v(minor: u32) -> PssVersion {
    PssVersion::v1(minor)
}

fn eval(level: PssLevel, version: PssVersion, pod: &Pod) -> Vec<Forbidden> {
    evaluate_pod(level, version, &pod.metadata, &pod.spec)
}

fn checks(level: PssLevel, version: PssVersion, pod: &Pod) -> Vec<PssCheckId> {
    eval(level, version, pod).iter().map(|f| f.check).collect()
}

/// The only forbidden result at `level`/`version`, as (reason, detail).
fn only(level: PssLevel, version: PssVersion, pod: &Pod) -> (&'static str, String) {
    let forbidden = eval(level, version, pod);
    assert_eq!(forbidden.len(), 1, "{forbidden:#?}");
    let Forbidden { reason, detail, .. } = forbidden.into_iter().next().unwrap();
    (reason, detail)
}

/// The result of one check, which must have fired.
fn result_of(
    level: PssLevel,
    version: PssVersion,
    pod: &Pod,
    check: PssCheckId,
) -> (&'static str, String) {
    let forbidden = eval(level, version, pod);
    let found = forbidden.iter().find(|f| f.check == check);
    let found = found.unwrap_or_else(|| panic!("{check} did not fire: {forbidden:#?}"));
    (found.reason, found.detail.clone())
}

/// A container that passes every restricted check on its own (with a pod-level runAsNonRoot or
/// not: it sets its own).
fn good(name: &str) -> Value {
    json!({
        "name": name,
        "image": "registry.k8s.io/pause",
        "securityContext": {
            "allowPrivilegeEscalation": false,
            "capabilities": {"drop": ["ALL"]},
            "runAsNonRoot": true,
            "seccompProfile": {"type": "RuntimeDefault"}
        }
    })
}

/// `good(name)` with extra securityContext fields merged in.
fn good_with(name: &str, security_context: Value) -> Value {
    let mut container = good(name);
    for (key, value) in security_context.as_object().unwrap() {
        container["securityContext"][key] = value.clone();
    }
    container
}

fn restricted_pod(containers: Vec<Value>) -> Value {
    json!({"containers": containers})
}

// ----- levels, versions, labels -----

#[test]
fn versions_parse_as_upstream_labels_do() {
    assert_eq!("latest".parse::<PssVersion>(), Ok(PssVersion::LATEST));
    assert_eq!("v1.0".parse::<PssVersion>(), Ok(v(0)));
    assert_eq!("v1.30".parse::<PssVersion>(), Ok(v(30)));
    assert_eq!("v1.123".parse::<PssVersion>(), Ok(v(123)));
    // Any minor upstream's Atoi accepts: evaluated as the newest policy, printed as written.
    let far = "v1.9223372036854775807".parse::<PssVersion>().unwrap();
    assert_eq!(far.to_string(), "v1.9223372036854775807");
    assert_eq!(far.effective_minor(), 37);
    for bad in [
        "v1.05",
        "1.25",
        "v2.0",
        "v1.",
        "V1.3",
        " v1.3",
        "v1.3 ",
        "Latest",
        "",
        "v1.-1",
        "v1.+1",
        "v1.9223372036854775808",
    ] {
        assert_eq!(
            bad.parse::<PssVersion>(),
            Err(PssParseError::Version(bad.to_string())),
            "{bad:?}"
        );
    }
    assert_eq!("restricted".parse::<PssLevel>(), Ok(Restricted));
    assert_eq!("baseline".parse::<PssLevel>(), Ok(Baseline));
    assert_eq!("privileged".parse::<PssLevel>(), Ok(Privileged));
    assert!("Restricted".parse::<PssLevel>().is_err());
}

#[test]
fn latest_and_future_versions_evaluate_as_the_newest_policy_but_print_as_written() {
    assert_eq!(NEWEST_POLICY_VERSION, v(37));
    let policy = |version| PssPolicy {
        level: Restricted,
        version,
    };
    assert_eq!(policy(PssVersion::LATEST).to_string(), "restricted:latest");
    assert_eq!(policy(v(40)).to_string(), "restricted:v1.40");
    assert_eq!(v(40).effective_minor(), 37);
    // tcp_notsent_lowat joined the allow-list at v1.37: latest and v1.40 allow it, v1.36 not.
    let sysctl = spec_only(json!({
        "containers": [{"name": "a"}],
        "securityContext": {"sysctls": [{"name": "net.ipv4.tcp_notsent_lowat", "value": "1"}]}
    }));
    assert!(eval(Baseline, PssVersion::LATEST, &sysctl).is_empty());
    assert!(eval(Baseline, v(40), &sysctl).is_empty());
    assert_eq!(checks(Baseline, v(36), &sysctl), [PssCheckId::Sysctls]);
    let forbidden = eval(
        Restricted,
        v(40),
        &spec_only(json!({"containers": [{"name": "a"}]})),
    );
    assert!(
        violation_message(policy(v(40)), &forbidden)
            .starts_with("violates PodSecurity \"restricted:v1.40\": allowPrivilegeEscalation")
    );
}

#[test]
fn privileged_level_checks_nothing() {
    let anything = spec_only(json!({
        "hostNetwork": true, "hostPID": true,
        "containers": [{"name": "a", "securityContext": {"privileged": true}}]
    }));
    assert!(eval(Privileged, PssVersion::LATEST, &anything).is_empty());
    assert_eq!(eval(Baseline, PssVersion::LATEST, &anything).len(), 2);
}

#[test]
fn check_ids_levels_and_first_versions() {
    let expected = [
        (PssCheckId::AppArmorProfile, "appArmorProfile", Baseline, 0),
        (
            PssCheckId::CapabilitiesBaseline,
            "capabilities_baseline",
            Baseline,
            0,
        ),
        (PssCheckId::HostNamespaces, "hostNamespaces", Baseline, 0),
        (PssCheckId::HostPathVolumes, "hostPathVolumes", Baseline, 0),
        (PssCheckId::HostPorts, "hostPorts", Baseline, 0),
        (
            PssCheckId::HostProbesAndHostLifecycle,
            "hostProbesAndHostLifecycle",
            Baseline,
            34,
        ),
        (PssCheckId::Privileged, "privileged", Baseline, 0),
        (PssCheckId::ProcMount, "procMount", Baseline, 0),
        (PssCheckId::SeLinuxOptions, "seLinuxOptions", Baseline, 0),
        (
            PssCheckId::SeccompProfileBaseline,
            "seccompProfile_baseline",
            Baseline,
            0,
        ),
        (PssCheckId::Sysctls, "sysctls", Baseline, 0),
        (
            PssCheckId::WindowsHostProcess,
            "windowsHostProcess",
            Baseline,
            0,
        ),
        (
            PssCheckId::AllowPrivilegeEscalation,
            "allowPrivilegeEscalation",
            Restricted,
            8,
        ),
        (
            PssCheckId::CapabilitiesRestricted,
            "capabilities_restricted",
            Restricted,
            22,
        ),
        (
            PssCheckId::ProcMountRestricted,
            "procMount_restricted",
            Restricted,
            35,
        ),
        (
            PssCheckId::RestrictedVolumes,
            "restrictedVolumes",
            Restricted,
            0,
        ),
        (PssCheckId::RunAsNonRoot, "runAsNonRoot", Restricted, 0),
        (PssCheckId::RunAsUser, "runAsUser", Restricted, 23),
        (
            PssCheckId::SeccompProfileRestricted,
            "seccompProfile_restricted",
            Restricted,
            19,
        ),
    ];
    for (id, name, level, since) in expected {
        assert_eq!(id.as_str(), name);
        assert_eq!(id.level(), level, "{name}");
        assert_eq!(id.since(), v(since), "{name}");
    }
}

// ----- message form -----

#[test]
fn several_violations_are_reported_in_upstream_order_with_the_api_servers_text() {
    let web = pod(
        json!({"name": "web", "namespace": "apps"}),
        json!({
            "hostNetwork": true,
            "containers": [{
                "name": "app", "image": "nginx",
                "securityContext": {"privileged": true},
                "ports": [{"containerPort": 80}]
            }],
            "volumes": [{"name": "data", "hostPath": {"path": "/"}}]
        }),
    );
    let policy = PssPolicy {
        level: Restricted,
        version: PssVersion::LATEST,
    };
    let forbidden = eval(Restricted, PssVersion::LATEST, &web);
    assert_eq!(
        pod_forbidden_message("web", policy, &forbidden),
        concat!(
            r#"pods "web" is forbidden: violates PodSecurity "restricted:latest": "#,
            r#"host namespaces (hostNetwork=true), "#,
            r#"hostPort (container "app" uses hostPort 80), "#,
            r#"privileged (container "app" must not set securityContext.privileged=true), "#,
            r#"allowPrivilegeEscalation != false (container "app" must set securityContext.allowPrivilegeEscalation=false), "#,
            r#"unrestricted capabilities (container "app" must set securityContext.capabilities.drop=["ALL"]), "#,
            r#"restricted volume types (volume "data" uses restricted volume type "hostPath"), "#,
            r#"runAsNonRoot != true (pod or container "app" must set securityContext.runAsNonRoot=true), "#,
            r#"seccompProfile (pod or container "app" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")"#,
        )
    );
    let baseline = PssPolicy {
        level: Baseline,
        version: v(30),
    };
    assert_eq!(
        warning_message(baseline, &eval(Baseline, v(30), &web)),
        concat!(
            r#"would violate PodSecurity "baseline:v1.30": host namespaces (hostNetwork=true), "#,
            r#"hostPath volumes (volume "data"), hostPort (container "app" uses hostPort 80), "#,
            r#"privileged (container "app" must not set securityContext.privileged=true)"#,
        )
    );
}

#[test]
fn a_pod_named_by_generate_name_is_denied_without_a_name() {
    let unnamed = pod(
        json!({"generateName": "web-"}),
        json!({"containers": [{"name": "x"}]}),
    );
    let policy = PssPolicy {
        level: Restricted,
        version: PssVersion::LATEST,
    };
    let name = unnamed.metadata.name.as_deref().unwrap_or_default();
    assert_eq!(
        pod_forbidden_message(
            name,
            policy,
            &eval(Restricted, PssVersion::LATEST, &unnamed)
        ),
        concat!(
            r#"pods is forbidden: violates PodSecurity "restricted:latest": "#,
            r#"allowPrivilegeEscalation != false (container "x" must set securityContext.allowPrivilegeEscalation=false), "#,
            r#"unrestricted capabilities (container "x" must set securityContext.capabilities.drop=["ALL"]), "#,
            r#"runAsNonRoot != true (pod or container "x" must set securityContext.runAsNonRoot=true), "#,
            r#"seccompProfile (pod or container "x" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")"#,
        )
    );
}

#[test]
fn names_are_quoted_as_go_quotes_them_and_empty_details_drop_the_parentheses() {
    assert_eq!(go_quote("web"), r#""web""#);
    let forbidden = [Forbidden {
        check: PssCheckId::Sysctls,
        reason: "forbidden sysctls",
        detail: String::new(),
    }];
    assert_eq!(forbidden_detail(&forbidden), "forbidden sysctls");
    // A sysctl with an empty name is forbidden and prints as an empty detail.
    let empty = spec_only(
        json!({"containers": [{"name": "a"}], "securityContext": {"sysctls": [{"name": "", "value": "1"}]}}),
    );
    assert_eq!(
        forbidden_detail(&eval(Baseline, v(30), &empty)),
        "forbidden sysctls"
    );
}

#[test]
fn pluralisation_follows_the_number_of_names_and_values() {
    let one = spec_only(
        json!({"containers": [{"name": "a", "ports": [{"containerPort": 80, "hostPort": 80}]}]}),
    );
    assert_eq!(
        only(Baseline, v(30), &one),
        ("hostPort", r#"container "a" uses hostPort 80"#.to_string())
    );
    let two = spec_only(json!({"containers": [
        {"name": "a", "ports": [{"containerPort": 80, "hostPort": 80}, {"containerPort": 81, "hostPort": 81}]},
        {"name": "b", "ports": [{"containerPort": 80, "hostPort": 80}]}
    ]}));
    assert_eq!(
        only(Baseline, v(30), &two).1,
        r#"containers "a", "b" use hostPorts 80, 81"#
    );
    let volumes = spec_only(json!({"containers": [{"name": "a"}], "volumes": [
        {"name": "x", "hostPath": {"path": "/"}}, {"name": "y", "hostPath": {"path": "/"}}
    ]}));
    assert_eq!(only(Baseline, v(30), &volumes).1, r#"volumes "x", "y""#);
    let one_type_two_volumes = spec_only(json!({"containers": [good("a")], "volumes": [
        {"name": "x", "nfs": {"server": "s", "path": "/"}}, {"name": "y", "nfs": {"server": "s", "path": "/"}}
    ]}));
    assert_eq!(
        only(Restricted, v(30), &one_type_two_volumes).1,
        r#"volumes "x", "y" use restricted volume type "nfs""#
    );
    let one_annotation = pod(
        json!({"name": "p", "annotations": {"container.apparmor.security.beta.kubernetes.io/other": "unconfined"}}),
        json!({"containers": [{"name": "a"}]}),
    );
    assert_eq!(
        only(Baseline, v(30), &one_annotation),
        (
            "forbidden AppArmor profile",
            r#"annotation must not set AppArmor profile type to "container.apparmor.security.beta.kubernetes.io/other="unconfined"""#.to_string()
        )
    );
}

// ----- upstream table tests (policy/check_*_test.go) -----

#[test]
fn host_ports_are_sorted_as_text() {
    let ports = |list: &[i32]| -> Value {
        Value::Array(
            list.iter()
                .map(|p| json!({"containerPort": p, "hostPort": p}))
                .collect(),
        )
    };
    let pod = spec_only(json!({"containers": [
        {"name": "a"},
        {"name": "b", "ports": ports(&[10, 20])},
        {"name": "c", "ports": ports(&[30, 9, 10])}
    ]}));
    assert_eq!(
        only(Baseline, v(30), &pod).1,
        r#"containers "b", "c" use hostPorts 10, 20, 30, 9"#
    );
}

#[test]
fn selinux_options_details() {
    let se = |name: &str, options: Value| json!({"name": name, "securityContext": {"seLinuxOptions": options}});
    let fine = vec![
        se("a", json!({"type": "container_t"})),
        se("b", json!({"type": "container_init_t"})),
        se("c", json!({"type": "container_kvm_t"})),
        se("d", json!({"type": "container_engine_t", "level": "s0:c1"})),
    ];
    let mut all = fine.clone();
    all.extend([
        se("e", json!({"type": "bar"})),
        se("f", json!({"user": "bar"})),
        se("g", json!({"role": "baz"})),
    ]);
    let bad_pod = json!({"seLinuxOptions": {"type": "foo", "user": "bar", "role": "baz"}});
    assert_eq!(
        only(Baseline, v(31), &spec_only(json!({"securityContext": bad_pod, "containers": all}))),
        (
            "seLinuxOptions",
            r#"pod and containers "e", "f", "g" set forbidden securityContext.seLinuxOptions: types "bar", "foo"; user may not be set; role may not be set"#.to_string()
        )
    );
    assert_eq!(
        only(
            Baseline,
            v(31),
            &spec_only(json!({"securityContext": bad_pod, "containers": fine}))
        )
        .1,
        r#"pod set forbidden securityContext.seLinuxOptions: type "foo"; user may not be set; role may not be set"#
    );
    // user or role alone: no type part.
    assert_eq!(
        only(
            Baseline,
            v(31),
            &spec_only(json!({"containers": [se("f", json!({"user": "bar"}))]}))
        )
        .1,
        r#"container "f" set forbidden securityContext.seLinuxOptions: user may not be set"#
    );
    // container_engine_t is allowed from v1.31 only.
    let engine = spec_only(json!({"containers": [se("d", json!({"type": "container_engine_t"}))]}));
    assert!(eval(Baseline, v(31), &engine).is_empty());
    assert_eq!(
        only(Baseline, v(30), &engine).1,
        r#"container "d" set forbidden securityContext.seLinuxOptions: type "container_engine_t""#
    );
}

#[test]
fn app_armor_details_quote_annotations_twice_and_sort_them_after_types() {
    let annotated = pod(
        json!({"name": "p", "annotations": {
            "container.apparmor.security.beta.kubernetes.io/": "bogus",
            "container.apparmor.security.beta.kubernetes.io/a": "",
            "container.apparmor.security.beta.kubernetes.io/b": "runtime/default",
            "container.apparmor.security.beta.kubernetes.io/c": "localhost/",
            "container.apparmor.security.beta.kubernetes.io/d": "localhost/foo",
            "container.apparmor.security.beta.kubernetes.io/e": "unconfined",
            "container.apparmor.security.beta.kubernetes.io/f": "unknown"
        }}),
        json!({"containers": [{"name": "x"}]}),
    );
    assert_eq!(
        only(Baseline, v(30), &annotated),
        (
            "forbidden AppArmor profiles",
            concat!(
                "annotations must not set AppArmor profile type to ",
                r#""container.apparmor.security.beta.kubernetes.io/="bogus"", "#,
                r#""container.apparmor.security.beta.kubernetes.io/e="unconfined"", "#,
                r#""container.apparmor.security.beta.kubernetes.io/f="unknown"""#
            )
            .to_string()
        )
    );
    let fields = pod(
        json!({"name": "p", "annotations": {"container.apparmor.security.beta.kubernetes.io/z": "unconfined"}}),
        json!({
            "securityContext": {"appArmorProfile": {"type": "Unconfined"}},
            "initContainers": [{"name": "i", "securityContext": {"appArmorProfile": {"type": "Bogus"}}}],
            "containers": [{"name": "c", "securityContext": {"appArmorProfile": {"type": "Localhost", "localhostProfile": "x"}}}]
        }),
    );
    assert_eq!(
        only(Baseline, v(0), &fields),
        (
            "forbidden AppArmor profiles",
            concat!(
                r#"pod and container "i" and annotation must not set AppArmor profile type to "#,
                r#""Bogus", "Unconfined", "container.apparmor.security.beta.kubernetes.io/z="unconfined"""#
            )
            .to_string()
        )
    );
}

#[test]
fn host_probe_and_lifecycle_hosts_and_containers_are_sorted_and_deduplicated() {
    let http = |host: &str| json!({"httpGet": {"host": host, "port": 80}});
    let tcp = |host: &str| json!({"tcpSocket": {"host": host, "port": 80}});
    let pod = spec_only(json!({
        "initContainers": [{"name": "init", "livenessProbe": http("invalid.init.host")}],
        "containers": [
            {"name": "valid", "livenessProbe": {"httpGet": {"port": 80}}},
            {"name": "invalid2", "lifecycle": {"preStop": tcp("b.com")}, "startupProbe": http("a.com")},
            {"name": "invalid1", "livenessProbe": http("a.com"), "readinessProbe": tcp("::1"),
             "lifecycle": {"postStart": http("a.com")}}
        ]
    }));
    assert_eq!(
        only(Baseline, v(34), &pod),
        (
            "probe or lifecycle host",
            r#"containers "init", "invalid1", "invalid2" use probe or lifecycle hosts "::1", "a.com", "b.com", "invalid.init.host""#.to_string()
        )
    );
    let one = spec_only(json!({"containers": [{"name": "a", "livenessProbe": http("127.0.0.1")}]}));
    assert_eq!(
        only(Baseline, v(34), &one).1,
        r#"container "a" uses probe or lifecycle host "127.0.0.1""#
    );
    assert!(
        eval(Baseline, v(33), &one).is_empty(),
        "the check starts at v1.34"
    );
}

#[test]
fn restricted_volume_types_are_named_and_sorted() {
    let mut volumes = vec![
        json!({"name": "a1", "emptyDir": {}}),
        json!({"name": "a2", "secret": {"secretName": "s"}}),
        json!({"name": "a3", "persistentVolumeClaim": {"claimName": "c"}}),
        json!({"name": "a4", "downwardAPI": {}}),
        json!({"name": "a5", "configMap": {"name": "c"}}),
        json!({"name": "a6", "projected": {"sources": []}}),
        json!({"name": "a7", "csi": {"driver": "d"}}),
        json!({"name": "a8", "ephemeral": {}}),
        json!({"name": "a9", "image": {"reference": "r"}}),
        json!({"name": "a10"}),
    ];
    let restricted = [
        ("hostPath", json!({"path": "/"})),
        ("gcePersistentDisk", json!({"pdName": "p"})),
        ("awsElasticBlockStore", json!({"volumeID": "v"})),
        ("gitRepo", json!({"repository": "r"})),
        ("nfs", json!({"server": "s", "path": "/"})),
        ("iscsi", json!({"targetPortal": "t", "iqn": "i", "lun": 0})),
        ("glusterfs", json!({"endpoints": "e", "path": "p"})),
        ("rbd", json!({"monitors": [], "image": "i"})),
        ("flexVolume", json!({"driver": "d"})),
        ("cinder", json!({"volumeID": "v"})),
        ("cephfs", json!({"monitors": []})),
        ("flocker", json!({})),
        ("fc", json!({})),
        ("azureFile", json!({"secretName": "s", "shareName": "s"})),
        ("vsphereVolume", json!({"volumePath": "p"})),
        ("quobyte", json!({"registry": "r", "volume": "v"})),
        ("azureDisk", json!({"diskName": "d", "diskURI": "u"})),
        ("photonPersistentDisk", json!({"pdID": "p"})),
        ("portworxVolume", json!({"volumeID": "v"})),
        (
            "scaleIO",
            json!({"gateway": "g", "system": "s", "secretRef": {}}),
        ),
        ("storageos", json!({})),
    ];
    for (index, (kind, source)) in restricted.iter().enumerate() {
        let mut volume = json!({"name": format!("b{}", index + 1)});
        volume[*kind] = source.clone();
        volumes.push(volume);
    }
    let pod = spec_only(json!({"containers": [good("c")], "volumes": volumes}));
    let names: Vec<String> = (1..=21).map(|i| format!("\"b{i}\"")).collect();
    assert_eq!(
        only(Restricted, v(30), &pod),
        (
            "restricted volume types",
            format!(
                "volumes {} use restricted volume types {}",
                names.join(", "),
                concat!(
                    r#""awsElasticBlockStore", "azureDisk", "azureFile", "cephfs", "cinder", "fc", "flexVolume", "#,
                    r#""flocker", "gcePersistentDisk", "gitRepo", "glusterfs", "hostPath", "iscsi", "nfs", "#,
                    r#""photonPersistentDisk", "portworxVolume", "quobyte", "rbd", "scaleIO", "storageos", "vsphereVolume""#
                )
            )
        )
    );
}

#[test]
fn capabilities_details() {
    let caps =
        |name: &str, caps: Value| json!({"name": name, "securityContext": {"capabilities": caps}});
    let baseline = spec_only(json!({"containers": [
        caps("a", json!({"add": ["NET_RAW", "CHOWN", "BAZ"]})),
        caps("b", json!({"add": ["BAZ", "CAP_CHOWN", "chown"]})),
        caps("c", json!({"add": ["KILL"]}))
    ]}));
    assert_eq!(
        only(Baseline, v(30), &baseline),
        (
            "non-default capabilities",
            r#"containers "a", "b" must not include "BAZ", "CAP_CHOWN", "NET_RAW", "chown" in securityContext.capabilities.add"#.to_string()
        )
    );
    let restricted = spec_only(json!({"containers": [
        good_with("a", json!({"capabilities": {"drop": ["all"]}})),
        good_with("b", json!({"capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE", "FOO", "CHOWN"]}})),
        good_with("c", json!({"capabilities": {"add": ["FOO"]}})),
        good("d")
    ]}));
    assert_eq!(
        only(Restricted, v(30), &restricted),
        (
            "unrestricted capabilities",
            concat!(
                r#"containers "a", "c" must set securityContext.capabilities.drop=["ALL"]; "#,
                r#"containers "b", "c" must not include "CHOWN", "FOO" in securityContext.capabilities.add"#
            )
            .to_string()
        )
    );
}

#[test]
fn run_as_non_root_reports_explicit_false_instead_of_missing_settings() {
    let explicit = spec_only(json!({
        "securityContext": {"runAsNonRoot": false},
        "containers": [
            good("a"),
            good_with("c", json!({"runAsNonRoot": false})),
            good_with("d", json!({"runAsNonRoot": false})),
            {"name": "e", "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}, "seccompProfile": {"type": "RuntimeDefault"}}}
        ]
    }));
    assert_eq!(
        only(Restricted, v(30), &explicit),
        (
            "runAsNonRoot != true",
            r#"pod and containers "c", "d" must not set securityContext.runAsNonRoot=false"#
                .to_string()
        )
    );
    let implicit_container = |name: &str| json!({"name": name, "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}, "seccompProfile": {"type": "RuntimeDefault"}, "runAsUser": 1000}});
    let implicit = spec_only(
        json!({"containers": [implicit_container("a"), good("b"), implicit_container("c")]}),
    );
    assert_eq!(
        only(Restricted, v(30), &implicit).1,
        r#"pod or containers "a", "c" must set securityContext.runAsNonRoot=true"#,
        "runAsUser > 0 does not satisfy runAsNonRoot"
    );
    let from_pod = spec_only(
        json!({"securityContext": {"runAsNonRoot": true}, "containers": [implicit_container("a")]}),
    );
    assert!(eval(Restricted, v(30), &from_pod).is_empty());
}

#[test]
fn run_as_user_details() {
    let pod = spec_only(json!({
        "securityContext": {"runAsUser": 0, "runAsNonRoot": true},
        "containers": [good_with("a", json!({"runAsUser": 0})), good_with("b", json!({"runAsUser": 1}))]
    }));
    assert_eq!(
        only(Restricted, v(23), &pod),
        (
            "runAsUser=0",
            r#"pod and container "a" must not set runAsUser=0"#.to_string()
        )
    );
    assert!(
        eval(Restricted, v(22), &pod).is_empty(),
        "runAsUser starts at v1.23"
    );
}

#[test]
fn seccomp_details_at_every_era() {
    let annotated = pod(
        json!({"name": "p", "annotations": {
            "seccomp.security.alpha.kubernetes.io/pod": "unconfined",
            "container.seccomp.security.alpha.kubernetes.io/a": "unconfined",
            "container.seccomp.security.alpha.kubernetes.io/b": "docker/default",
            "container.seccomp.security.alpha.kubernetes.io/c": "localhost/x",
            "container.seccomp.security.alpha.kubernetes.io/nosuch": "unconfined"
        }}),
        json!({"containers": [{"name": "a"}, {"name": "b"}, {"name": "c"}]}),
    );
    assert_eq!(
        only(Baseline, v(18), &annotated),
        (
            "seccompProfile",
            r#"forbidden annotations container.seccomp.security.alpha.kubernetes.io/a="unconfined", seccomp.security.alpha.kubernetes.io/pod="unconfined""#.to_string()
        )
    );
    assert!(
        eval(Baseline, v(19), &annotated).is_empty(),
        "from v1.19 annotations are ignored"
    );

    let fields = spec_only(json!({
        "securityContext": {"seccompProfile": {"type": "Unconfined"}},
        "containers": [
            {"name": "a", "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}},
            {"name": "c", "securityContext": {"seccompProfile": {"type": "Unconfined"}}},
            {"name": "d", "securityContext": {"seccompProfile": {"type": "Bogus"}}}
        ]
    }));
    assert!(
        eval(Baseline, v(18), &fields).is_empty(),
        "up to v1.18 fields are ignored"
    );
    assert_eq!(
        only(Baseline, v(19), &fields).1,
        r#"pod and containers "c", "d" must not set securityContext.seccompProfile.type to "Bogus", "Unconfined""#
    );
    let missing = spec_only(json!({"containers": [
        good_with("a", json!({"seccompProfile": null})),
        good("b"),
        good_with("c", json!({"seccompProfile": null}))
    ]}));
    assert_eq!(
        only(Restricted, v(19), &missing).1,
        r#"pod or containers "a", "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost""#
    );
    // An unconfined pod profile fails even when every container sets a valid one.
    let pod_only = spec_only(
        json!({"securityContext": {"seccompProfile": {"type": "Unconfined"}}, "containers": [good("a")]}),
    );
    assert_eq!(
        only(Restricted, v(30), &pod_only).1,
        r#"pod must not set securityContext.seccompProfile.type to "Unconfined""#
    );
}

#[test]
fn windows_host_process_and_proc_mount_details() {
    let host_process = |value: bool| json!({"windowsOptions": {"hostProcess": value}});
    let pod = spec_only(json!({
        "securityContext": host_process(true),
        "containers": [
            {"name": "a", "securityContext": host_process(false)},
            {"name": "e", "securityContext": host_process(true)},
            {"name": "f", "securityContext": host_process(true)}
        ]
    }));
    assert_eq!(
        only(Baseline, v(30), &pod),
        (
            "hostProcess",
            r#"pod and containers "e", "f" must not set securityContext.windowsOptions.hostProcess=true"#.to_string()
        )
    );
    let proc_mount = spec_only(json!({"containers": [
        {"name": "a", "securityContext": {"procMount": "Default"}},
        {"name": "d", "securityContext": {"procMount": "Unmasked"}},
        {"name": "e", "securityContext": {"procMount": "other"}}
    ]}));
    assert_eq!(
        only(Baseline, v(30), &proc_mount),
        (
            "procMount",
            r#"containers "d", "e" must not set securityContext.procMount to "Unmasked", "other""#
                .to_string()
        )
    );
}

#[test]
fn sysctls_are_reported_in_spec_order_with_duplicates() {
    let pod = spec_only(
        json!({"containers": [{"name": "a"}], "securityContext": {"sysctls": [
            {"name": "kernel.shm_rmid_forced", "value": "0"},
            {"name": "z.b", "value": "1"},
            {"name": "a.b", "value": "1"},
            {"name": "z.b", "value": "1"}
        ]}}),
    );
    assert_eq!(
        only(Baseline, v(30), &pod),
        ("forbidden sysctls", "z.b, a.b, z.b".to_string())
    );
}

// ----- version boundaries -----

/// The policy versions at which `pod` is first forbidden and last allowed at `level`.
fn boundary(level: PssLevel, pod: &Pod, last_allowed: u32) {
    assert!(
        eval(level, v(last_allowed), pod).is_empty(),
        "allowed at v1.{last_allowed}: {:#?}",
        eval(level, v(last_allowed), pod)
    );
    assert!(
        !eval(level, v(last_allowed + 1), pod).is_empty(),
        "forbidden at v1.{}",
        last_allowed + 1
    );
}

#[test]
fn each_check_starts_at_its_policy_version() {
    // allowPrivilegeEscalation: v1.8.
    boundary(
        Restricted,
        &spec_only(restricted_pod(vec![good_with(
            "a",
            json!({"allowPrivilegeEscalation": null}),
        )])),
        7,
    );
    // seccompProfile fields: baseline and restricted from v1.19.
    boundary(
        Baseline,
        &spec_only(
            json!({"containers": [{"name": "a", "securityContext": {"seccompProfile": {"type": "Unconfined"}}}]}),
        ),
        18,
    );
    boundary(
        Restricted,
        &spec_only(restricted_pod(vec![good_with(
            "a",
            json!({"seccompProfile": null}),
        )])),
        18,
    );
    // capabilities_restricted: v1.22 (drop ALL).
    boundary(
        Restricted,
        &spec_only(restricted_pod(vec![good_with(
            "a",
            json!({"capabilities": null}),
        )])),
        21,
    );
    // runAsUser: v1.23.
    boundary(
        Restricted,
        &spec_only(restricted_pod(vec![good_with(
            "a",
            json!({"runAsUser": 0}),
        )])),
        22,
    );
    // sysctls: v1.27, v1.29, v1.32, v1.37.
    for (sysctl, last_forbidden) in [
        ("net.ipv4.ip_local_reserved_ports", 26),
        ("net.ipv4.tcp_keepalive_time", 28),
        ("net.ipv4.tcp_fin_timeout", 28),
        ("net.ipv4.tcp_keepalive_intvl", 28),
        ("net.ipv4.tcp_keepalive_probes", 28),
        ("net.ipv4.tcp_rmem", 31),
        ("net.ipv4.tcp_wmem", 31),
        ("net.ipv4.tcp_slow_start_after_idle", 36),
        ("net.ipv4.tcp_notsent_lowat", 36),
    ] {
        let pod = spec_only(
            json!({"containers": [{"name": "a"}], "securityContext": {"sysctls": [{"name": sysctl, "value": "1"}]}}),
        );
        assert_eq!(
            checks(Baseline, v(last_forbidden), &pod),
            [PssCheckId::Sysctls],
            "{sysctl}"
        );
        assert!(
            eval(Baseline, v(last_forbidden + 1), &pod).is_empty(),
            "{sysctl}"
        );
        assert!(eval(Baseline, v(0), &pod).len() == 1, "{sysctl}");
    }
    // seLinuxOptions container_engine_t: allowed from v1.31.
    let engine = spec_only(
        json!({"containers": [{"name": "a", "securityContext": {"seLinuxOptions": {"type": "container_engine_t"}}}]}),
    );
    assert_eq!(
        checks(Baseline, v(30), &engine),
        [PssCheckId::SeLinuxOptions]
    );
    assert!(eval(Baseline, v(31), &engine).is_empty());
    // hostProbesAndHostLifecycle: v1.34.
    boundary(
        Baseline,
        &spec_only(
            json!({"containers": [{"name": "a", "readinessProbe": {"tcpSocket": {"host": "10.0.0.1", "port": 1}}}]}),
        ),
        33,
    );
}

// ----- overrides -----

#[test]
fn restricted_checks_replace_their_baseline_counterparts() {
    // hostPathVolumes is replaced by restrictedVolumes at every version.
    let host_path = spec_only(
        json!({"containers": [good("a")], "volumes": [{"name": "h", "hostPath": {"path": "/"}}]}),
    );
    assert_eq!(
        checks(Baseline, v(0), &host_path),
        [PssCheckId::HostPathVolumes]
    );
    assert_eq!(
        checks(Restricted, v(0), &host_path),
        [PssCheckId::RestrictedVolumes]
    );
    assert_eq!(
        checks(Restricted, PssVersion::LATEST, &host_path),
        [PssCheckId::RestrictedVolumes]
    );

    // seccompProfile_baseline is replaced from v1.19: before, restricted reports the annotations.
    let annotated = pod(
        json!({"name": "p", "annotations": {"seccomp.security.alpha.kubernetes.io/pod": "unconfined"}}),
        restricted_pod(vec![good("a")]),
    );
    assert_eq!(
        checks(Restricted, v(18), &annotated),
        [PssCheckId::SeccompProfileBaseline]
    );
    assert!(eval(Restricted, v(19), &annotated).is_empty());
    let unconfined = spec_only(restricted_pod(vec![good_with(
        "a",
        json!({"seccompProfile": {"type": "Unconfined"}}),
    )]));
    assert_eq!(
        checks(Restricted, v(19), &unconfined),
        [PssCheckId::SeccompProfileRestricted]
    );

    // capabilities_baseline is replaced from v1.22.
    let net_raw = spec_only(restricted_pod(vec![good_with(
        "a",
        json!({"capabilities": {"drop": ["ALL"], "add": ["NET_RAW"]}}),
    )]));
    assert_eq!(
        checks(Restricted, v(21), &net_raw),
        [PssCheckId::CapabilitiesBaseline]
    );
    assert_eq!(
        checks(Restricted, v(22), &net_raw),
        [PssCheckId::CapabilitiesRestricted]
    );
    assert_eq!(
        result_of(
            Restricted,
            v(21),
            &net_raw,
            PssCheckId::CapabilitiesBaseline
        )
        .0,
        "non-default capabilities"
    );

    // procMount is replaced from v1.35, and restricted does not relax for user namespaces.
    let unmasked = |host_users: Option<bool>| {
        let mut spec = restricted_pod(vec![good_with("a", json!({"procMount": "Unmasked"}))]);
        if let Some(host_users) = host_users {
            spec["hostUsers"] = json!(host_users);
        }
        spec_only(spec)
    };
    assert_eq!(
        checks(Restricted, v(34), &unmasked(None)),
        [PssCheckId::ProcMount]
    );
    assert_eq!(
        checks(Restricted, v(35), &unmasked(None)),
        [PssCheckId::ProcMountRestricted]
    );
    assert_eq!(
        checks(Restricted, v(35), &unmasked(Some(false))),
        [PssCheckId::ProcMountRestricted]
    );
    assert_eq!(
        checks(Baseline, v(35), &unmasked(Some(true))),
        [PssCheckId::ProcMount]
    );
    assert!(eval(Baseline, v(35), &unmasked(Some(false))).is_empty());
    assert_eq!(
        checks(Baseline, v(34), &unmasked(Some(false))),
        [PssCheckId::ProcMount]
    );
}

// ----- exemptions -----

#[test]
fn windows_pods_are_exempt_from_linux_only_restricted_checks_from_v1_25() {
    let windows = spec_only(json!({
        "os": {"name": "windows"},
        "securityContext": {"runAsNonRoot": true},
        "containers": [{"name": "w", "image": "mcr.microsoft.com/windows/nanoserver"}]
    }));
    assert_eq!(
        checks(Restricted, v(24), &windows),
        [
            PssCheckId::AllowPrivilegeEscalation,
            PssCheckId::CapabilitiesRestricted,
            PssCheckId::SeccompProfileRestricted
        ]
    );
    assert!(eval(Restricted, v(25), &windows).is_empty());
    assert!(eval(Restricted, PssVersion::LATEST, &windows).is_empty());
    // runAsNonRoot and runAsUser still apply to Windows pods.
    let no_non_root = spec_only(json!({"os": {"name": "windows"}, "containers": [{"name": "w"}]}));
    assert_eq!(
        checks(Restricted, PssVersion::LATEST, &no_non_root),
        [PssCheckId::RunAsNonRoot]
    );
    // A Linux pod is not exempt.
    let linux = spec_only(
        json!({"os": {"name": "linux"}, "securityContext": {"runAsNonRoot": true}, "containers": [{"name": "w"}]}),
    );
    assert_eq!(eval(Restricted, v(25), &linux).len(), 3);
}

#[test]
fn pods_in_a_user_namespace_are_relaxed_from_v1_35() {
    let root = |host_users: Value| {
        spec_only(json!({
            "hostUsers": host_users,
            "securityContext": {"runAsUser": 0},
            "containers": [good_with("a", json!({"runAsNonRoot": null, "runAsUser": 0}))]
        }))
    };
    let user_namespace = root(json!(false));
    assert_eq!(
        checks(Restricted, v(34), &user_namespace),
        [PssCheckId::RunAsNonRoot, PssCheckId::RunAsUser]
    );
    assert!(eval(Restricted, v(35), &user_namespace).is_empty());
    assert!(eval(Restricted, PssVersion::LATEST, &user_namespace).is_empty());
    for host_users in [json!(true), Value::Null] {
        assert_eq!(
            checks(Restricted, v(35), &root(host_users)),
            [PssCheckId::RunAsNonRoot, PssCheckId::RunAsUser]
        );
    }
    // Capabilities are not relaxed.
    let caps = spec_only(
        json!({"hostUsers": false, "containers": [{"name": "a", "securityContext": {"capabilities": {"add": ["SYS_ADMIN"]}}}]}),
    );
    assert_eq!(
        checks(Baseline, v(35), &caps),
        [PssCheckId::CapabilitiesBaseline]
    );
}

// ----- API server defaulting and create-time mutations -----

#[test]
fn a_volume_without_a_source_is_an_empty_dir() {
    let pod = spec_only(json!({"containers": [good("a")], "volumes": [{"name": "implicit"}]}));
    assert!(eval(Restricted, v(0), &pod).is_empty());
    assert!(evaluate_pod_template(Restricted, v(0), &pod.metadata, &pod.spec).is_empty());
}

#[test]
fn host_network_pods_get_host_ports_but_templates_do_not() {
    let spec = json!({
        "hostNetwork": true,
        "initContainers": [{"name": "i", "ports": [{"containerPort": 9000}]}],
        "containers": [{"name": "a", "ports": [{"containerPort": 8080}, {"containerPort": 53, "hostPort": 5353}]}],
        "ephemeralContainers": [{"name": "e", "ports": [{"containerPort": 7000}]}]
    });
    let pod = spec_only(spec);
    assert_eq!(
        result_of(Baseline, v(30), &pod, PssCheckId::HostPorts).1,
        r#"containers "i", "a" use hostPorts 5353, 8080, 9000"#
    );
    let template = evaluate_pod_template(Baseline, v(30), &pod.metadata, &pod.spec);
    let host_ports = template
        .iter()
        .find(|f| f.check == PssCheckId::HostPorts)
        .unwrap();
    assert_eq!(host_ports.detail, r#"container "a" uses hostPort 5353"#);
}

#[test]
fn app_armor_annotations_are_copied_to_pod_containers_on_create() {
    let annotated = |spec: Value| {
        pod(
            json!({"name": "p", "annotations": {
                "container.apparmor.security.beta.kubernetes.io/a": "unconfined",
                "container.apparmor.security.beta.kubernetes.io/b": "runtime/default"
            }}),
            spec,
        )
    };
    let annotation = r#""container.apparmor.security.beta.kubernetes.io/a="unconfined"""#;
    let plain = annotated(json!({"containers": [{"name": "a"}, {"name": "b"}]}));
    // The pod strategy sets container "a"'s field from its annotation before admission.
    assert_eq!(
        only(Baseline, v(30), &plain),
        (
            "forbidden AppArmor profiles",
            format!(
                r#"container "a" and annotation must not set AppArmor profile type to "Unconfined", {annotation}"#
            )
        )
    );
    // Templates are not mutated; neither are Windows pods, nor containers with their own field.
    let template = evaluate_pod_template(Baseline, v(30), &plain.metadata, &plain.spec);
    assert_eq!(template.len(), 1);
    assert_eq!(
        template[0].detail,
        format!("annotation must not set AppArmor profile type to {annotation}")
    );
    let windows = annotated(json!({"os": {"name": "windows"}, "containers": [{"name": "a"}]}));
    assert_eq!(
        only(Baseline, v(30), &windows).0,
        "forbidden AppArmor profile"
    );
    let own_field = annotated(
        json!({"containers": [{"name": "a", "securityContext": {"appArmorProfile": {"type": "RuntimeDefault"}}}]}),
    );
    assert_eq!(
        only(Baseline, v(30), &own_field).0,
        "forbidden AppArmor profile"
    );
    // Not copied when it equals the pod's profile: the pod setter is reported instead.
    let same_as_pod = annotated(
        json!({"securityContext": {"appArmorProfile": {"type": "Unconfined"}}, "containers": [{"name": "a"}]}),
    );
    assert_eq!(
        only(Baseline, v(30), &same_as_pod).1,
        format!(
            r#"pod and annotation must not set AppArmor profile type to "Unconfined", {annotation}"#
        )
    );
}

/// Every kind with a pod template is judged through it, as admission warns about it; a Pod is
/// judged as admission enforces it. The same violating pod spec gives the same detail everywhere.
#[test]
fn every_workload_kind_is_judged_through_its_pod_template() {
    use garrison_checks::pss::{Admission, evaluate_object};

    let pod_spec = "spec:\n  hostPID: true\n  containers:\n  - name: app\n    image: nginx\n";
    let indent = |text: &str, spaces: usize| -> String {
        text.lines()
            .map(|line| format!("{}{line}\n", " ".repeat(spaces)))
            .collect()
    };
    let template = format!("template:\n{}", indent(pod_spec, 2));
    let cases = [
        ("v1", "Pod", pod_spec.to_string(), Admission::Enforced),
        ("v1", "PodTemplate", template.clone(), Admission::Warned),
        (
            "v1",
            "ReplicationController",
            format!("spec:\n{}", indent(&template, 2)),
            Admission::Warned,
        ),
        (
            "apps/v1",
            "ReplicaSet",
            format!("spec:\n{}", indent(&template, 2)),
            Admission::Warned,
        ),
        (
            "apps/v1",
            "Deployment",
            format!("spec:\n{}", indent(&template, 2)),
            Admission::Warned,
        ),
        (
            "apps/v1",
            "StatefulSet",
            format!("spec:\n{}", indent(&template, 2)),
            Admission::Warned,
        ),
        (
            "apps/v1",
            "DaemonSet",
            format!("spec:\n{}", indent(&template, 2)),
            Admission::Warned,
        ),
        (
            "batch/v1",
            "Job",
            format!("spec:\n{}", indent(&template, 2)),
            Admission::Warned,
        ),
        (
            "batch/v1",
            "CronJob",
            format!("spec:\n  jobTemplate:\n    spec:\n{}", indent(&template, 6)),
            Admission::Warned,
        ),
    ];
    let policy = PssPolicy {
        level: Baseline,
        version: PssVersion::v1(30),
    };
    for (api_version, kind, body, admission) in cases {
        let text =
            format!("apiVersion: {api_version}\nkind: {kind}\nmetadata:\n  name: web\n{body}");
        let loaded = garrison_core::loader::load_text("case.yaml", &text);
        assert!(
            loaded.diagnostics.is_empty(),
            "{kind}: {:?}",
            loaded.diagnostics
        );
        let object = &loaded.objects[0];
        let verdict = evaluate_object(policy.level, policy.version, object)
            .unwrap_or_else(|| panic!("{kind} has no pod spec"))
            .unwrap();
        assert_eq!(verdict.admission, admission, "{kind}");
        let expected = match admission {
            Admission::Enforced => {
                "pods \"web\" is forbidden: violates PodSecurity \"baseline:v1.30\": host namespaces (hostPID=true)"
            }
            Admission::Warned => {
                "would violate PodSecurity \"baseline:v1.30\": host namespaces (hostPID=true)"
            }
        };
        assert_eq!(verdict.message(policy).as_deref(), Some(expected), "{kind}");
    }
}
