//! `garrison install admission`: prints the manifests that run the admission webhook: its
//! Namespace, ServiceAccount and least-privilege RBAC, configuration, Deployment (restricted
//! Pod Security, anti-affinity), PodDisruptionBudget, Service, certificates, and the
//! ValidatingWebhookConfiguration.
//!
//! Without `--cert-manager` a new CA and serving certificate are generated for this output
//! (the Secret holds the key: keep the output private, or use cert-manager).

use std::fmt::Write as _;
use std::process::ExitCode;

use base64::Engine as _;
use clap::{Args, Subcommand, ValueEnum};

use super::CommandError;

#[derive(Debug, Args)]
pub struct InstallArgs {
    #[command(subcommand)]
    command: InstallCommand,
}

#[derive(Debug, Subcommand)]
enum InstallCommand {
    /// Print the manifests of the admission webhook (pipe to `kubectl apply -f -`).
    Admission(AdmissionInstallArgs),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FailurePolicy {
    /// Refuse requests when the webhook cannot answer (fail closed).
    #[value(name = "Fail", alias = "fail")]
    Fail,
    /// Admit requests when the webhook cannot answer (fail open).
    #[value(name = "Ignore", alias = "ignore")]
    Ignore,
}

#[derive(Debug, Args)]
struct AdmissionInstallArgs {
    /// The namespace the webhook runs in (excluded from its own rules, with kube-system).
    #[arg(long, value_name = "NAME", default_value = "garrison-system")]
    namespace: String,
    /// Replicas of the webhook (at least 2, so that one can be drained).
    #[arg(long, value_name = "K", default_value_t = 2, value_parser = clap::value_parser!(u32).range(2..))]
    replicas: u32,
    /// What the API server does when the webhook cannot answer.
    #[arg(long, value_enum, default_value_t = FailurePolicy::Fail)]
    failure_policy: FailurePolicy,
    /// Issue the serving certificate with cert-manager (a self-signed Issuer and a
    /// Certificate; the CA bundle is injected by cert-manager's CA injector).
    #[arg(long)]
    cert_manager: bool,
    /// The garrison container image.
    #[arg(
        long,
        value_name = "IMAGE",
        default_value = concat!("ghcr.io/garrison-security/garrison:", env!("CARGO_PKG_VERSION"))
    )]
    image: String,
}

pub fn run(args: InstallArgs) -> Result<ExitCode, CommandError> {
    match args.command {
        InstallCommand::Admission(args) => {
            print!("{}", admission(&args)?);
            Ok(ExitCode::SUCCESS)
        }
    }
}

const NAME: &str = "garrison-admission";

/// A CA and a serving certificate for the Service's DNS names: (CA PEM, certificate PEM, key
/// PEM).
fn certificates(namespace: &str) -> Result<(String, String, String), CommandError> {
    use rcgen::{
        BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose,
        IsCa, KeyPair,
    };
    let failure = |error: rcgen::Error| CommandError::Usage(format!("certificates: {error}"));
    let mut params = CertificateParams::new(Vec::<String>::new()).map_err(failure)?;
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params
        .distinguished_name
        .push(DnType::CommonName, format!("{NAME} CA"));
    let ca = CertifiedIssuer::self_signed(params, KeyPair::generate().map_err(failure)?)
        .map_err(failure)?;
    let names = vec![
        format!("{NAME}.{namespace}.svc"),
        format!("{NAME}.{namespace}.svc.cluster.local"),
    ];
    let mut params = CertificateParams::new(names.clone()).map_err(failure)?;
    params
        .distinguished_name
        .push(DnType::CommonName, names[0].clone());
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let key = KeyPair::generate().map_err(failure)?;
    let certificate = params.signed_by(&key, &ca).map_err(failure)?;
    Ok((ca.pem(), certificate.pem(), key.serialize_pem()))
}

