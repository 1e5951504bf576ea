//! Policy directories mounted from a ConfigMap: the kubelet updates them by writing a new
//! timestamped directory and swapping the `..data` symlink, while each `NAME.cedar` stays a
//! symlink to `..data/NAME.cedar` that never changes itself. Both webhooks must see that as a
//! change and reload.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::os::unix::fs::symlink;
use std::path::Path;

use garrison_cedar::Bypass;
use garrison_server::admission::cedar::CedarRules;
use garrison_server::authorize::Authorization;

/// Lays `files` out as the kubelet's atomic writer does, as version `version`.
fn publish(dir: &Path, version: u32, files: &[(&str, &str)]) {
    let data = format!("..2026_11_29_18_00_0{version}.000000001");
    std::fs::create_dir(dir.join(&data)).unwrap();
    for (name, text) in files {
        std::fs::write(dir.join(&data).join(name), text).unwrap();
        if !dir.join(name).exists() {
            symlink(Path::new("..data").join(name), dir.join(name)).unwrap();
        }
    }
    // Swap `..data` atomically: a new link, renamed over the old one.
    symlink(&data, dir.join("..data_tmp")).unwrap();
    std::fs::rename(dir.join("..data_tmp"), dir.join("..data")).unwrap();
}

const AUTHZ_ONE: &str = "permit(principal in k8s::Group::\"readers\", action == k8s::Action::\"get\", resource is k8s::Resource);\n";
const AUTHZ_TWO: &str = "permit(principal in k8s::Group::\"readers\", action == k8s::Action::\"get\", resource is k8s::Resource);\npermit(principal in k8s::Group::\"writers\", action == k8s::Action::\"update\", resource is k8s::Resource);\n";

#[test]
fn authorization_policies_reload_when_a_configmap_volume_swaps_its_data() {
    let dir = tempfile::tempdir().unwrap();
    publish(dir.path(), 1, &[("main.cedar", AUTHZ_ONE)]);
    let authorization = Authorization::new(dir.path().to_path_buf(), Bypass::default()).unwrap();
    assert!(authorization.reload_if_changed().is_none());
    publish(dir.path(), 2, &[("main.cedar", AUTHZ_TWO)]);
    match authorization.reload_if_changed() {
        Some(Ok(count)) => assert_eq!(count, 2),
        other => panic!("expected a reload of 2 policies, got {other:?}"),
    }
}

const ADMISSION_ONE: &str = "forbid(principal, action == k8s::admission::Action::\"create\", resource is k8s::admission::Object)\n  when { resource in k8s::admission::Namespace::\"one\" };\n";

#[test]
fn admission_policies_reload_when_a_configmap_volume_swaps_its_data() {
    let dir = tempfile::tempdir().unwrap();
    publish(dir.path(), 1, &[("main.cedar", ADMISSION_ONE)]);
    let rules = CedarRules::load(dir.path().to_path_buf()).unwrap();
    assert_eq!(rules.len(), 1);
    assert!(rules.reload_if_changed().is_none());
    let two = format!(
        "{ADMISSION_ONE}{}",
        ADMISSION_ONE.replace("\"one\"", "\"two\"")
    );
    publish(dir.path(), 2, &[("main.cedar", &two)]);
    match rules.reload_if_changed() {
        Some(Ok(count)) => assert_eq!(count, 2),
        other => panic!("expected a reload of 2 policies, got {other:?}"),
    }
}
