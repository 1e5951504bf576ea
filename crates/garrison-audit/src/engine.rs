//! Detectors and the engine that runs them over a stream of records, producing findings in
//! garrison's report model.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;

use garrison_core::{CheckMeta, Finding, ObjectRef, Status};
use serde::Deserialize;

use crate::event::{AuditEvent, CloudTrailRecord, EventView};
use crate::principals::Principals;
use crate::rules::UserRule;

/// Which source a detector mirrors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// A Falco k8saudit rule; the detector's title is the rule's name.
    Falco,
    /// An Amazon GuardDuty EKS audit-log finding type; the title is the type.
    GuardDuty,
    /// A CloudTrail event of the EKS API.
    CloudTrail,
    /// garrison's own detectors over a time window of one principal's requests.
    Stateful,
}

impl Family {
    pub fn as_str(self) -> &'static str {
        match self {
            Family::Falco => "falco",
            Family::GuardDuty => "guardduty",
            Family::CloudTrail => "cloudtrail",
            Family::Stateful => "stateful",
        }
    }
}

/// What a detector reads. Detectors may keep state across events in [`State`].
#[derive(Clone, Copy, Debug)]
pub enum Run {
    Audit(fn(&mut State, &Config, &EventView<'_, '_>) -> Option<String>),
    CloudTrail(fn(&Config, &CloudTrailRecord<'_>) -> Option<String>),
}

/// One detector: its documentation and metadata (shared with checks) and its code.
#[derive(Debug)]
pub struct Detector {
    pub meta: &'static CheckMeta,
    pub family: Family,
    pub run: Run,
}

/// State kept across events by detectors that look back ("never seen before", "within the last
/// minutes"). Per-principal tables are bounded by [`Config::max_principals`].
#[derive(Debug, Default)]
pub struct State {
    /// Images seen in privileged containers.
    pub privileged_images: HashSet<String>,
    /// The latest event time seen (microseconds since the epoch), standing in for events
    /// without a readable time.
    pub clock: i64,
    /// Per principal: namespaces whose Secrets it read, and when.
    pub secret_namespaces: Principals<HashMap<String, i64>>,
    /// Per principal: times of its latest forbidden (403) requests.
    pub forbidden: Principals<VecDeque<i64>>,
    /// Principals that have exec'd into a pod.
    pub exec_principals: Principals<()>,
}

impl State {
    /// The event's time in microseconds; the latest time seen when it has none.
    pub fn time(&mut self, event: &AuditEvent<'_>) -> i64 {
        if let Some(time) = event.time_micros() {
            self.clock = self.clock.max(time);
            time
        } else {
            self.clock
        }
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|item| item.to_string()).collect()
}

/// Allow-lists and switches of the detectors. The defaults are Falco's lists; a configuration
/// file adds to them (`[audit]` in TOML).
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Users (besides `system:*` ones) expected to use the API (Falco `allowed_k8s_users` and
    /// `eks_allowed_k8s_users`).
    pub allowed_users: Vec<String>,
    /// Namespaces that may be created (Falco `allowed_namespaces`).
    pub allowed_namespaces: Vec<String>,
    /// Image repositories allowed to run privileged.
    pub privileged_images: Vec<String>,
    /// Image repositories allowed to mount sensitive host paths.
    pub sensitive_mount_images: Vec<String>,
    pub host_network_images: Vec<String>,
    pub host_pid_images: Vec<String>,
    pub host_ipc_images: Vec<String>,
    /// Images that may run in kube-system and kube-public.
    pub kube_namespace_images: Vec<String>,
    /// Service accounts that may be created in kube-system and kube-public.
    pub known_service_accounts: Vec<String>,
    /// When set, "Create Disallowed Pod" reports pods with an image outside this list.
    pub allowed_images: Option<Vec<String>>,
    /// When set, "Untrusted Node …" reports nodes outside this list.
    pub allowed_nodes: Option<Vec<String>>,
    /// The activity stream (Falco "K8s <Kind> Created/Deleted" rules); on by default.
    pub activity_events: bool,
    /// "All K8s Audit Events": one finding per completed request; off by default.
    pub all_events: bool,
    /// "Full K8s Administrative Access": report every request by an admin user; off by default.
    pub full_admin_access: bool,
    pub full_admin_users: Vec<String>,
    /// "Secrets read across namespaces": how many namespaces…
    pub secrets_namespaces: usize,
    /// …within how many seconds.
    pub secrets_window_seconds: u64,
    /// "Forbidden burst then success": how many forbidden (403) requests…
    pub forbidden_burst: usize,
    /// …within how many seconds, followed by a success.
    pub forbidden_window_seconds: u64,
    /// Principals each stateful detector remembers; beyond it the least recently seen are
    /// forgotten (memory stays bounded on an endless stream).
    pub max_principals: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            allowed_users: strings(&[
                "minikube",
                "minikube-user",
                "kubelet",
                "kops",
                "admin",
                "kube",
                "kube-proxy",
                "kube-apiserver-healthcheck",
                "kubernetes-admin",
                "vpa-recommender",
                "vpa-updater",
                "cluster-autoscaler",
                "system:addon-manager",
                "cloud-controller-manager",
                "system:kube-controller-manager",
                "eks:node-manager",
                "eks:certificate-controller",
                "eks:fargate-scheduler",
                "eks:k8s-metrics",
                "eks:authenticator",
                "eks:cluster-event-watcher",
                "eks:nodewatcher",
                "eks:pod-identity-mutating-webhook",
                "eks:cloud-controller-manager",
                "eks:vpc-resource-controller",
                "eks:addon-manager",
            ]),
            allowed_namespaces: strings(&["kube-system", "kube-public", "default"]),
            privileged_images: strings(&[
                "falcosecurity/falco",
                "docker.io/falcosecurity/falco",
                "public.ecr.aws/falcosecurity/falco",
                "docker.io/calico/node",
                "calico/node",
                "docker.io/cloudnativelabs/kube-router",
                "docker.io/docker/ucp-agent",
                "docker.io/mesosphere/mesos-slave",
                "docker.io/rook/toolbox",
                "docker.io/sysdig/sysdig",
                "gcr.io/google_containers/kube-proxy",
                "gcr.io/google-containers/startup-script",
                "gcr.io/projectcalico-org/node",
                "gke.gcr.io/kube-proxy",
                "gke.gcr.io/gke-metadata-server",
                "gke.gcr.io/netd-amd64",
                "gke.gcr.io/watcher-daemonset",
                "gcr.io/google-containers/prometheus-to-sd",
                "registry.k8s.io/ip-masq-agent-amd64",
                "registry.k8s.io/kube-proxy",
                "registry.k8s.io/prometheus-to-sd",
                "quay.io/calico/node",
                "sysdig/sysdig",
                "registry.k8s.io/dns/k8s-dns-node-cache",
                "mcr.microsoft.com/oss/kubernetes/kube-proxy",
            ]),
            sensitive_mount_images: strings(&[
                "falcosecurity/falco",
                "docker.io/falcosecurity/falco",
                "public.ecr.aws/falcosecurity/falco",
                "docker.io/sysdig/sysdig",
                "sysdig/sysdig",
                "gcr.io/google_containers/hyperkube",
                "gcr.io/google_containers/kube-proxy",
                "docker.io/calico/node",
                "docker.io/rook/toolbox",
                "docker.io/cloudnativelabs/kube-router",
                "docker.io/consul",
                "docker.io/datadog/docker-dd-agent",
                "docker.io/datadog/agent",
                "docker.io/docker/ucp-agent",
                "docker.io/gliderlabs/logspout",
                "docker.io/netdata/netdata",
                "docker.io/google/cadvisor",
                "docker.io/prom/node-exporter",
                "amazon/amazon-ecs-agent",
                "prom/node-exporter",
                "amazon/cloudwatch-agent",
            ]),
            host_network_images: strings(&[
                "gcr.io/google-containers/prometheus-to-sd",
                "gcr.io/projectcalico-org/typha",
                "gcr.io/projectcalico-org/node",
                "gke.gcr.io/gke-metadata-server",
                "gke.gcr.io/kube-proxy",
                "gke.gcr.io/netd-amd64",
                "registry.k8s.io/ip-masq-agent-amd64",
                "registry.k8s.io/prometheus-to-sd",
            ]),
            host_pid_images: Vec::new(),
            host_ipc_images: Vec::new(),
            kube_namespace_images: strings(&[
                "gcr.io/google-containers/prometheus-to-sd",
                "gcr.io/projectcalico-org/node",
                "gke.gcr.io/addon-resizer",
                "gke.gcr.io/heapster",
                "gke.gcr.io/gke-metadata-server",
                "registry.k8s.io/ip-masq-agent-amd64",
                "registry.k8s.io/kube-apiserver",
                "gke.gcr.io/kube-proxy",
                "gke.gcr.io/netd-amd64",
                "gke.gcr.io/watcher-daemonset",
                "registry.k8s.io/addon-resizer",
                "registry.k8s.io/prometheus-to-sd",
                "registry.k8s.io/k8s-dns-dnsmasq-nanny-amd64",
                "registry.k8s.io/k8s-dns-kube-dns-amd64",
                "registry.k8s.io/k8s-dns-sidecar-amd64",
                "registry.k8s.io/metrics-server-amd64",
                "kope/kube-apiserver-healthcheck",
            ]),
            known_service_accounts: strings(&[
                "coredns",
                "coredns-autoscaler",
                "cronjob-controller",
                "daemon-set-controller",
                "deployment-controller",
                "disruption-controller",
                "endpoint-controller",
                "endpointslice-controller",
                "endpointslicemirroring-controller",
                "generic-garbage-collector",
                "horizontal-pod-autoscaler",
                "job-controller",
                "namespace-controller",
                "node-controller",
                "persistent-volume-binder",
                "pod-garbage-collector",
                "pv-protection-controller",
                "pvc-protection-controller",
                "replicaset-controller",
                "resourcequota-controller",
                "root-ca-cert-publisher",
                "service-account-controller",
                "statefulset-controller",
            ]),
            allowed_images: None,
            allowed_nodes: None,
            activity_events: true,
            all_events: false,
            full_admin_access: false,
            full_admin_users: strings(&[
                "admin",
                "kubernetes-admin",
                "kubernetes-admin@kubernetes",
                "kubernetes-admin@cluster.local",
                "minikube-user",
            ]),
            secrets_namespaces: 5,
            secrets_window_seconds: 600,
            forbidden_burst: 5,
            forbidden_window_seconds: 300,
            max_principals: 10_000,
        }
    }
}

