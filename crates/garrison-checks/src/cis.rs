//! The CIS Amazon EKS Benchmark v1.8.0 view of a scan: every one of its 50 controls with a
//! status, automated from garrison's checks where the snapshot has the data and MANUAL with
//! guidance where no check (or no data source) can decide it.

use garrison_core::{Finding, Status};
use serde::Serialize;

/// One control of the benchmark.
#[derive(Debug, Serialize)]
pub struct CisControl {
    pub id: &'static str,
    pub title: &'static str,
    /// Whether the benchmark itself marks the control Automated (otherwise Manual).
    pub benchmark_automated: bool,
    /// garrison checks that decide the control, besides those whose metadata names it.
    pub checks: &'static [&'static str],
    /// What to do by hand when no check decides the control.
    pub guidance: &'static str,
}

macro_rules! control {
    ($id:literal, $title:literal, $automated:literal, [$($check:literal),*], $guidance:literal) => {
        CisControl { id: $id, title: $title, benchmark_automated: $automated, checks: &[$($check),*], guidance: $guidance }
    };
}

/// The 50 controls of CIS Amazon EKS Benchmark v1.8.0, in benchmark order.
pub static CONTROLS: &[CisControl] = &[
    control!(
        "2.1.1",
        "Enable audit logs",
        false,
        ["EKS-LOG-001"],
        "Enable the audit control-plane log type."
    ),
    control!(
        "2.1.2",
        "Ensure audit logs are collected and managed",
        false,
        ["EKS-LOG-004"],
        "Set retention and a KMS key on /aws/eks/<cluster>/cluster."
    ),
    control!(
        "3.1.1",
        "Kubeconfig file permissions are 644 or more restrictive",
        true,
        ["EKS-CIS-3.1.1+3.1.3"],
        "File permissions on nodes cannot be read from the APIs: run kube-bench as a Job (or `apiclient report cis` on Bottlerocket) and store its --json output as kube-bench/<node>.json in the snapshot."
    ),
    control!(
        "3.1.2",
        "Kubelet kubeconfig file ownership is root:root",
        true,
        ["EKS-CIS-3.1.2+3.1.4"],
        "File ownership on nodes cannot be read from the APIs: run kube-bench as a Job (or `apiclient report cis` on Bottlerocket) and store its --json output as kube-bench/<node>.json in the snapshot."
    ),
    control!(
        "3.1.3",
        "Kubelet configuration file permissions are 644 or more restrictive",
        true,
        ["EKS-CIS-3.1.1+3.1.3"],
        "File permissions on nodes cannot be read from the APIs: run kube-bench as a Job (or `apiclient report cis` on Bottlerocket) and store its --json output as kube-bench/<node>.json in the snapshot."
    ),
    control!(
        "3.1.4",
        "Kubelet configuration file ownership is root:root",
        true,
        ["EKS-CIS-3.1.2+3.1.4"],
        "File ownership on nodes cannot be read from the APIs: run kube-bench as a Job (or `apiclient report cis` on Bottlerocket) and store its --json output as kube-bench/<node>.json in the snapshot."
    ),
    control!(
        "3.2.1",
        "Anonymous auth is not enabled",
        true,
        ["EKS-CIS-3.2.1"],
        "Collect k8s/nodes/<node>.configz.json for every node."
    ),
    control!(
        "3.2.2",
        "Authorization mode is not AlwaysAllow",
        true,
        ["EKS-CIS-3.2.2"],
        "Collect k8s/nodes/<node>.configz.json for every node."
    ),
    control!(
        "3.2.3",
        "Client CA file is configured",
        true,
        ["EKS-CIS-3.2.3"],
        "Collect k8s/nodes/<node>.configz.json for every node."
    ),
    control!(
        "3.2.4",
        "Read-only port is disabled",
        true,
        ["EKS-CIS-3.2.4"],
        "Collect k8s/nodes/<node>.configz.json for every node."
    ),
    control!(
        "3.2.5",
        "Streaming connection idle timeout is not 0",
        true,
        ["EKS-CIS-3.2.5"],
        "Collect k8s/nodes/<node>.configz.json for every node."
    ),
    control!(
        "3.2.6",
        "makeIPTablesUtilChains is true",
        true,
        ["EKS-CIS-3.2.6"],
        "Collect k8s/nodes/<node>.configz.json for every node."
    ),
    control!(
        "3.2.7",
        "eventRecordQPS is 0 or an appropriate level",
        true,
        ["EKS-CIS-3.2.7"],
        "Collect k8s/nodes/<node>.configz.json for every node."
    ),
    control!(
        "3.2.8",
        "rotateCertificates is absent or true",
        true,
        ["EKS-CIS-3.2.8"],
        "Collect k8s/nodes/<node>.configz.json for every node."
    ),
    control!(
        "3.2.9",
        "RotateKubeletServerCertificate is true",
        true,
        ["EKS-CIS-3.2.9"],
        "Collect k8s/nodes/<node>.configz.json for every node."
    ),
    control!(
        "4.1.1",
        "The cluster-admin role is only used where required",
        true,
        ["EKS-CIS-4.1.1"],
        "Review ClusterRoleBindings to cluster-admin."
    ),
    control!(
        "4.1.2",
        "Minimize access to secrets",
        true,
        ["EKS-CIS-4.1.2"],
        "Review who can get, list or watch Secrets."
    ),
    control!(
        "4.1.3",
        "Minimize wildcard use in Roles and ClusterRoles",
        true,
        ["EKS-CIS-4.1.3"],
        "Review roles with * in verbs, resources or API groups."
    ),
    control!(
        "4.1.4",
        "Minimize access to create pods",
        true,
        ["EKS-CIS-4.1.4"],
        "Review who can create pods and pod controllers."
    ),
    control!(
        "4.1.5",
        "Default service accounts are not actively used",
        true,
        ["EKS-CIS-4.1.5"],
        "Review workloads that run as the default service account."
    ),
    control!(
        "4.1.6",
        "Service account tokens are only mounted where necessary",
        true,
        ["EKS-CIS-4.1.6"],
        "Set automountServiceAccountToken: false where the API is not used."
    ),
    control!(
        "4.1.7",
        "Cluster Access Manager API is used to manage access",
        false,
        ["EKS-CAM-001", "EKS-CAM-002"],
        "Use access entries (authentication mode API)."
    ),
    control!(
        "4.1.8",
        "Limit use of the bind, impersonate and escalate permissions",
        false,
        ["EKS-CIS-4.1.8"],
        "Review roles granting bind, escalate or impersonate."
    ),
    control!(
        "4.1.9",
        "Minimize access to create PersistentVolumes",
        false,
        ["EKS-CIS-4.1.9"],
        "Review who can create PersistentVolumes."
    ),
    control!(
        "4.1.10",
        "Minimize access to the proxy sub-resource of nodes",
        false,
        ["EKS-CIS-4.1.10"],
        "Review who can get nodes/proxy."
    ),
    control!(
        "4.1.11",
        "Minimize access to webhook configuration objects",
        false,
        ["EKS-CIS-4.1.11"],
        "Review who can change admission webhook configurations."
    ),
    control!(
        "4.1.12",
        "Minimize access to service account token creation",
        false,
        ["EKS-CIS-4.1.12"],
        "Review who can create serviceaccounts/token."
    ),
    control!(
        "4.2.1",
        "Minimize the admission of privileged containers",
        true,
        ["EKS-PSS-003"],
        "Enforce the baseline Pod Security Standard."
    ),
    control!(
        "4.2.2",
        "Minimize the admission of containers sharing the host PID namespace",
        true,
        ["EKS-PSS-004"],
        "Enforce the baseline Pod Security Standard."
    ),
    control!(
        "4.2.3",
        "Minimize the admission of containers sharing the host IPC namespace",
        true,
        ["EKS-PSS-005"],
        "Enforce the baseline Pod Security Standard."
    ),
    control!(
        "4.2.4",
        "Minimize the admission of containers sharing the host network namespace",
        true,
        ["EKS-PSS-006"],
        "Enforce the baseline Pod Security Standard."
    ),
    control!(
        "4.2.5",
        "Minimize the admission of containers with allowPrivilegeEscalation",
        true,
        ["EKS-PSS-007"],
        "Enforce the restricted Pod Security Standard."
    ),
    control!(
        "4.3.1",
        "The CNI plugin supports network policies",
        false,
        ["EKS-NP-001"],
        "Enable the VPC CNI network policy agent (or Calico/Cilium)."
    ),
    control!(
        "4.3.2",
        "All namespaces have network policies defined",
        true,
        ["EKS-NP-002"],
        "Define at least one NetworkPolicy (default deny) per namespace."
    ),
    control!(
        "4.4.1",
        "Prefer using secrets as files over secrets as environment variables",
        true,
        ["EKS-ENC-008"],
        "Mount Secrets as volumes."
    ),
    control!(
        "4.4.2",
        "Consider external secret storage",
        false,
        ["EKS-ENC-009"],
        "Use the Secrets Store CSI driver or External Secrets with AWS Secrets Manager."
    ),
    control!(
        "4.5.1",
        "Create administrative boundaries between resources using namespaces",
        false,
        [],
        "Review that teams and applications have their own namespaces, with RBAC and quotas per namespace."
    ),
    control!(
        "4.5.2",
        "The default namespace should not be used",
        true,
        ["EKS-CIS-4.5.2"],
        "Move workloads out of the default namespace."
    ),
    control!(
        "5.1.1",
        "Image vulnerability scanning with Amazon ECR or a third-party provider",
        false,
        ["EKS-IMG-001", "EKS-IMG-002", "EKS-IMG-010", "EKS-OS-003"],
        "Enable ECR enhanced scanning (Inspector) for every repository."
    ),
    control!(
        "5.1.2",
        "Minimize user access to Amazon ECR",
        false,
        ["EKS-IMG-006"],
        "Review IAM and repository policies that grant ECR push or delete."
    ),
    control!(
        "5.1.3",
        "Minimize cluster access to read-only for Amazon ECR",
        false,
        ["EKS-IAM-003"],
        "Keep node roles to ECR read-only (or PullOnly)."
    ),
    control!(
        "5.1.4",
        "Minimize container registries to only those approved",
        false,
        ["EKS-IMG-007"],
        "Admit images only from approved registries (admission policy)."
    ),
    control!(
        "5.2.1",
        "Prefer using dedicated EKS service accounts",
        false,
        ["EKS-IAM-013"],
        "Give each workload its own service account and IAM role."
    ),
    control!(
        "5.3.1",
        "Kubernetes Secrets are encrypted using customer master keys in AWS KMS",
        false,
        ["EKS-ENC-001"],
        "Associate a customer-managed KMS key for secrets."
    ),
    control!(
        "5.4.1",
        "Restrict access to the control plane endpoint",
        false,
        ["EKS-NET-002"],
        "Restrict publicAccessCidrs or disable the public endpoint."
    ),
    control!(
        "5.4.2",
        "Private endpoint enabled and public access disabled",
        false,
        ["EKS-NET-001"],
        "Disable the public endpoint."
    ),
    control!(
        "5.4.3",
        "Clusters are created with private nodes",
        false,
        ["EKS-NET-004"],
        "Run nodes in private subnets."
    ),
    control!(
        "5.4.4",
        "Network policy is enabled and set as appropriate",
        false,
        ["EKS-NP-001", "EKS-AUTO-004"],
        "Enable network policy enforcement and define policies."
    ),
    control!(
        "5.4.5",
        "Encrypt traffic to HTTPS load balancers with TLS certificates",
        false,
        ["EKS-ENC-010"],
        "Terminate TLS on load balancers with ACM certificates (service.beta.kubernetes.io/aws-load-balancer-ssl-cert, alb.ingress.kubernetes.io/certificate-arn)."
    ),
    control!(
        "5.5.1",
        "Manage Kubernetes RBAC users with AWS IAM Authenticator or the AWS CLI",
        false,
        ["EKS-CAM-001"],
        "Authenticate with IAM through access entries (`aws eks get-token` is built into the CLI)."
    ),
];