fn admission(args: &AdmissionInstallArgs) -> Result<String, CommandError> {
    let namespace = &args.namespace;
    let replicas = args.replicas;
    let image = &args.image;
    let failure_policy = match args.failure_policy {
        FailurePolicy::Fail => "Fail",
        FailurePolicy::Ignore => "Ignore",
    };
    let base64 = |text: &str| base64::engine::general_purpose::STANDARD.encode(text);
    let mut out = String::new();
    let _ = write!(
        out,
        r#"# garrison admission webhook: Pod Security admission as the built-in plugin, Cedar
# admission policies and image rules. failurePolicy {failure_policy}: when the webhook cannot
# answer, the API server {failure_action}.
apiVersion: v1
kind: Namespace
metadata:
  name: {namespace}
  labels:
    pod-security.kubernetes.io/enforce: restricted
    pod-security.kubernetes.io/enforce-version: latest
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {NAME}
  namespace: {namespace}
automountServiceAccountToken: false
---
# Least privilege: read namespaces (their Pod Security labels) and pods (the existing pods a
# tightened enforce label would break).
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: {NAME}
rules:
- apiGroups: [""]
  resources: ["namespaces", "pods"]
  verbs: ["get", "list", "watch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: {NAME}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: {NAME}
subjects:
- kind: ServiceAccount
  name: {NAME}
  namespace: {namespace}
---
# Defaults and exemptions in the shape of the API server's PodSecurityConfiguration; an
# ImagePolicy (garrison.dev/v1alpha1) document may be added for image rules. Namespace labels
# come from a watch on the API server (the ClusterRole above); the webhook is not ready until
# the first list has arrived.
apiVersion: v1
kind: ConfigMap
metadata:
  name: {NAME}
  namespace: {namespace}
data:
  config.yaml: |
    apiVersion: pod-security.admission.config.k8s.io/v1
    kind: PodSecurityConfiguration
    defaults:
      enforce: privileged
      enforce-version: latest
      audit: privileged
      audit-version: latest
      warn: privileged
      warn-version: latest
    exemptions:
      usernames: []
      runtimeClasses: []
      namespaces: []
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {NAME}
  namespace: {namespace}
  labels:
    app.kubernetes.io/name: {NAME}
spec:
  replicas: {replicas}
  selector:
    matchLabels:
      app.kubernetes.io/name: {NAME}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: {NAME}
    spec:
      serviceAccountName: {NAME}
      # The token is the webhook's identity for the namespace watch; nothing else uses it.
      automountServiceAccountToken: true
      enableServiceLinks: false
      terminationGracePeriodSeconds: 30
      securityContext:
        runAsNonRoot: true
        runAsUser: 65532
        runAsGroup: 65532
        seccompProfile:
          type: RuntimeDefault
      affinity:
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
          - weight: 100
            podAffinityTerm:
              topologyKey: kubernetes.io/hostname
              labelSelector:
                matchLabels:
                  app.kubernetes.io/name: {NAME}
      topologySpreadConstraints:
      - maxSkew: 1
        topologyKey: topology.kubernetes.io/zone
        whenUnsatisfiable: ScheduleAnyway
        labelSelector:
          matchLabels:
            app.kubernetes.io/name: {NAME}
      containers:
      - name: webhook
        image: {image}
        imagePullPolicy: IfNotPresent
        args:
        - admission
        - serve
        - --listen=0.0.0.0:8443
        - --metrics-listen=0.0.0.0:9090
        - --tls-cert=/etc/garrison/tls/tls.crt
        - --tls-key=/etc/garrison/tls/tls.key
        - --config=/etc/garrison/config/config.yaml
        ports:
        - name: https
          containerPort: 8443
        - name: metrics
          containerPort: 9090
        readinessProbe:
          httpGet:
            path: /readyz
            port: metrics
        livenessProbe:
          httpGet:
            path: /healthz
            port: metrics
        # Endpoints are removed while the pod keeps serving, so that the API server stops
        # sending reviews here before SIGTERM; the server then drains what is in flight.
        lifecycle:
          preStop:
            sleep:
              seconds: 5
        resources:
          requests:
            cpu: 100m
            memory: 64Mi
          limits:
            cpu: "1"
            memory: 256Mi
        securityContext:
          allowPrivilegeEscalation: false
          readOnlyRootFilesystem: true
          runAsNonRoot: true
          capabilities:
            drop: ["ALL"]
        volumeMounts:
        - name: tls
          mountPath: /etc/garrison/tls
          readOnly: true
        - name: config
          mountPath: /etc/garrison/config
          readOnly: true
      volumes:
      - name: tls
        secret:
          secretName: {NAME}-tls
      - name: config
        configMap:
          name: {NAME}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {NAME}
  namespace: {namespace}
spec:
  minAvailable: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: {NAME}
---
# Only the webhook and metrics ports are reachable; the only connection the webhook makes is its
# namespace watch on the API server (HTTPS; on EKS the control plane's ENIs in the VPC).
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {NAME}
  namespace: {namespace}
spec:
  podSelector:
    matchLabels:
      app.kubernetes.io/name: {NAME}
  policyTypes: ["Ingress", "Egress"]
  ingress:
  - ports:
    - port: 8443
      protocol: TCP
    - port: 9090
      protocol: TCP
  egress:
  - ports:
    - port: 443
      protocol: TCP
---
apiVersion: v1
kind: Service
metadata:
  name: {NAME}
  namespace: {namespace}
spec:
  selector:
    app.kubernetes.io/name: {NAME}
  ports:
  - name: https
    port: 443
    targetPort: https
"#,
        failure_action = match args.failure_policy {
            FailurePolicy::Fail => "refuses the request (fail closed)",
            FailurePolicy::Ignore => "admits the request (fail open)",
        },
    );
    let (ca_bundle, injection) = if args.cert_manager {
        let _ = write!(
            out,
            r#"---
apiVersion: cert-manager.io/v1
kind: Issuer
metadata:
  name: {NAME}
  namespace: {namespace}
spec:
  selfSigned: {{}}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: {NAME}
  namespace: {namespace}
spec:
  secretName: {NAME}-tls
  dnsNames:
  - {NAME}.{namespace}.svc
  - {NAME}.{namespace}.svc.cluster.local
  issuerRef:
    name: {NAME}
    kind: Issuer
"#
        );
        (
            String::new(),
            format!("\n  annotations:\n    cert-manager.io/inject-ca-from: {namespace}/{NAME}"),
        )
    } else {
        let (ca, certificate, key) = certificates(namespace)?;
        let _ = write!(
            out,
            r#"---
apiVersion: v1
kind: Secret
metadata:
  name: {NAME}-tls
  namespace: {namespace}
type: kubernetes.io/tls
data:
  tls.crt: {}
  tls.key: {}
"#,
            base64(&certificate),
            base64(&key)
        );
        (format!("\n    caBundle: {}", base64(&ca)), String::new())
    };
    let _ = write!(
        out,
        r#"---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: {NAME}{injection}
webhooks:
- name: pod-security.garrison.dev
  admissionReviewVersions: ["v1", "v1beta1"]
  sideEffects: None
  failurePolicy: {failure_policy}
  timeoutSeconds: 3
  clientConfig:
    service:
      name: {NAME}
      namespace: {namespace}
      path: /validate{ca_bundle}
  namespaceSelector:
    matchExpressions:
    - key: kubernetes.io/metadata.name
      operator: NotIn
      values: ["{namespace}", "kube-system"]
  rules:
  - apiGroups: [""]
    apiVersions: ["v1"]
    operations: ["CREATE", "UPDATE"]
    resources: ["pods", "pods/ephemeralcontainers", "namespaces", "podtemplates", "replicationcontrollers"]
  - apiGroups: ["apps"]
    apiVersions: ["v1"]
    operations: ["CREATE", "UPDATE"]
    resources: ["deployments", "replicasets", "statefulsets", "daemonsets"]
  - apiGroups: ["batch"]
    apiVersions: ["v1"]
    operations: ["CREATE", "UPDATE"]
    resources: ["jobs", "cronjobs"]
"#
    );
    Ok(out)
}