/// The additions a configuration file makes to [`Config`]: lists are appended to the defaults.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConfigFile {
    pub allowed_users: Vec<String>,
    pub allowed_namespaces: Vec<String>,
    /// Trusted images: added to the privileged, sensitive-mount, host-namespace and
    /// kube-namespace lists at once.
    pub trusted_images: Vec<String>,
    pub known_service_accounts: Vec<String>,
    pub allowed_images: Option<Vec<String>>,
    pub allowed_nodes: Option<Vec<String>>,
    pub activity_events: Option<bool>,
    pub all_events: Option<bool>,
    pub full_admin_access: Option<bool>,
    pub secrets_namespaces: Option<usize>,
    pub secrets_window_seconds: Option<u64>,
    pub forbidden_burst: Option<usize>,
    pub forbidden_window_seconds: Option<u64>,
    pub max_principals: Option<usize>,
}

impl Config {
    /// The defaults with a file's additions.
    pub fn with(file: ConfigFile) -> Config {
        let mut config = Config::default();
        config.allowed_users.extend(file.allowed_users);
        config.allowed_namespaces.extend(file.allowed_namespaces);
        config
            .known_service_accounts
            .extend(file.known_service_accounts);
        for list in [
            &mut config.privileged_images,
            &mut config.sensitive_mount_images,
            &mut config.host_network_images,
            &mut config.host_pid_images,
            &mut config.host_ipc_images,
            &mut config.kube_namespace_images,
        ] {
            list.extend(file.trusted_images.iter().cloned());
        }
        config.allowed_images = file.allowed_images;
        config.allowed_nodes = file.allowed_nodes;
        if let Some(on) = file.activity_events {
            config.activity_events = on;
        }
        if let Some(on) = file.all_events {
            config.all_events = on;
        }
        if let Some(on) = file.full_admin_access {
            config.full_admin_access = on;
        }
        let set = |value: Option<usize>, target: &mut usize| {
            if let Some(value) = value {
                *target = value.max(1);
            }
        };
        set(file.secrets_namespaces, &mut config.secrets_namespaces);
        set(file.forbidden_burst, &mut config.forbidden_burst);
        set(file.max_principals, &mut config.max_principals);
        if let Some(seconds) = file.secrets_window_seconds {
            config.secrets_window_seconds = seconds;
        }
        if let Some(seconds) = file.forbidden_window_seconds {
            config.forbidden_window_seconds = seconds;
        }
        config
    }
}