/// A control's status in a scan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CisStatus {
    Fail,
    Warn,
    Unknown,
    Pass,
    NotApplicable,
    /// No garrison check decides the control: follow the guidance.
    Manual,
}

impl CisStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CisStatus::Fail => "FAIL",
            CisStatus::Warn => "WARN",
            CisStatus::Unknown => "UNKNOWN",
            CisStatus::Pass => "PASS",
            CisStatus::NotApplicable => "NOT_APPLICABLE",
            CisStatus::Manual => "MANUAL",
        }
    }
}

/// One control with its status and the findings behind it.
#[derive(Debug, Serialize)]
pub struct CisResult {
    pub control: &'static CisControl,
    pub status: CisStatus,
    /// The checks that decide the control and are in the catalogue.
    pub checks: Vec<&'static str>,
    pub fail: usize,
    pub warn: usize,
    pub unknown: usize,
    pub pass: usize,
}

/// The checks deciding `control`: its crosswalk plus every check whose metadata names it.
pub fn checks_of(control: &CisControl) -> Vec<&'static str> {
    let mut ids: Vec<&'static str> = crate::CHECKS
        .iter()
        .filter(|check| {
            control.checks.contains(&check.meta.id) || check.meta.cis == Some(control.id)
        })
        .map(|check| check.meta.id)
        .collect();
    ids.sort_unstable();
    ids
}

