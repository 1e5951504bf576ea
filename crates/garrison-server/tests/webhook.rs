//! The authorization webhook over real TLS on loopback, with certificates made by the test:
//! SubjectAccessReviews allowed, denied and left without opinion; the client certificate
//! enforced; a policy file replaced by a broken one leaving the previous decisions in force,
//! then a good one taking over; metrics and health.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use garrison_cedar::Bypass;
use garrison_server::authorize::{AUTHORIZE_PATH, Authorization, Listeners, serve};
use garrison_server::tls::{TlsFiles, server_config};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use serde_json::{Value, json};
use tokio::net::TcpStream;

struct Authority {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

impl Authority {
    fn new(name: &str) -> Authority {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        let issuer = CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap();
        Authority { issuer }
    }

    /// A leaf certificate and its key, both PEM.
    fn leaf(&self, names: &[&str], purpose: ExtendedKeyUsagePurpose) -> (String, String) {
        let mut params = CertificateParams::new(
            names
                .iter()
                .map(|name| name.to_string())
                .collect::<Vec<_>>(),
        )
        .unwrap();
        params.distinguished_name.push(DnType::CommonName, names[0]);
        params.extended_key_usages = vec![purpose];
        let key = KeyPair::generate().unwrap();
        let certificate = params.signed_by(&key, &self.issuer).unwrap();
        (certificate.pem(), key.serialize_pem())
    }

    fn pem(&self) -> String {
        self.issuer.pem()
    }
}

struct Client {
    connector: tokio_rustls::TlsConnector,
    address: std::net::SocketAddr,
}

impl Client {
    fn new(
        address: std::net::SocketAddr,
        server_ca: &str,
        identity: Option<&(String, String)>,
    ) -> Client {
        let mut roots = rustls::RootCertStore::empty();
        for certificate in CertificateDer::pem_slice_iter(server_ca.as_bytes()) {
            roots.add(certificate.unwrap()).unwrap();
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots);
        let config = match identity {
            None => builder.with_no_client_auth(),
            Some((certificate, key)) => builder
                .with_client_auth_cert(
                    CertificateDer::pem_slice_iter(certificate.as_bytes())
                        .map(Result::unwrap)
                        .collect(),
                    PrivateKeyDer::from_pem_slice(key.as_bytes()).unwrap(),
                )
                .unwrap(),
        };
        Client {
            connector: tokio_rustls::TlsConnector::from(Arc::new(config)),
            address,
        }
    }

    /// POSTs a SubjectAccessReview; the response's `status`, or the error.
    async fn review(&self, review: &Value) -> Result<Value, String> {
        let tcp = TcpStream::connect(self.address)
            .await
            .map_err(|e| e.to_string())?;
        let tls = self
            .connector
            .connect(ServerName::try_from("localhost").unwrap(), tcp)
            .await
            .map_err(|e| e.to_string())?;
        let (mut sender, connection) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tls))
                .await
                .map_err(|e| e.to_string())?;
        tokio::spawn(connection);
        let request = hyper::Request::post(AUTHORIZE_PATH)
            .header("host", "localhost")
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(review.to_string())))
            .unwrap();
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| e.to_string())?;
        assert_eq!(response.status(), 200);
        let body = response.into_body().collect().await.unwrap().to_bytes();
        let value: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(value["kind"], "SubjectAccessReview");
        assert_eq!(value["apiVersion"], "authorization.k8s.io/v1");
        Ok(value["status"].clone())
    }
}

/// GET over plain HTTP: (status, body).
async fn get_plain(address: std::net::SocketAddr, path: &str) -> (u16, String) {
    let tcp = TcpStream::connect(address).await.unwrap();
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tcp))
            .await
            .unwrap();
    tokio::spawn(connection);
    let request = hyper::Request::get(path)
        .header("host", "localhost")
        .body(Full::new(Bytes::new()))
        .unwrap();
    let response = sender.send_request(request).await.unwrap();
    let status = response.status().as_u16();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

fn sar(user: &str, groups: &[&str], verb: &str, resource: &str) -> Value {
    json!({
        "apiVersion": "authorization.k8s.io/v1",
        "kind": "SubjectAccessReview",
        "spec": {
            "user": user,
            "groups": groups,
            "resourceAttributes": {"verb": verb, "resource": resource, "namespace": "shop", "version": "v1"}
        }
    })
}

const POLICIES: &str = r#"@id("devs-read")
permit(principal in k8s::Group::"devs", action == k8s::Action::"get", resource);

@id("no-secrets")
@reason("secrets are read through the vault")
forbid(principal, action, resource is k8s::Resource) when { resource.resource == "secrets" };
"#;

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
}

/// Replaces a file at once, as a ConfigMap update does: the watcher never sees half a file.
fn replace(path: &Path, text: &str) {
    let temporary = path.with_extension("partial");
    std::fs::write(&temporary, text).unwrap();
    std::fs::rename(&temporary, path).unwrap();
}