/// Where a record came from: file and line (or `#index` within a document).
#[derive(Clone, Debug)]
pub struct Origin {
    pub file: Arc<str>,
    pub line: u32,
}

/// Kubernetes kinds of the resources detectors see most, for readable findings, in the order
/// [`kind_index`] numbers them.
const KINDS: [&str; 19] = [
    "Pod",
    "Service",
    "ConfigMap",
    "Secret",
    "Namespace",
    "ServiceAccount",
    "Deployment",
    "DaemonSet",
    "StatefulSet",
    "ReplicaSet",
    "Job",
    "CronJob",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "Ingress",
    "Node",
    "NonResourceURL",
];

/// The index in [`KINDS`] of a resource's kind; `None` for other resources, whose kind is
/// the resource name itself.
fn kind_index(resource: &str) -> Option<usize> {
    Some(match resource {
        "pods" => 0,
        "services" => 1,
        "configmaps" => 2,
        "secrets" => 3,
        "namespaces" => 4,
        "serviceaccounts" => 5,
        "deployments" => 6,
        "daemonsets" => 7,
        "statefulsets" => 8,
        "replicasets" => 9,
        "jobs" => 10,
        "cronjobs" => 11,
        "roles" => 12,
        "clusterroles" => 13,
        "rolebindings" => 14,
        "clusterrolebindings" => 15,
        "ingresses" => 16,
        "nodes" => 17,
        "" => 18,
        _ => return None,
    })
}