/// Every control's status from a scan's findings (PASS results must be listed, not counted).
/// Suppressed findings do not count. A control whose checks produced no result at all (the
/// data was not in the input) is UNKNOWN; one without checks is MANUAL.
/// Whether `finding` is about another control than `control`: a check that decides several
/// controls (the kube-bench file checks, EKS-CIS-3.1.1+3.1.3 and EKS-CIS-3.1.2+3.1.4) starts
/// each message with the id of the control it is about (`CIS 3.1.3 fails: …`), so that one
/// control's failure does not fail its pair.
fn about_another_control(finding: &Finding, control: &CisControl) -> bool {
    finding
        .message
        .strip_prefix("CIS ")
        .and_then(|rest| rest.split_once(' '))
        .is_some_and(|(id, _)| id != control.id && CONTROLS.iter().any(|other| other.id == id))
}

pub fn evaluate(findings: &[Finding]) -> Vec<CisResult> {
    CONTROLS
        .iter()
        .map(|control| {
            let checks = checks_of(control);
            let mut result = CisResult {
                control,
                status: CisStatus::Manual,
                checks: checks.clone(),
                fail: 0,
                warn: 0,
                unknown: 0,
                pass: 0,
            };
            if checks.is_empty() {
                return result;
            }
            let mut not_applicable = 0;
            for finding in findings.iter().filter(|f| {
                f.suppressed.is_none()
                    && checks.contains(&f.check.id)
                    && !about_another_control(f, control)
            }) {
                match finding.status {
                    Status::Fail => result.fail += 1,
                    Status::Warn => result.warn += 1,
                    Status::Unknown => result.unknown += 1,
                    Status::Pass => result.pass += 1,
                    Status::NotApplicable => not_applicable += 1,
                }
            }
            result.status = if result.fail > 0 {
                CisStatus::Fail
            } else if result.warn > 0 {
                CisStatus::Warn
            } else if result.unknown > 0 || (result.pass == 0 && not_applicable == 0) {
                CisStatus::Unknown
            } else if result.pass > 0 {
                CisStatus::Pass
            } else {
                CisStatus::NotApplicable
            };
            result
        })
        .collect()
}
