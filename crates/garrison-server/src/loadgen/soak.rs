//! The soak and fault run against a real `garrison admission serve` or `garrison authz serve`
//! process on loopback over TLS:
//!
//! - a fixed rate of requests over keep-alive connections, mostly valid ones whose answer must
//!   equal, field for field, what the library decides for the same request in this process, and
//!   a few invalid ones: malformed JSON, a wrong content type, a body over the limit;
//! - slow clients that hold connections: one that never starts the TLS handshake, one that
//!   trickles request headers, one that trickles a body; each must be cut off by the server's
//!   read timeout, and is replaced when it is;
//! - the server certificate rewritten in place every few seconds (new connections must then
//!   present it) and the Cedar policy file rewritten with an equivalent set (the reload counter
//!   must move);
//! - the server's resident memory sampled every second from `/proc/PID/status`;
//! - at the end, SIGTERM during load with requests in flight (headers and half a body sent):
//!   they must be answered, the load sent in the shutdown grace too, new connections refused,
//!   and the process must exit 0.
//!
//! [`SoakReport::problems`] lists every way the run fell short; empty is a pass.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hyper::body::Bytes;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair,
};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::{Client, Generator, LoadError, Plan, Probe, Tally, post, setup};
use crate::admission::{self, Admission};
use crate::authorize::Authorization;

/// Which webhook to soak.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Server {
    Admission,
    Authz,
}

impl Server {
    pub fn name(self) -> &'static str {
        match self {
            Server::Admission => "admission",
            Server::Authz => "authz",
        }
    }

    fn path(self) -> &'static str {
        match self {
            Server::Admission => admission::VALIDATE_PATH,
            Server::Authz => crate::authorize::AUTHORIZE_PATH,
        }
    }

    fn reload_metric(self) -> &'static str {
        match self {
            Server::Admission => "garrison_admission_policy_reloads_total{result=\"success\"}",
            Server::Authz => "garrison_authz_policy_reloads_total{result=\"success\"}",
        }
    }
}

/// What to run.
#[derive(Clone, Debug)]
pub struct SoakPlan {
    pub server: Server,
    /// The `garrison` binary to run.
    pub garrison: PathBuf,
    /// How long the load runs before SIGTERM.
    pub duration: Duration,
    pub rate: u64,
    pub connections: u64,
    /// Slow connections held at once (spread over the three kinds).
    pub slow_clients: usize,
    /// How often a slow client sends its next byte.
    pub trickle: Duration,
    /// The server's `--read-timeout-ms`.
    pub read_timeout: Duration,
    /// The server's `--shutdown-grace-ms`.
    pub shutdown_grace: Duration,
    pub cert_reload_every: Duration,
    pub policy_reload_every: Duration,
    /// Requests in flight (half a body sent) when SIGTERM is sent.
    pub in_flight: usize,
    /// Print a line every this often while running (`None`: quiet).
    pub progress: Option<Duration>,
}

impl SoakPlan {
    /// The full soak of issue 12: 5,000/s with reloads every 10 s and 6 slow clients.
    pub fn new(server: Server, garrison: PathBuf, duration: Duration) -> SoakPlan {
        SoakPlan {
            server,
            garrison,
            duration,
            rate: 5_000,
            connections: 16,
            slow_clients: 6,
            trickle: Duration::from_millis(250),
            read_timeout: Duration::from_secs(5),
            shutdown_grace: Duration::from_secs(2),
            cert_reload_every: Duration::from_secs(10),
            policy_reload_every: Duration::from_secs(10),
            in_flight: 4,
            progress: Some(Duration::from_secs(30)),
        }
    }
}

/// One slow connection and when the server cut it off (`None`: it was not, within twice the
/// read timeout and some slack).
#[derive(Clone, Debug)]
pub struct SlowCut {
    pub kind: &'static str,
    pub cut_after: Option<Duration>,
}

/// What the soak saw.
#[derive(Debug, Default)]
pub struct SoakReport {
    pub server: &'static str,
    pub duration: Duration,
    pub rate: u64,
    pub connections: u64,
    pub read_timeout: Duration,
    pub tally: Tally,
    pub elapsed: Duration,
    pub slow: Vec<SlowCut>,
    /// For each certificate rewrite, how long until a new connection was served the new one.
    pub cert_reloads: Vec<Option<Duration>>,
    /// For each policy rewrite, how long until the reload counter moved.
    pub policy_reloads: Vec<Option<Duration>>,
    /// (seconds since start, VmRSS in KiB).
    pub rss: Vec<(f64, u64)>,
    /// The requests in flight at SIGTERM: `Ok` when answered correctly.
    pub in_flight: Vec<Result<(), String>>,
    /// Whether a connection attempt after SIGTERM was refused.
    pub refused_after_sigterm: Option<bool>,
    /// The process's exit, as the OS reported it.
    pub exit: Option<String>,
    pub exit_success: bool,
    pub load_average: (String, String),
    /// Problems found outside the tallies (setup, a task that failed).
    pub notes: Vec<String>,
}

impl SoakReport {
    /// The RSS growth the issue asks for: from the sample at minute 2 (or at a fifth of the run
    /// when it is shorter than three minutes) to the last sample before SIGTERM, in per cent,
    /// with both values in KiB.
    pub fn rss_growth(&self) -> Option<(f64, u64, u64)> {
        let from = if self.duration >= Duration::from_secs(180) {
            120.0
        } else {
            self.duration.as_secs_f64() / 5.0
        };
        let (_, base) = self.rss.iter().find(|(at, _)| *at >= from)?;
        let (_, last) = self.rss.last()?;
        Some((
            (*last as f64 - *base as f64) * 100.0 / *base as f64,
            *base,
            *last,
        ))
    }