/// Shared strings of findings: every finding about a Pod points at one `"Pod"`, and findings
/// in a row about one namespace share its name, instead of each allocating its own.
#[derive(Debug)]
struct Interned {
    kinds: [Arc<str>; KINDS.len()],
    namespace: Option<Arc<str>>,
}

impl Default for Interned {
    fn default() -> Self {
        Interned {
            kinds: KINDS.map(Arc::from),
            namespace: None,
        }
    }
}

impl Interned {
    fn kind(&self, resource: &str) -> Arc<str> {
        match kind_index(resource) {
            Some(index) => self.kinds[index].clone(),
            None => Arc::from(resource),
        }
    }

    fn namespace(&mut self, namespace: &str) -> Arc<str> {
        match &self.namespace {
            Some(last) if **last == *namespace => last.clone(),
            _ => {
                let shared: Arc<str> = Arc::from(namespace);
                self.namespace = Some(shared.clone());
                shared
            }
        }
    }
}

/// Runs detectors over records and collects their findings.
#[derive(Debug)]
pub struct Engine<'c> {
    detectors: Vec<&'static Detector>,
    /// User-defined rules, run after the detectors.
    rules: &'c [UserRule],
    config: &'c Config,
    state: State,
    interned: Interned,
    pub findings: Vec<Finding>,
    /// Records seen: audit events and CloudTrail records.
    pub events: u64,
    pub cloudtrail_records: u64,
}

impl<'c> Engine<'c> {
    pub fn new(detectors: Vec<&'static Detector>, config: &'c Config) -> Self {
        Engine {
            detectors,
            rules: &[],
            config,
            state: State::default(),
            interned: Interned::default(),
            findings: Vec::new(),
            events: 0,
            cloudtrail_records: 0,
        }
    }

    /// Adds user-defined rules (see [`crate::rules`]).
    pub fn with_rules(mut self, rules: &'c [UserRule]) -> Self {
        self.rules = rules;
        self
    }

    /// Runs the audit-event detectors over one event.
    pub fn audit(&mut self, event: &AuditEvent<'_>, origin: &Origin) {
        self.events += 1;
        let view = EventView::new(event);
        for detector in &self.detectors {
            let Run::Audit(run) = detector.run else {
                continue;
            };
            if let Some(message) = run(&mut self.state, self.config, &view) {
                let finding =
                    audit_finding(&mut self.interned, detector.meta, event, origin, message);
                self.findings.push(finding);
            }
        }
        if !self.rules.is_empty() {
            self.user_rules(event, origin);
        }
    }

    fn user_rules(&mut self, event: &AuditEvent<'_>, origin: &Origin) {
        // The event becomes a CEL value once, for the first rule that wants it.
        let mut value: Option<Option<cel::Value>> = None;
        for rule in self.rules {
            if !rule.wants(&event.verb, event.resource()) {
                continue;
            }
            let Some(value) = value
                .get_or_insert_with(|| crate::rules::event_value(event.raw))
                .as_ref()
            else {
                return;
            };
            if rule.matches(value) {
                let message = format!("matched user rule {}", rule.meta.id);
                let finding = audit_finding(&mut self.interned, rule.meta, event, origin, message);
                self.findings.push(finding);
            }
        }
    }