/// Polls /metrics until it contains `line`.
async fn wait_for_metric(address: std::net::SocketAddr, line: &str) {
    for _ in 0..200 {
        let (_, body) = get_plain(address, "/metrics").await;
        if body.lines().any(|l| l == line) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let (_, body) = get_plain(address, "/metrics").await;
    panic!("metric {line:?} never appeared:\n{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_over_tls() {
    let dir = tempfile::tempdir().unwrap();
    let server_ca = Authority::new("garrison test server CA");
    let client_ca = Authority::new("garrison test client CA");
    let rogue_ca = Authority::new("someone else's CA");
    let (server_cert, server_key) = server_ca.leaf(
        &["localhost", "127.0.0.1"],
        ExtendedKeyUsagePurpose::ServerAuth,
    );
    let api_server = client_ca.leaf(&["kube-apiserver"], ExtendedKeyUsagePurpose::ClientAuth);
    let rogue = rogue_ca.leaf(&["kube-apiserver"], ExtendedKeyUsagePurpose::ClientAuth);
    write(&dir.path().join("server.pem"), &server_cert);
    write(&dir.path().join("server-key.pem"), &server_key);
    write(&dir.path().join("client-ca.pem"), &client_ca.pem());
    let policy_dir = dir.path().join("policies");
    std::fs::create_dir(&policy_dir).unwrap();
    let policy_file = policy_dir.join("shop.cedar");
    write(&policy_file, POLICIES);

    let config = server_config(&TlsFiles {
        cert: dir.path().join("server.pem"),
        key: dir.path().join("server-key.pem"),
        client_ca: Some(dir.path().join("client-ca.pem")),
    })
    .unwrap();
    let state = Arc::new(Authorization::new(policy_dir.clone(), Bypass::default()).unwrap());
    let webhook = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let metrics = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = webhook.local_addr().unwrap();
    let metrics_address = metrics.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve(
        Listeners { webhook, metrics },
        config,
        state,
        Duration::from_millis(20),
        async move {
            let _ = stopped.await;
        },
    ));

    let client = Client::new(address, &server_ca.pem(), Some(&api_server));

    // Allowed, denied, no opinion.
    let allowed = client
        .review(&sar("carol", &["devs"], "get", "pods"))
        .await
        .unwrap();
    assert_eq!(allowed["allowed"], true, "{allowed}");
    assert!(allowed.get("denied").is_none());
    assert!(allowed["reason"].as_str().unwrap().contains("devs-read"));

    let denied = client
        .review(&sar("carol", &["devs"], "get", "secrets"))
        .await
        .unwrap();
    assert_eq!(denied["allowed"], false);
    assert_eq!(denied["denied"], true);
    let reason = denied["reason"].as_str().unwrap();
    assert!(reason.contains("no-secrets"), "{reason}");
    assert!(
        reason.contains("secrets are read through the vault"),
        "{reason}"
    );

    let no_opinion = client
        .review(&sar("dave", &["ops"], "get", "pods"))
        .await
        .unwrap();
    assert_eq!(no_opinion["allowed"], false);
    assert!(no_opinion.get("denied").is_none(), "{no_opinion}");

    // A body that is no SubjectAccessReview gets no opinion and an evaluation error.
    let broken = client.review(&json!({"spec": {}})).await.unwrap();
    assert_eq!(broken["allowed"], false);
    assert!(broken["evaluationError"].as_str().is_some(), "{broken}");

    // The client certificate is enforced: none, or one from another CA, is refused.
    let anonymous = Client::new(address, &server_ca.pem(), None);
    assert!(
        anonymous
            .review(&sar("carol", &["devs"], "get", "pods"))
            .await
            .is_err()
    );
    let impostor = Client::new(address, &server_ca.pem(), Some(&rogue));
    assert!(
        impostor
            .review(&sar("carol", &["devs"], "get", "pods"))
            .await
            .is_err()
    );

    // A broken policy file leaves the previous decisions in force, and is counted.
    replace(
        &policy_file,
        "forbid(principal, action, resource) when { nonsense };\n",
    );
    wait_for_metric(
        metrics_address,
        "garrison_authz_policy_reloads_total{result=\"failure\"} 1",
    )
    .await;
    let still_denied = client
        .review(&sar("carol", &["devs"], "get", "secrets"))
        .await
        .unwrap();
    assert_eq!(still_denied["denied"], true);
    let still_allowed = client
        .review(&sar("carol", &["devs"], "get", "pods"))
        .await
        .unwrap();
    assert_eq!(still_allowed["allowed"], true);

    // A good file takes over: without the forbid, the secret read is allowed.
    replace(
        &policy_file,
        "@id(\"devs-read\")\npermit(principal in k8s::Group::\"devs\", action == k8s::Action::\"get\", resource);\n",
    );
    wait_for_metric(
        metrics_address,
        "garrison_authz_policy_reloads_total{result=\"success\"} 2",
    )
    .await;
    let now_allowed = client
        .review(&sar("carol", &["devs"], "get", "secrets"))
        .await
        .unwrap();
    assert_eq!(now_allowed["allowed"], true, "{now_allowed}");

    // Health, readiness and microsecond histograms.
    assert_eq!(get_plain(metrics_address, "/healthz").await.0, 200);
    assert_eq!(get_plain(metrics_address, "/readyz").await.0, 200);
    let (_, text) = get_plain(metrics_address, "/metrics").await;
    assert!(
        text.contains("garrison_authz_decisions_total{decision=\"deny\"} 2"),
        "{text}"
    );
    assert!(
        text.contains("garrison_authz_decision_duration_microseconds_bucket"),
        "{text}"
    );
    assert!(text.contains("garrison_authz_policies 1"), "{text}");

    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(15), server)
        .await
        .expect("the server stops on shutdown")
        .unwrap()
        .unwrap();
}