    /// Every way the run fell short of the bar; empty is a pass. Latency is reported,
    /// not judged here.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = self.notes.clone();
        if self.tally.errors() > 0 {
            problems.push(format!(
                "{} requests unanswered or answered wrongly: {}",
                self.tally.errors(),
                self.tally.examples.join("; ")
            ));
        }
        if self
            .tally
            .kinds
            .get("valid")
            .is_none_or(|valid| valid.correct == 0)
        {
            problems.push("no valid request was answered".to_string());
        }
        let bound = self.read_timeout * 3 / 2 + Duration::from_secs(3);
        for cut in &self.slow {
            match cut.cut_after {
                None => problems.push(format!(
                    "a slow client ({}) was not cut off within {:?}",
                    cut.kind, bound
                )),
                Some(after) if after > bound => problems.push(format!(
                    "a slow client ({}) was cut off after {after:?}, beyond {bound:?}",
                    cut.kind
                )),
                Some(_) => {}
            }
        }
        if self
            .cert_reloads
            .iter()
            .any(|reload| reload.is_none_or(|after| after > Duration::from_secs(10)))
        {
            problems.push("a rewritten certificate was not served within 10 s".to_string());
        }
        if self
            .policy_reloads
            .iter()
            .any(|reload| reload.is_none_or(|after| after > Duration::from_secs(10)))
        {
            problems.push("a rewritten policy file was not reloaded within 10 s".to_string());
        }
        for (number, answer) in self.in_flight.iter().enumerate() {
            if let Err(why) = answer {
                problems.push(format!("in-flight request {number} at SIGTERM: {why}"));
            }
        }
        if self.refused_after_sigterm == Some(false) {
            problems.push("a new connection was accepted after SIGTERM".to_string());
        }
        if !self.exit_success {
            problems.push(format!(
                "the server did not exit 0 after SIGTERM: {}",
                self.exit.as_deref().unwrap_or("still running")
            ));
        }
        // Memory growth is judged on runs of three minutes or more; shorter ones are warm-up.
        if let Some((growth, _, _)) = self.rss_growth()
            && growth >= 10.0
            && self.duration >= Duration::from_secs(180)
        {
            problems.push(format!("resident memory grew {growth:.1}% (target < 10%)"));
        }
        problems
    }

    /// The report as printed by the harness.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let (service, scheduled) = super::sorted_latencies(&self.tally);
        out.push_str(&format!(
            "garrison {} serve: {} requests in {:.1} s (offered {}/s over {} connections), {} errors, {} reconnects after 408/413\n",
            self.server,
            self.tally.sent(),
            self.elapsed.as_secs_f64(),
            self.rate,
            self.connections,
            self.tally.errors(),
            self.tally.reconnects,
        ));
        out.push_str(&self.tally.summary());
        out.push('\n');
        out.push_str(&format!(
            "valid requests, send to response: {}\n",
            super::percentiles(&service)
        ));
        out.push_str(&format!(
            "valid requests, from scheduled send: {}\n",
            super::percentiles(&scheduled)
        ));
        let cut: Vec<Duration> = self.slow.iter().filter_map(|cut| cut.cut_after).collect();
        out.push_str(&format!(
            "slow clients: {} held, {} cut off (read timeout {:?}), longest {:.2} s\n",
            self.slow.len(),
            cut.len(),
            self.read_timeout,
            cut.iter().max().map_or(0.0, Duration::as_secs_f64)
        ));
        let worst = |reloads: &[Option<Duration>]| {
            reloads
                .iter()
                .flatten()
                .max()
                .map_or(0.0, |after| after.as_secs_f64() * 1e3)
        };
        out.push_str(&format!(
            "certificate rewrites: {} ({} served to new connections, slowest after {:.0} ms)\n",
            self.cert_reloads.len(),
            self.cert_reloads.iter().flatten().count(),
            worst(&self.cert_reloads)
        ));
        out.push_str(&format!(
            "policy rewrites: {} ({} reloaded, slowest after {:.0} ms)\n",
            self.policy_reloads.len(),
            self.policy_reloads.iter().flatten().count(),
            worst(&self.policy_reloads)
        ));
        match self.rss_growth() {
            Some((growth, base, last)) => out.push_str(&format!(
                "resident memory: {:.1} MiB at the baseline sample, {:.1} MiB at the end: {growth:+.1}% ({} samples, peak {:.1} MiB)\n",
                base as f64 / 1024.0,
                last as f64 / 1024.0,
                self.rss.len(),
                self.rss.iter().map(|(_, kib)| *kib).max().unwrap_or(0) as f64 / 1024.0
            )),
            None => out.push_str("resident memory: too few samples\n"),
        }
        out.push_str(&format!(
            "SIGTERM: {}/{} in-flight requests answered correctly, new connections {}, {}\n",
            self.in_flight
                .iter()
                .filter(|answer| answer.is_ok())
                .count(),
            self.in_flight.len(),
            match self.refused_after_sigterm {
                Some(true) => "refused",
                Some(false) => "ACCEPTED",
                None => "not tried",
            },
            self.exit.as_deref().unwrap_or("none")
        ));
        out.push_str(&format!(
            "load average (1, 5, 15 min): {} at start, {} at end\n",
            self.load_average.0, self.load_average.1
        ));
        let problems = self.problems();
        if problems.is_empty() {
            out.push_str("result: PASS\n");
        } else {
            out.push_str("result: FAIL\n");
            for problem in problems {
                out.push_str(&format!("  - {problem}\n"));
            }
        }
        out
    }
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|_| "unknown".to_string())
}

fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kib| kib.parse().ok())
}