    /// Runs the CloudTrail detectors over one record.
    pub fn cloudtrail(&mut self, record: &CloudTrailRecord<'_>, origin: &Origin) {
        self.cloudtrail_records += 1;
        if !record.is_eks() {
            return;
        }
        for detector in &self.detectors {
            let Run::CloudTrail(run) = detector.run else {
                continue;
            };
            if let Some(message) = run(self.config, record) {
                self.findings
                    .push(cloudtrail_finding(detector, record, origin, message));
            }
        }
    }
}

fn audit_finding(
    interned: &mut Interned,
    meta: &'static CheckMeta,
    event: &AuditEvent<'_>,
    origin: &Origin,
    message: String,
) -> Finding {
    use std::fmt::Write as _;
    let object = event.object();
    // One buffer for the detector's message and the request's context: findings are frequent
    // on busy logs, and formatting is most of their cost.
    let mut message = message;
    message.reserve(160 + event.request_uri.len() + event.user_agent.len());
    message.push_str(" [user ");
    message.push_str(event.username());
    if let Some(impersonated) = &event.impersonated_user {
        message.push_str(" as ");
        message.push_str(&impersonated.username);
    }
    message.push_str(", source IP ");
    message.push_str(&event.source_ip());
    message.push_str(", user agent ");
    write_debug_str(&mut message, &event.user_agent);
    for (separator, text) in [(", ", &event.verb), (" ", &event.request_uri)] {
        message.push_str(separator);
        message.push_str(text);
    }
    let _ = write!(message, ", code {}", event.response_status.code);
    for (separator, text) in [
        (", auditID ", &event.audit_id),
        (", at ", &event.stage_timestamp),
    ] {
        message.push_str(separator);
        message.push_str(text);
    }
    message.push(']');
    let name: Arc<str> = if object.name.is_empty() {
        if object.resource.is_empty() {
            Arc::from(event.path())
        } else {
            Arc::from("-")
        }
    } else if object.subresource.is_empty() {
        Arc::from(&*object.name)
    } else {
        Arc::from(format!("{}/{}", object.name, object.subresource))
    };
    Finding {
        check: meta,
        status: Status::Fail,
        object: ObjectRef {
            kind: interned.kind(&object.resource),
            namespace: (!object.namespace.is_empty())
                .then(|| interned.namespace(&object.namespace)),
            name,
            arn: None,
            source: Some(origin.file.clone()),
            line: Some(origin.line),
        },
        pointer: None,
        message,
        suppressed: None,
    }
}

/// Appends `text` as `{:?}` writes it: quoted, with the same escapes. Most user agents are
/// printable ASCII without quotes or backslashes, which need no escaping and are copied whole.
fn write_debug_str(out: &mut String, text: &str) {
    use std::fmt::Write as _;
    if text
        .bytes()
        .all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\')
    {
        out.push('"');
        out.push_str(text);
        out.push('"');
    } else {
        let _ = write!(out, "{text:?}");
    }
}

fn cloudtrail_finding(
    detector: &Detector,
    record: &CloudTrailRecord<'_>,
    origin: &Origin,
    message: String,
) -> Finding {
    let message = format!(
        "{message} [caller {}, source IP {}, user agent {:?}, {} eventID {}, at {}]",
        record.caller(),
        record.source_ip_address,
        record.user_agent,
        record.event_name,
        record.event_id,
        record.event_time
    );
    Finding {
        check: detector.meta,
        status: Status::Fail,
        object: ObjectRef {
            kind: Arc::from("EKSCluster"),
            namespace: None,
            name: Arc::from(record.cluster()),
            arn: None,
            source: Some(origin.file.clone()),
            line: Some(origin.line),
        },
        pointer: None,
        message,
        suppressed: None,
    }
}

/// A finding as one line of JSON (`garrison audit scan --follow --format json` and `garrison
/// audit serve` write these).
pub fn json_line(finding: &Finding) -> String {
    serde_json::json!({
        "checkId": finding.check.id,
        "title": finding.check.title,
        "severity": finding.check.severity,
        "object": finding.object.display_name(),
        "source": finding.object.source.as_deref(),
        "line": finding.object.line,
        "message": finding.message,
    })
    .to_string()
}
