//! Upstream pod-security-admission's fixture suite through the admission webhook: each of the
//! 4,537 fixtures of `shared/conformance/psa` is sent over TLS as an AdmissionReview creating the
//! pod in a namespace labelled with the fixture's level and version (enforce and warn, as
//! upstream's own runner labels it). The webhook must give the verdict upstream expects and the
//! verdict `garrison pss` gives, with `garrison pss`'s exact message when it denies. The data lies
//! beside the workspace checkout; without it this test fails rather than passing vacuously.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use garrison_checks::pss::{PssPolicy, evaluate_object};
use garrison_server::admission::config::AdmissionConfig;
use garrison_server::admission::pod_security::{NamespaceInfo, NamespaceMap};
use garrison_server::admission::{Admission, Listeners, VALIDATE_PATH, serve};
use garrison_server::tls::{TlsFiles, server_config};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use serde::Deserialize;
use serde_json::{Value, json};

const EXPECTED_FIXTURES: usize = 4537;

#[derive(Debug, Deserialize)]
struct Expectation {
    path: String,
    level: String,
    version: String,
    expect: String,
    error_substring: Option<String>,
}

fn conformance_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/psa")
}

fn load_object(path: &Path) -> garrison_core::Object {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("cannot read fixture {}: {error}", path.display()));
    let loaded = garrison_core::loader::load_text(&path.display().to_string(), &text);
    assert!(loaded.diagnostics.is_empty(), "{}", path.display());
    let [object] = <[garrison_core::Object; 1]>::try_from(loaded.objects).unwrap();
    object
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_psa_fixture_gets_the_same_verdict_as_garrison_pss() {
    let dir = conformance_dir();
    let path = dir.join("expectations.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|error| {
        panic!(
            "cannot read {}: {error}\nthe PSA conformance data (shared/conformance/psa) must lie \
             beside the workspace checkout; this test does not skip without it",
            path.display()
        )
    });
    let expectations: Vec<Expectation> = serde_json::from_str(&text).unwrap();
    assert_eq!(expectations.len(), EXPECTED_FIXTURES);

    // One namespace per level and version.
    let mut namespaces = NamespaceMap::new();
    for expectation in &expectations {
        let name = format!(
            "{}-{}",
            expectation.level,
            expectation.version.replace('.', "-")
        );
        namespaces.entry(name).or_insert_with(|| NamespaceInfo {
            labels: [
                ("enforce", expectation.level.as_str()),
                ("enforce-version", expectation.version.as_str()),
                ("warn", expectation.level.as_str()),
                ("warn-version", expectation.version.as_str()),
            ]
            .into_iter()
            .map(|(key, value)| {
                (
                    format!("pod-security.kubernetes.io/{key}"),
                    value.to_string(),
                )
            })
            .collect(),
            pods: Vec::new(),
        });
    }
    let admission = Arc::new(Admission::new(AdmissionConfig::default(), namespaces, None));

    let scratch = tempfile::tempdir().unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(DnType::CommonName, "conformance CA");
    let ca = CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap();
    let mut params = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let key = KeyPair::generate().unwrap();
    let certificate = params.signed_by(&key, &ca).unwrap();
    std::fs::write(scratch.path().join("tls.crt"), certificate.pem()).unwrap();
    std::fs::write(scratch.path().join("tls.key"), key.serialize_pem()).unwrap();
    let config = server_config(&TlsFiles {
        cert: scratch.path().join("tls.crt"),
        key: scratch.path().join("tls.key"),
        client_ca: None,
    })
    .unwrap();
    let webhook = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let metrics = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = webhook.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve(
        Listeners { webhook, metrics },
        config,
        admission,
        Duration::from_secs(60),
        Duration::from_secs(5),
        async {
            let _ = stopped.await;
        },
    ));

    // One keep-alive connection for the whole suite.
    let mut roots = rustls::RootCertStore::empty();
    for certificate in CertificateDer::pem_slice_iter(ca.pem().as_bytes()) {
        roots.add(certificate.unwrap()).unwrap();
    }
    let client = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let tcp = tokio::net::TcpStream::connect(address).await.unwrap();
    let tls = tokio_rustls::TlsConnector::from(Arc::new(client))
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .unwrap();
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tls))
            .await
            .unwrap();
    tokio::spawn(connection);

    let mut objects: BTreeMap<String, garrison_core::Object> = BTreeMap::new();
    let mut mismatches = Vec::new();
    let mut denied = 0;
    for (index, expectation) in expectations.iter().enumerate() {
        let object = objects
            .entry(expectation.path.clone())
            .or_insert_with(|| load_object(&dir.join(&expectation.path)));
        let namespace = format!(
            "{}-{}",
            expectation.level,
            expectation.version.replace('.', "-")
        );
        let review = json!({
            "apiVersion": "admission.k8s.io/v1",
            "kind": "AdmissionReview",
            "request": {
                "uid": format!("fixture-{index}"),
                "kind": {"group": "", "version": "v1", "kind": "Pod"},
                "resource": {"group": "", "version": "v1", "resource": "pods"},
                "name": object.name,
                "namespace": namespace,
                "operation": "CREATE",
                "userInfo": {"username": "conformance"},
                "object": object.value,
            }
        });
        let request = hyper::Request::post(VALIDATE_PATH)
            .header("host", "localhost")
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(review.to_string())))
            .unwrap();
        sender.ready().await.unwrap();
        let response = sender.send_request(request).await.unwrap();
        assert_eq!(response.status(), 200);
        let body = response.into_body().collect().await.unwrap().to_bytes();
        let answer: Value = serde_json::from_slice(&body).unwrap();
        let answer = &answer["response"];

        // What `garrison pss --level L --version V` says of the same file.
        let policy = PssPolicy {
            level: expectation.level.parse().unwrap(),
            version: expectation.version.parse().unwrap(),
        };
        let verdict = evaluate_object(policy.level, policy.version, object)
            .unwrap()
            .unwrap();
        let pss_message = verdict.message(policy);
        let allowed = answer["allowed"].as_bool().unwrap();
        let expected_allowed = expectation.expect == "pass";
        if allowed != expected_allowed || allowed != pss_message.is_none() {
            mismatches.push(format!(
                "{}: webhook allowed={allowed}, upstream expects {}, garrison pss says {:?}",
                expectation.path, expectation.expect, pss_message
            ));
            continue;
        }
        if !allowed {
            denied += 1;
            let message = answer["status"]["message"].as_str().unwrap();
            if Some(message) != pss_message.as_deref() {
                mismatches.push(format!(
                    "{}: webhook says {message:?}, garrison pss says {pss_message:?}",
                    expectation.path
                ));
            }
            if let Some(substring) = &expectation.error_substring
                && !message.contains(substring.as_str())
            {
                mismatches.push(format!(
                    "{}: denial lacks {substring:?}: {message}",
                    expectation.path
                ));
            }
        }
    }
    let _ = stop.send(());
    server.await.unwrap().unwrap();
    assert!(
        mismatches.is_empty(),
        "{} of {} fixtures differ:\n{}",
        mismatches.len(),
        expectations.len(),
        mismatches.join("\n")
    );
    // Every fail fixture was denied (3,486 of them: baseline 1,122 + restricted 2,364).
    assert_eq!(denied, 3486);
}