fn write(path: &Path, contents: impl AsRef<[u8]>) -> Result<(), LoadError> {
    std::fs::write(path, contents).map_err(|source| LoadError::Io {
        context: format!("writing {}", path.display()),
        source,
    })
}

/// The certificates of a run: a server CA whose leaf is reissued on every rewrite, and a client
/// CA and certificate for the authorization webhook's client authentication.
struct Pki {
    server_ca: CertifiedIssuer<'static, KeyPair>,
    client_ca: CertifiedIssuer<'static, KeyPair>,
}

fn authority(name: &str) -> Result<CertifiedIssuer<'static, KeyPair>, LoadError> {
    let mut params = CertificateParams::new(Vec::<String>::new()).map_err(setup)?;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    CertifiedIssuer::self_signed(params, KeyPair::generate().map_err(setup)?).map_err(setup)
}

/// A leaf for `name` signed by `issuer`: (certificate PEM, key PEM, certificate DER).
fn leaf(
    issuer: &CertifiedIssuer<'static, KeyPair>,
    name: &str,
    purpose: ExtendedKeyUsagePurpose,
) -> Result<(String, String, Vec<u8>), LoadError> {
    let mut params = CertificateParams::new(vec![name.to_string()]).map_err(setup)?;
    params.extended_key_usages = vec![purpose];
    let key = KeyPair::generate().map_err(setup)?;
    let certificate = params.signed_by(&key, issuer).map_err(setup)?;
    Ok((
        certificate.pem(),
        key.serialize_pem(),
        certificate.der().to_vec(),
    ))
}

/// The files of a run and how to judge answers.
struct Setup {
    dir: PathBuf,
    policy_file: PathBuf,
    args: Vec<String>,
    client: Client,
    generator: Generator,
    /// The body of a valid request and its check, for the in-flight requests at SIGTERM.
    in_flight_probe: Arc<dyn Fn() -> Probe + Send + Sync>,
}

const NAMESPACES: &str = "\
apiVersion: v1
kind: Namespace
metadata:
  name: team-restricted
  labels:
    pod-security.kubernetes.io/enforce: restricted
    pod-security.kubernetes.io/audit: restricted
---
apiVersion: v1
kind: Namespace
metadata:
  name: team-baseline
  labels:
    pod-security.kubernetes.io/enforce: baseline
    pod-security.kubernetes.io/warn: restricted
---
apiVersion: v1
kind: Namespace
metadata:
  name: team-open
";

const IMAGE_CONFIG: &str = "apiVersion: garrison.dev/v1alpha1\nkind: ImagePolicy\nallowedRegistries: [\"registry.k8s.io\", \"public.ecr.aws\"]\n";

/// The admission policy set of generation `generation`: the same decisions in every generation
/// (the extra forbid names a namespace no request uses), a different file.
fn admission_policies(generation: u64) -> String {
    format!(
        "@reason(\"host networking is reserved for the platform team\")\n\
         forbid(principal, action == k8s::admission::Action::\"create\", resource is k8s::admission::Object)\n  \
         when {{ resource in k8s::admission::Namespace::\"team-open\" && resource has podSpec && resource.podSpec.hostNetwork }};\n\
         forbid(principal, action == k8s::admission::Action::\"create\", resource is k8s::admission::Object)\n  \
         when {{ resource in k8s::admission::Namespace::\"unused-{generation}\" }};\n"
    )
}

fn authz_policies(generation: u64) -> String {
    let mut text = String::new();
    for team in 0..50 {
        text.push_str(&format!(
            "permit(principal in k8s::Group::\"team-{team}\", action in [k8s::Action::\"get\", k8s::Action::\"list\"], resource is k8s::Resource)\n  when {{ resource has namespace && resource.namespace == \"team-{team}\" }};\n"
        ));
    }
    text.push_str("@reason(\"protected resources are read through the platform API\")\nforbid(principal, action, resource is k8s::Resource) when { resource.resource == \"protected\" };\n");
    text.push_str(&format!(
        "forbid(principal, action, resource is k8s::Resource) when {{ resource.resource == \"unused-{generation}\" }};\n"
    ));
    text
}

