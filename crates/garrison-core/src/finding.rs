//! Check metadata and the findings checks produce.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// How bad a failed check is. Ordered from least to most severe so `>=` compares severities.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub fn parse(text: &str) -> Option<Severity> {
        Severity::ALL
            .into_iter()
            .find(|severity| severity.as_str().eq_ignore_ascii_case(text))
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// The level of the shared-responsibility model a check belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Cluster,
    Infrastructure,
    Application,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Cluster => "cluster",
            Level::Infrastructure => "infrastructure",
            Level::Application => "application",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// The EKS security control a check contributes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SeedControl {
    ClusterAccessManagement,
    WorkloadIdentity,
    AuditLoggingAndMonitoring,
    Encryption,
    PrivateEndpointAndPrivatelink,
    ManagedComponents,
    SecurityHub,
    AutoMode,
    NetworkPolicies,
    SecurityGroupsForPods,
    Guardduty,
    SsmInsteadOfSsh,
    ContainerOptimizedOs,
    CisBenchmark,
    PodSecurity,
    ImageSecurity,
    CedarAuthorization,
}

impl SeedControl {
    pub fn title(self) -> &'static str {
        match self {
            SeedControl::ClusterAccessManagement => "cluster access management",
            SeedControl::WorkloadIdentity => "workload identity",
            SeedControl::AuditLoggingAndMonitoring => "audit logging and monitoring",
            SeedControl::Encryption => "encryption",
            SeedControl::PrivateEndpointAndPrivatelink => "private endpoint and PrivateLink",
            SeedControl::ManagedComponents => "managed components",
            SeedControl::SecurityHub => "Security Hub",
            SeedControl::AutoMode => "Auto Mode",
            SeedControl::NetworkPolicies => "network policies",
            SeedControl::SecurityGroupsForPods => "security groups for pods",
            SeedControl::Guardduty => "GuardDuty",
            SeedControl::SsmInsteadOfSsh => "SSM instead of SSH",
            SeedControl::ContainerOptimizedOs => "container-optimized OS",
            SeedControl::CisBenchmark => "CIS benchmark",
            SeedControl::PodSecurity => "pod security",
            SeedControl::ImageSecurity => "image security",
            SeedControl::CedarAuthorization => "Cedar authorization",
        }
    }
}

impl fmt::Display for SeedControl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.title())
    }
}

/// The outcome of one check against one object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    Fail,
    Warn,
    Unknown,
    Pass,
    NotApplicable,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Fail,
        Status::Warn,
        Status::Unknown,
        Status::Pass,
        Status::NotApplicable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Fail => "FAIL",
            Status::Warn => "WARN",
            Status::Unknown => "UNKNOWN",
            Status::Pass => "PASS",
            Status::NotApplicable => "NOT_APPLICABLE",
        }
    }

    /// Whether this status is a problem a report should show by default.
    pub fn is_problem(self) -> bool {
        matches!(self, Status::Fail | Status::Warn | Status::Unknown)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// Everything about a check except the code that runs it.
#[derive(Debug, Serialize)]
pub struct CheckMeta {
    pub id: &'static str,
    pub name: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    pub level: Level,
    pub control: SeedControl,
    pub cis: Option<&'static str>,
    pub security_hub: Option<&'static str>,
    pub pss: Option<&'static str>,
    /// One sentence on how to fix a failure; the long version is in `doc`.
    pub remediation: &'static str,
    /// The check's documentation: the doc comment of its declaration, in Markdown.
    #[serde(skip)]
    pub doc: &'static str,
}

/// The object a finding is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ObjectRef {
    // Reference-counted: every finding about an object shares its strings.
    pub kind: Arc<str>,
    pub namespace: Option<Arc<str>>,
    pub name: Arc<str>,
    pub arn: Option<Arc<str>>,
    pub source: Option<Arc<str>>,
    pub line: Option<u32>,
}

impl ObjectRef {
    /// `namespace/Kind/name`, `Kind/name` for cluster-scoped objects, or the ARN.
    pub fn display_name(&self) -> String {
        if let Some(arn) = &self.arn {
            return arn.to_string();
        }
        match &self.namespace {
            Some(namespace) => format!("{namespace}/{}/{}", self.kind, self.name),
            None => format!("{}/{}", self.kind, self.name),
        }
    }
}

/// One result of one check about one object.
#[derive(Clone, Debug)]
pub struct Finding {
    pub check: &'static CheckMeta,
    pub status: Status,
    pub object: ObjectRef,
    /// JSON pointer to the offending field within the object, when there is one.
    pub pointer: Option<String>,
    pub message: String,
    /// Why the finding is suppressed (annotation, config file, EKS-managed allow-list).
    pub suppressed: Option<String>,
}

impl Finding {
    /// The severity a finding counts with: a check's severity applies to failures and warnings.
    pub fn severity(&self) -> Severity {
        self.check.severity
    }
}

/// Counts of findings by status and, for unsuppressed failures and warnings, by severity.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub fail: usize,
    pub warn: usize,
    pub unknown: usize,
    pub pass: usize,
    pub not_applicable: usize,
    pub suppressed: usize,
    pub critical: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
    pub info: usize,
}

impl Summary {
    pub fn of(findings: &[Finding]) -> Summary {
        let mut summary = Summary::default();
        for finding in findings {
            summary.add(finding);
        }
        summary
    }

    pub fn add(&mut self, finding: &Finding) {
        if finding.suppressed.is_some() {
            self.suppressed += 1;
            return;
        }
        match finding.status {
            Status::Fail => self.fail += 1,
            Status::Warn => self.warn += 1,
            Status::Unknown => self.unknown += 1,
            Status::Pass => self.pass += 1,
            Status::NotApplicable => self.not_applicable += 1,
        }
        if matches!(finding.status, Status::Fail | Status::Warn) {
            match finding.severity() {
                Severity::Critical => self.critical += 1,
                Severity::High => self.high += 1,
                Severity::Medium => self.medium += 1,
                Severity::Low => self.low += 1,
                Severity::Info => self.info += 1,
            }
        }
    }

    pub fn by_severity(&self, severity: Severity) -> usize {
        match severity {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low => self.low,
            Severity::Info => self.info,
        }
    }
}
