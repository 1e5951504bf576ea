//! Targets over garrison-server: AdmissionReview bodies judged by the admission webhook's
//! decision (Pod Security admission, Cedar admission policies, image rules) without the network,
//! and the configuration files (`garrison.toml`, the admission webhook's `--config`:
//! PodSecurityConfiguration / AdmissionConfiguration / ImagePolicy, and its `--namespaces`).
//! Replayed by `crates/garrison-server/tests/fuzz_regressions.rs`, which includes this file.

use std::sync::OnceLock;

use garrison_server::admission::Admission;
use garrison_server::admission::cedar::CedarRules;
use garrison_server::admission::config::AdmissionConfig;
use garrison_server::admission::namespaces;

/// The webhook's configuration: Pod Security defaults and exemptions, image rules.
const CONFIG: &str = r#"apiVersion: pod-security.admission.config.k8s.io/v1
kind: PodSecurityConfiguration
defaults:
  enforce: baseline
  enforce-version: latest
  warn: restricted
  audit: restricted
  audit-version: v1.30
exemptions:
  usernames: ["system:serviceaccount:kube-system:replicaset-controller"]
  runtimeClasses: ["kata"]
  namespaces: ["platform"]
---
apiVersion: garrison.dev/v1alpha1
kind: ImagePolicy
allowedRegistries: ["public.ecr.aws", "registry.k8s.io", "*.example.com/team-*"]
requireDigest: false
"#;

/// Namespaces with every kind of Pod Security label, and an existing pod.
const NAMESPACES: &str = r#"apiVersion: v1
kind: Namespace
metadata:
  name: restricted
  labels:
    pod-security.kubernetes.io/enforce: restricted
    pod-security.kubernetes.io/enforce-version: v1.25
---
apiVersion: v1
kind: Namespace
metadata:
  name: baseline
  labels:
    pod-security.kubernetes.io/enforce: baseline
    pod-security.kubernetes.io/warn: restricted
    pod-security.kubernetes.io/audit: restricted
---
apiVersion: v1
kind: Namespace
metadata:
  name: legacy
  labels:
    pod-security.kubernetes.io/enforce: privileged
---
apiVersion: v1
kind: Namespace
metadata:
  name: broken
  labels:
    pod-security.kubernetes.io/enforce: strict
    pod-security.kubernetes.io/enforce-version: v9
---
apiVersion: v1
kind: Pod
metadata:
  name: old
  namespace: restricted
spec:
  containers:
  - name: app
    image: busybox
    securityContext:
      privileged: true
"#;

/// Cedar admission policies reading the object, its labels, the user and the namespace.
const POLICIES: &str = r#"@id("no-host-network-outside-kube-system")
@reason("host networking is reserved for the platform team")
forbid (
  principal,
  action == k8s::admission::Action::"create",
  resource is k8s::admission::Object
)
when { resource has podSpec && resource.podSpec.hostNetwork }
unless { resource in k8s::admission::Namespace::"kube-system" };

@id("label-owner")
forbid (principal, action in [k8s::admission::Action::"create", k8s::admission::Action::"update"], resource is k8s::admission::Object)
when { resource.hasTag("owner") && resource.getTag("owner") == "nobody" };

@id("no-busybox-but-admins")
forbid (principal, action == k8s::admission::Action::"create", resource is k8s::admission::Object)
when { resource has podSpec && resource.podSpec.images.contains("busybox") && !(principal in k8s::Group::"admins") };

@id("no-deletes-by-interns")
forbid (principal in k8s::Group::"interns", action == k8s::admission::Action::"delete", resource);
"#;

fn admission() -> &'static Result<Admission, String> {
    static ADMISSION: OnceLock<Result<Admission, String>> = OnceLock::new();
    ADMISSION.get_or_init(|| {
        let config = AdmissionConfig::parse("config.yaml", CONFIG).map_err(|e| e.to_string())?;
        let namespaces =
            namespaces::parse("namespaces.yaml", NAMESPACES).map_err(|e| e.to_string())?;
        // The policies are read from a file, as `--policies` does.
        let path = std::env::temp_dir().join(format!(
            "garrison-fuzz-admission-{}.cedar",
            std::process::id()
        ));
        std::fs::write(&path, POLICIES).map_err(|e| e.to_string())?;
        let cedar = CedarRules::load(path.clone());
        let _ = std::fs::remove_file(&path);
        let cedar = cedar.map_err(|e| e.to_string())?;
        Ok(Admission::new(config, namespaces, Some(cedar)))
    })
}

/// `admission_review`: the input as an AdmissionReview body → the webhook's decision and its
/// answer. A body that is not a review is refused with a reason; a review is answered with
/// exactly the uid asked and the decision's verdict.
pub fn admission_review(data: &[u8]) {
    let admission = match admission() {
        Ok(admission) => admission,
        Err(error) => {
            panic!("the fuzz target's own admission configuration does not load: {error}")
        }
    };
    match admission.review(data) {
        Ok((answer, decision)) => {
            assert_eq!(
                answer["response"]["allowed"].as_bool(),
                Some(decision.verdict.allowed),
                "the answer carries the decision"
            );
            std::hint::black_box(answer.to_string());
        }
        Err(error) => {
            std::hint::black_box(error.to_string());
        }
    }
}

/// `config_files`: the input as `garrison.toml`, as the admission webhook's `--config` (YAML and
/// JSON) and as its `--namespaces` file; whatever loads is used once.
pub fn config_files(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match garrison_core::Config::parse("garrison.toml", text) {
        Ok(config) => {
            std::hint::black_box(config.is_allowed_registry("docker.io", "library/nginx"));
            std::hint::black_box(config.is_managed_namespace(Some("kube-system")));
            std::hint::black_box(config.is_managed_rbac_name("eks:node-manager"));
            for rule in &config.ignore {
                std::hint::black_box(rule.matches("GAR-POD-001", Some("default"), "Pod", "web"));
            }
        }
        Err(error) => {
            std::hint::black_box(error.to_string());
        }
    }
    for name in ["config.yaml", "config.json"] {
        match AdmissionConfig::parse(name, text) {
            Ok(config) => {
                // The configuration in force: judge one pod with it.
                let admission = Admission::new(config, Default::default(), None);
                let review = br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"1","kind":{"group":"","version":"v1","kind":"Pod"},"resource":{"group":"","version":"v1","resource":"pods"},"namespace":"default","operation":"CREATE","userInfo":{"username":"alice"},"object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"default"},"spec":{"containers":[{"name":"c","image":"docker.io/library/nginx:1","securityContext":{"privileged":true}}]}}}}"#;
                std::hint::black_box(admission.review(review).is_ok());
            }
            Err(error) => {
                std::hint::black_box(error.to_string());
            }
        }
    }
    match namespaces::parse("namespaces.yaml", text) {
        Ok(map) => {
            std::hint::black_box(map.len());
        }
        Err(error) => {
            std::hint::black_box(error.to_string());
        }
    }
}