fn pod_spec(secure: bool, host_network: bool, image: &str) -> Value {
    let context = if secure {
        json!({"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}, "readOnlyRootFilesystem": true})
    } else {
        json!({})
    };
    json!({
        "securityContext": if secure { json!({"runAsNonRoot": true, "runAsUser": 10001, "seccompProfile": {"type": "RuntimeDefault"}}) } else { json!({}) },
        "hostNetwork": host_network,
        "serviceAccountName": "web",
        "containers": [{
            "name": "web",
            "image": image,
            "args": ["netexec", "--http-port=8080"],
            "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
            "env": [{"name": "MODE", "value": "production"}],
            "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "256Mi"}},
            "readinessProbe": {"httpGet": {"path": "/healthz", "port": 8080}, "periodSeconds": 5},
            "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
            "securityContext": context,
            "imagePullPolicy": "IfNotPresent"
        }],
        "volumes": [{"name": "tmp", "emptyDir": {}}],
        "restartPolicy": "Always",
        "terminationGracePeriodSeconds": 30
    })
}

/// The valid AdmissionReviews a run cycles through: allowed, denied by Pod Security, warned,
/// denied by a Cedar forbid, denied by an image rule, and one in v1beta1.
fn admission_reviews() -> Vec<String> {
    const GOOD: &str = "registry.k8s.io/e2e-test-images/agnhost:2.53";
    let cases: Vec<(&str, &str, Value)> = vec![
        ("team-restricted", "Pod", pod_spec(true, false, GOOD)),
        ("team-restricted", "Pod", pod_spec(false, false, GOOD)),
        ("team-baseline", "Pod", pod_spec(false, false, GOOD)),
        (
            "team-restricted",
            "Deployment",
            pod_spec(false, false, GOOD),
        ),
        ("team-open", "Pod", pod_spec(false, true, GOOD)),
        (
            "team-open",
            "Pod",
            pod_spec(true, false, "docker.io/library/nginx:1.27"),
        ),
        ("team-baseline", "Pod", pod_spec(false, true, GOOD)),
        ("team-open", "Pod", pod_spec(true, false, GOOD)),
    ];
    let mut reviews = Vec::new();
    for (index, (namespace, kind, spec)) in cases.into_iter().enumerate() {
        let name = format!("web-{index}");
        let (resource, group, object) = if kind == "Pod" {
            (
                "pods",
                "",
                json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": namespace, "labels": {"app": "web"}}, "spec": spec}),
            )
        } else {
            (
                "deployments",
                "apps",
                json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": namespace}, "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": spec}}}),
            )
        };
        let api_version = if index == 7 {
            "admission.k8s.io/v1beta1"
        } else {
            "admission.k8s.io/v1"
        };
        reviews.push(
            json!({
                "apiVersion": api_version,
                "kind": "AdmissionReview",
                "request": {
                    "uid": format!("705ab4f5-6393-11e8-b7cc-{index:012}"),
                    "kind": {"group": group, "version": "v1", "kind": kind},
                    "resource": {"group": group, "version": "v1", "resource": resource},
                    "requestKind": {"group": group, "version": "v1", "kind": kind},
                    "requestResource": {"group": group, "version": "v1", "resource": resource},
                    "name": name,
                    "namespace": namespace,
                    "operation": "CREATE",
                    "userInfo": {"username": "alice@example.com", "uid": "6f1c7a3e", "groups": ["developers", "system:authenticated"]},
                    "object": object,
                    "oldObject": null,
                    "dryRun": false,
                    "options": {"apiVersion": "meta.k8s.io/v1", "kind": "CreateOptions"}
                }
            })
            .to_string(),
        );
    }
    reviews
}

fn authz_reviews() -> Vec<String> {
    let cases = [
        ("get", "pods", "team-7"),
        ("list", "pods", "team-7"),
        ("get", "protected", "team-7"),
        ("get", "pods", "elsewhere"),
        ("delete", "pods", "team-7"),
        ("get", "secrets", "team-49"),
    ];
    cases
        .iter()
        .map(|(verb, resource, namespace)| {
            json!({
                "apiVersion": "authorization.k8s.io/v1",
                "kind": "SubjectAccessReview",
                "spec": {
                    "user": "alice@example.com",
                    "uid": "6f1c7a3e",
                    "groups": ["team-7", "team-49", "system:authenticated"],
                    "extra": {"authentication.kubernetes.io/credential-id": ["X509SHA256=abc"]},
                    "resourceAttributes": {"verb": verb, "version": "v1", "resource": resource, "namespace": namespace, "name": "web-0"}
                }
            })
            .to_string()
        })
        .collect()
}

/// What a valid request must be answered: the status and the exact JSON.
fn exact(expected: Value) -> super::Check {
    Box::new(move |status, body| {
        if status != 200 {
            return Err(format!(
                "status {status}: {}",
                String::from_utf8_lossy(&body[..body.len().min(200)])
            ));
        }
        let answer: Value = serde_json::from_slice(body).map_err(|error| error.to_string())?;
        if answer == expected {
            Ok(())
        } else {
            Err(format!("answered {answer}, expected {expected}"))
        }
    })
}

fn status_is(expected: u16) -> super::Check {
    Box::new(move |status, _| {
        if status == expected {
            Ok(())
        } else {
            Err(format!("status {status}, expected {expected}"))
        }
    })
}

/// The invalid requests, one in a hundred each (one in a thousand for the oversized body): a
/// malformed body, a wrong content type, a body over the limit.
fn invalid(server: Server, index: u64, valid_body: &Bytes, oversized: &Bytes) -> Option<Probe> {
    let path = server.path();
    match index % 1000 {
        0 => Some(Probe {
            kind: "oversized (413)",
            request: post(path, "application/json", oversized.clone()),
            check: status_is(413),
        }),
        1..=10 => Some(Probe {
            kind: "wrong type (415)",
            request: post(path, "text/plain", valid_body.clone()),
            check: status_is(415),
        }),
        11..=20 => {
            let truncated = valid_body.slice(..valid_body.len() / 2);
            Some(match server {
                Server::Admission => Probe {
                    kind: "malformed (400)",
                    request: post(path, "application/json", truncated),
                    check: status_is(400),
                },
                // A SubjectAccessReview webhook answers what it cannot read with an
                // evaluationError and no opinion, as the API server expects.
                Server::Authz => Probe {
                    kind: "malformed (200+err)",
                    request: post(path, "application/json", truncated),
                    check: Box::new(|status, body| {
                        let answer: Value = serde_json::from_slice(body)
                            .map_err(|error| format!("status {status}: {error}"))?;
                        let status_field = &answer["status"];
                        if status == 200
                            && status_field["allowed"] == false
                            && status_field["evaluationError"]
                                .as_str()
                                .is_some_and(|error| !error.is_empty())
                        {
                            Ok(())
                        } else {
                            Err(format!("status {status}: {answer}"))
                        }
                    }),
                },
            })
        }
        _ => None,
    }
}

fn prepare(plan: &SoakPlan, dir: &Path, pki: &Pki) -> Result<Setup, LoadError> {
    let (cert, key, _) = leaf(
        &pki.server_ca,
        "localhost",
        ExtendedKeyUsagePurpose::ServerAuth,
    )?;
    write(&dir.join("cert.pem"), cert)?;
    write(&dir.join("key.pem"), key)?;
    write(&dir.join("ca.pem"), pki.server_ca.pem())?;
    let policies = dir.join("policies");
    std::fs::create_dir_all(&policies).map_err(|source| LoadError::Io {
        context: format!("creating {}", policies.display()),
        source,
    })?;
    let policy_file = policies.join("main.cedar");
    let path = |name: &str| dir.join(name).display().to_string();
    let mut args: Vec<String> = vec![
        plan.server.name().to_string(),
        "serve".to_string(),
        "--tls-cert".to_string(),
        path("cert.pem"),
        "--tls-key".to_string(),
        path("key.pem"),
        "--policies".to_string(),
        policies.display().to_string(),
        "--reload-interval-ms".to_string(),
        "200".to_string(),
        "--read-timeout-ms".to_string(),
        plan.read_timeout.as_millis().to_string(),
        "--shutdown-grace-ms".to_string(),
        plan.shutdown_grace.as_millis().to_string(),
    ];
    let oversized = Bytes::from(vec![b' '; admission::MAX_BODY_BYTES + 1024]);
    match plan.server {
        Server::Admission => {
            write(&policy_file, admission_policies(0))?;
            write(&dir.join("namespaces.yaml"), NAMESPACES)?;
            write(&dir.join("config.yaml"), IMAGE_CONFIG)?;
            args.extend([
                "--namespaces".to_string(),
                path("namespaces.yaml"),
                "--config".to_string(),
                path("config.yaml"),
            ]);
            let options = admission::Options {
                listen: String::new(),
                metrics_listen: String::new(),
                tls: crate::tls::TlsFiles {
                    cert: dir.join("cert.pem"),
                    key: dir.join("key.pem"),
                    client_ca: None,
                },
                config: Some(dir.join("config.yaml")),
                namespaces: vec![path("namespaces.yaml")],
                policies: Some(policies.clone()),
                reload_interval: Duration::from_secs(1),
                request_timeout: Duration::from_secs(2),
                limits: crate::tls::Limits::default(),
            };
            // What this process's copy of the webhook answers is what the server must answer.
            let reference = Admission::load(&options).map_err(setup)?;
            let mut cases = Vec::new();
            let mut denied = 0;
            for body in admission_reviews() {
                let (expected, decision) = reference.review(body.as_bytes()).map_err(setup)?;
                denied += usize::from(!decision.verdict.allowed);
                cases.push((Bytes::from(body), expected));
            }
            if denied == 0 || denied == cases.len() {
                return Err(setup(
                    "the admission cases must include allowed and denied requests",
                ));
            }
            let cases = Arc::new(cases);
            let first = cases.clone();
            let client = Client::new(pki.server_ca.pem().as_bytes(), None)?;
            Ok(Setup {
                dir: dir.to_path_buf(),
                policy_file,
                args,
                client,
                generator: Arc::new(move |index| {
                    let (body, expected) = &cases[(index as usize) % cases.len()];
                    invalid(Server::Admission, index, body, &oversized).unwrap_or_else(|| Probe {
                        kind: "valid",
                        request: post(admission::VALIDATE_PATH, "application/json", body.clone()),
                        check: exact(expected.clone()),
                    })
                }),
                in_flight_probe: Arc::new(move || {
                    let (body, expected) = &first[1];
                    Probe {
                        kind: "in flight",
                        request: post(admission::VALIDATE_PATH, "application/json", body.clone()),
                        check: exact(expected.clone()),
                    }
                }),
            })
        }
        Server::Authz => {
            write(&policy_file, authz_policies(0))?;
            write(&dir.join("client-ca.pem"), pki.client_ca.pem())?;
            args.extend(["--client-ca".to_string(), path("client-ca.pem")]);
            let reference = Authorization::new(policies.clone(), garrison_cedar::Bypass::default())
                .map_err(setup)?;
            let mut cases = Vec::new();
            let mut decisions = std::collections::BTreeSet::new();
            for body in authz_reviews() {
                let request = garrison_cedar::AccessRequest::from_sar_json(&body).map_err(setup)?;
                let answer = reference.decide(&request);
                decisions.insert(answer.decision.as_str());
                let status = match answer.decision {
                    garrison_cedar::Decision::Allow => {
                        json!({"allowed": true, "reason": answer.reason})
                    }
                    garrison_cedar::Decision::Deny => {
                        json!({"allowed": false, "denied": true, "reason": answer.reason})
                    }
                    garrison_cedar::Decision::NoOpinion => {
                        json!({"allowed": false, "reason": answer.reason})
                    }
                };
                let expected = json!({
                    "apiVersion": "authorization.k8s.io/v1",
                    "kind": "SubjectAccessReview",
                    "status": status,
                });
                cases.push((Bytes::from(body), expected));
            }
            if decisions.len() != 3 {
                return Err(setup(format!(
                    "the authorization cases must include allow, deny and no opinion, not only {decisions:?}"
                )));
            }
            let (client_cert, client_key, _) = leaf(
                &pki.client_ca,
                "kube-apiserver",
                ExtendedKeyUsagePurpose::ClientAuth,
            )?;
            let client = Client::new(
                pki.server_ca.pem().as_bytes(),
                Some((client_cert.as_bytes(), client_key.as_bytes())),
            )?;
            let cases = Arc::new(cases);
            let first = cases.clone();
            let path = crate::authorize::AUTHORIZE_PATH;
            Ok(Setup {
                dir: dir.to_path_buf(),
                policy_file,
                args,
                client,
                generator: Arc::new(move |index| {
                    let (body, expected) = &cases[(index as usize) % cases.len()];
                    invalid(Server::Authz, index, body, &oversized).unwrap_or_else(|| Probe {
                        kind: "valid",
                        request: post(path, "application/json", body.clone()),
                        check: exact(expected.clone()),
                    })
                }),
                in_flight_probe: Arc::new(move || {
                    let (body, expected) = &first[2];
                    Probe {
                        kind: "in flight",
                        request: post(path, "application/json", body.clone()),
                        check: exact(expected.clone()),
                    }
                }),
            })
        }
    }
}

fn free_port() -> Result<SocketAddr, LoadError> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map_err(|source| LoadError::Io {
            context: "finding a free port".to_string(),
            source,
        })
}

/// Kills the child on drop unless it has exited (a run that fails half-way leaves no server).
struct Guard(Option<Child>);

impl Drop for Guard {
    fn drop(&mut self) {
        if let Some(child) = self.0.as_mut()
            && matches!(child.try_wait(), Ok(None))
        {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Opens one slow connection of `kind` and waits until the server cuts it off, or `give_up`.
async fn slow_client(
    client: &Client,
    address: SocketAddr,
    path: &str,
    kind: &'static str,
    trickle: Duration,
    give_up: Duration,
) -> Result<SlowCut, String> {
    let cut = |started: Instant, closed: bool| SlowCut {
        kind,
        cut_after: closed.then(|| started.elapsed()),
    };
    match kind {
        // TCP only: the TLS handshake never starts.
        "silent" => {
            let mut tcp = tokio::net::TcpStream::connect(address)
                .await
                .map_err(|error| format!("connect: {error}"))?;
            let started = Instant::now();
            let mut buffer = [0u8; 64];
            let closed = tokio::time::timeout(give_up, async {
                loop {
                    match tcp.read(&mut buffer).await {
                        Ok(0) | Err(_) => break,
                        Ok(_) => {}
                    }
                }
            })
            .await
            .is_ok();
            Ok(cut(started, closed))
        }
        _ => {
            let stream = client
                .connect(address)
                .await
                .map_err(|error| format!("connect: {error}"))?;
            let (mut reader, mut writer) = tokio::io::split(stream);
            let mut started = Instant::now();
            let head = format!(
                "POST {path} HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: 4096\r\n\r\n"
            );
            if kind == "body" {
                writer
                    .write_all(head.as_bytes())
                    .await
                    .map_err(|error| format!("writing headers: {error}"))?;
                writer
                    .flush()
                    .await
                    .map_err(|error| format!("writing headers: {error}"))?;
                started = Instant::now();
            }
            let trickled: Vec<u8> = if kind == "body" {
                vec![b' '; 4096]
            } else {
                head.into_bytes()
            };
            let trickling = async move {
                for byte in trickled.iter().cycle() {
                    if writer.write_all(&[*byte]).await.is_err() || writer.flush().await.is_err() {
                        break;
                    }
                    tokio::time::sleep(trickle).await;
                }
                // Keep the write half open while the read half waits.
                std::future::pending::<()>().await;
            };
            let reading = async move {
                let mut buffer = [0u8; 512];
                loop {
                    match reader.read(&mut buffer).await {
                        Ok(0) | Err(_) => break,
                        Ok(_) => {}
                    }
                }
            };
            let closed = tokio::time::timeout(give_up, async {
                tokio::select! {
                    () = reading => {}
                    () = trickling => {}
                }
            })
            .await
            .is_ok();
            Ok(cut(started, closed))
        }
    }
}

/// One request sent in two halves around SIGTERM: headers and half the body now, the rest
/// when `resume` fires; the answer is then read and checked.
async fn in_flight_request(
    client: Client,
    address: SocketAddr,
    probe: Probe,
    sent: tokio::sync::oneshot::Sender<()>,
    resume: tokio::sync::watch::Receiver<bool>,
) -> Result<(), String> {
    let (parts, body) = probe.request.into_parts();
    let body = http_body_util::BodyExt::collect(body)
        .await
        .map_err(|error| error.to_string())?
        .to_bytes();
    let mut stream = client
        .connect(address)
        .await
        .map_err(|error| format!("connect: {error}"))?;
    let head = format!(
        "POST {} HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        parts.uri,
        body.len()
    );
    let half = body.len() / 2;
    let io = |error: std::io::Error| format!("before SIGTERM: {error}");
    stream.write_all(head.as_bytes()).await.map_err(io)?;
    stream.write_all(&body[..half]).await.map_err(io)?;
    stream.flush().await.map_err(io)?;
    let _ = sent.send(());
    let mut resume = resume;
    let _ = resume.wait_for(|go| *go).await;
    let io = |error: std::io::Error| format!("after SIGTERM: {error}");
    stream.write_all(&body[half..]).await.map_err(io)?;
    stream.flush().await.map_err(io)?;
    let mut response = Vec::new();
    // The server closes the connection after its answer (connection: close); a TLS peer that
    // closes without close_notify still delivered the whole answer.
    let _ = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut response)).await;
    let text = String::from_utf8_lossy(&response);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| format!("no answer after SIGTERM ({} bytes)", response.len()))?;
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|status| status.parse().ok())
        .ok_or_else(|| format!("unreadable status line: {head}"))?;
    (probe.check)(status, body.as_bytes())
}

/// Waits until the metric `name` exceeds `above`, up to `limit`: how long it took.
async fn wait_for_metric(
    metrics: SocketAddr,
    name: &str,
    above: f64,
    limit: Duration,
) -> Option<Duration> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if metric(metrics, name)
            .await
            .is_some_and(|value| value > above)
        {
            return Some(started.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    None
}

async fn metric(metrics: SocketAddr, name: &str) -> Option<f64> {
    let (_, text) = super::get_plain(metrics, "/metrics").await.ok()?;
    text.lines()
        .find_map(|line| line.strip_prefix(name))
        .and_then(|value| value.trim().parse().ok())
}

/// Runs the soak of `plan` on a runtime of its own; errors are setup failures (the run's own
/// failures are in the report).
pub fn run(plan: &SoakPlan) -> Result<SoakReport, LoadError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|source| LoadError::Io {
            context: "starting a runtime".to_string(),
            source,
        })?;
    let dir = tempfile::tempdir().map_err(|source| LoadError::Io {
        context: "creating a temporary directory".to_string(),
        source,
    })?;
    runtime.block_on(run_async(plan, dir.path()))
}

async fn run_async(plan: &SoakPlan, dir: &Path) -> Result<SoakReport, LoadError> {
    let pki = Pki {
        server_ca: authority("soak server CA")?,
        client_ca: authority("soak client CA")?,
    };
    let prepared = prepare(plan, dir, &pki)?;
    let address = free_port()?;
    let metrics_address = free_port()?;
    let log_path = prepared.dir.join("server.log");
    let log = std::fs::File::create(&log_path).map_err(|source| LoadError::Io {
        context: format!("creating {}", log_path.display()),
        source,
    })?;
    let child = Command::new(&plan.garrison)
        .args(&prepared.args)
        .args([
            "--listen".to_string(),
            address.to_string(),
            "--metrics-listen".to_string(),
            metrics_address.to_string(),
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .map_err(|source| LoadError::Io {
            context: format!("starting {}", plan.garrison.display()),
            source,
        })?;
    let pid = child.id();
    let mut guard = Guard(Some(child));
    let server_log = || std::fs::read_to_string(&log_path).unwrap_or_default();

    // Ready when /readyz answers 200.
    let started = Instant::now();
    loop {
        if matches!(
            super::get_plain(metrics_address, "/readyz").await,
            Ok((200, _))
        ) {
            break;
        }
        if let Some(child) = guard.0.as_mut()
            && let Ok(Some(status)) = child.try_wait()
        {
            return Err(setup(format!(
                "the server exited ({status}) before it was ready:\n{}",
                server_log()
            )));
        }
        if started.elapsed() > Duration::from_secs(60) {
            return Err(setup(format!(
                "the server was not ready within 60 s:\n{}",
                server_log()
            )));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let mut report = SoakReport {
        server: plan.server.name(),
        duration: plan.duration,
        rate: plan.rate,
        connections: plan.connections,
        read_timeout: plan.read_timeout,
        load_average: (load_average(), String::new()),
        ..SoakReport::default()
    };
    let began = Instant::now();
    let (stop_load, load_stopped) = tokio::sync::watch::channel(false);
    let (stop_side, side_stopped) = tokio::sync::watch::channel(false);

    let shutting_down = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let load = tokio::spawn(super::run(
        prepared.client.clone(),
        Plan {
            address,
            rate: plan.rate,
            connections: plan.connections,
            limit: None,
            no_new_connections: Some(shutting_down.clone()),
        },
        prepared.generator.clone(),
        load_stopped,
    ));

    // Slow clients, each replaced when cut off.
    let kinds = ["silent", "headers", "body"];
    let mut slow_tasks = Vec::new();
    for number in 0..plan.slow_clients {
        let kind = kinds[number % kinds.len()];
        let client = prepared.client.clone();
        let mut stopped = side_stopped.clone();
        let trickle = plan.trickle;
        let give_up = plan.read_timeout * 2 + Duration::from_secs(5);
        let path = plan.server.path();
        slow_tasks.push(tokio::spawn(async move {
            let mut cuts = Vec::new();
            let mut errors = Vec::new();
            loop {
                let attempt = slow_client(&client, address, path, kind, trickle, give_up);
                tokio::select! {
                    result = attempt => match result {
                        Ok(cut) => cuts.push(cut),
                        Err(error) => errors.push(format!("slow client ({kind}): {error}")),
                    },
                    _ = stopped.wait_for(|stop| *stop) => break,
                }
                if *stopped.borrow() {
                    break;
                }
            }
            (cuts, errors)
        }));
    }

    // Certificate and policy rewrites.
    let reloads = {
        let client = prepared.client.clone();
        let dir = prepared.dir.clone();
        let policy_file = prepared.policy_file.clone();
        let server = plan.server;
        let cert_every = plan.cert_reload_every;
        let policy_every = plan.policy_reload_every;
        let mut stopped = side_stopped.clone();
        let server_ca = pki.server_ca;
        tokio::spawn(async move {
            let mut cert_reloads = Vec::new();
            let mut policy_reloads = Vec::new();
            let mut notes = Vec::new();
            let mut next_cert = Instant::now() + cert_every;
            let mut next_policy = Instant::now() + policy_every;
            let mut generation = 0;
            loop {
                let next = next_cert.min(next_policy);
                tokio::select! {
                    () = tokio::time::sleep_until(next.into()) => {}
                    _ = stopped.wait_for(|stop| *stop) => break,
                }
                if Instant::now() >= next_cert {
                    next_cert += cert_every;
                    match leaf(&server_ca, "localhost", ExtendedKeyUsagePurpose::ServerAuth) {
                        Ok((cert, key, der)) => {
                            // In place, certificate first: the server may see a pair that does
                            // not match for a moment, which it must refuse and keep the old.
                            let written = std::fs::write(dir.join("cert.pem"), cert)
                                .and_then(|()| std::fs::write(dir.join("key.pem"), key));
                            if let Err(error) = written {
                                notes.push(format!("rewriting the certificate: {error}"));
                                continue;
                            }
                            let rewritten = Instant::now();
                            let mut seen = None;
                            while rewritten.elapsed() < Duration::from_secs(15) {
                                if let Ok(stream) = client.connect(address).await {
                                    let served = stream
                                        .get_ref()
                                        .1
                                        .peer_certificates()
                                        .and_then(|chain| chain.first())
                                        .map(|leaf| leaf.as_ref().to_vec());
                                    if served.as_deref() == Some(der.as_slice()) {
                                        seen = Some(rewritten.elapsed());
                                        break;
                                    }
                                }
                                tokio::time::sleep(Duration::from_millis(50)).await;
                            }
                            cert_reloads.push(seen);
                        }
                        Err(error) => notes.push(format!("issuing a certificate: {error}")),
                    }
                }
                if Instant::now() >= next_policy {
                    next_policy += policy_every;
                    generation += 1;
                    let before = metric(metrics_address, server.reload_metric())
                        .await
                        .unwrap_or(0.0);
                    let text = match server {
                        Server::Admission => admission_policies(generation),
                        Server::Authz => authz_policies(generation),
                    };
                    // Written aside and renamed over the old file, as the kubelet updates a
                    // ConfigMap volume: a reader never sees half a policy set (which could
                    // well be a valid, smaller one).
                    let aside = policy_file.with_extension("cedar.new");
                    let written = std::fs::write(&aside, text)
                        .and_then(|()| std::fs::rename(&aside, &policy_file));
                    if let Err(error) = written {
                        notes.push(format!("rewriting the policies: {error}"));
                        continue;
                    }
                    policy_reloads.push(
                        wait_for_metric(
                            metrics_address,
                            server.reload_metric(),
                            before,
                            Duration::from_secs(15),
                        )
                        .await,
                    );
                }
            }
            (cert_reloads, policy_reloads, notes)
        })
    };

    // Resident memory every second, and progress.
    let sampler = {
        let mut stopped = side_stopped.clone();
        let progress = plan.progress;
        let name = plan.server.name();
        tokio::spawn(async move {
            let mut samples = Vec::new();
            let mut ticker = tokio::time::interval(Duration::from_secs(1));
            let mut last_progress = Instant::now();
            loop {
                tokio::select! {
                    _ = ticker.tick() => {}
                    _ = stopped.wait_for(|stop| *stop) => break,
                }
                if let Some(kib) = rss_kib(pid) {
                    samples.push((began.elapsed().as_secs_f64(), kib));
                    if let Some(every) = progress
                        && last_progress.elapsed() >= every
                    {
                        last_progress = Instant::now();
                        eprintln!(
                            "[soak {name}] {:>4.0} s  RSS {:.1} MiB  load {}",
                            began.elapsed().as_secs_f64(),
                            kib as f64 / 1024.0,
                            load_average()
                        );
                    }
                }
            }
            samples
        })
    };

    tokio::time::sleep_until((began + plan.duration).into()).await;

    // Side activities end first (their connections would otherwise be cut by the shutdown).
    let _ = stop_side.send(true);
    for task in slow_tasks {
        if let Ok((mut cuts, errors)) = task.await {
            report.slow.append(&mut cuts);
            report.notes.extend(errors);
        }
    }
    if let Ok((cert_reloads, policy_reloads, notes)) = reloads.await {
        report.cert_reloads = cert_reloads;
        report.policy_reloads = policy_reloads;
        report.notes.extend(notes);
    }
    if let Ok(samples) = sampler.await {
        report.rss = samples;
    }

    // SIGTERM during load, with requests in flight.
    let (resume, resumed) = tokio::sync::watch::channel(false);
    let mut in_flight = Vec::new();
    let mut all_sent = Vec::new();
    for _ in 0..plan.in_flight {
        let (sent, is_sent) = tokio::sync::oneshot::channel();
        all_sent.push(is_sent);
        in_flight.push(tokio::spawn(in_flight_request(
            prepared.client.clone(),
            address,
            (prepared.in_flight_probe)(),
            sent,
            resumed.clone(),
        )));
    }
    for sent in all_sent {
        let _ = tokio::time::timeout(Duration::from_secs(10), sent).await;
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    shutting_down.store(true, std::sync::atomic::Ordering::SeqCst);
    let signalled = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status();
    if !signalled.is_ok_and(|status| status.success()) {
        report.notes.push("kill -TERM failed".to_string());
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    report.refused_after_sigterm = Some(tokio::net::TcpStream::connect(address).await.is_err());
    let _ = resume.send(true);
    // The load goes on for a little while inside the shutdown grace, then stops.
    tokio::time::sleep(plan.shutdown_grace / 4).await;
    let _ = stop_load.send(true);
    for request in in_flight {
        report.in_flight.push(match request.await {
            Ok(answer) => answer,
            Err(error) => Err(error.to_string()),
        });
    }
    match load.await {
        Ok(tally) => report.tally = tally,
        Err(error) => report.notes.push(format!("the load task failed: {error}")),
    }
    report.elapsed = began.elapsed();

    let waiting = Instant::now();
    if let Some(mut child) = guard.0.take() {
        loop {
            match child.try_wait() {
                Ok(Some(status)) => {
                    report.exit_success = status.success();
                    report.exit = Some(status.to_string());
                    break;
                }
                Ok(None) if waiting.elapsed() < Duration::from_secs(30) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                _ => {
                    report.exit = Some("still running 30 s after SIGTERM".to_string());
                    guard.0 = Some(child);
                    break;
                }
            }
        }
    }
    report.load_average.1 = load_average();
    if !report.problems().is_empty() {
        let log = server_log();
        let tail: Vec<&str> = log.lines().rev().take(20).collect();
        report.notes.push(format!(
            "server log (last lines):\n{}",
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        ));
    }
    Ok(report)
}
