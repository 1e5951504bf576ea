//! Pod Security Standards, evaluated exactly as upstream pod-security-admission does.
//!
//! [`evaluate_pod`] judges a Pod the way the PodSecurity admission plugin enforces it, and
//! [`evaluate_pod_template`] judges a workload's pod template the way the plugin warns about it.
//! Both return the forbidden results in upstream's order (baseline check IDs sorted bytewise,
//! then restricted ones), with reasons and details byte-identical to upstream, so that
//! [`violation_message`] and friends print what `kubectl` shows.
//!
//! Every check lives in its own file, one per control of the standard, with every version of it
//! the policy has had. A check is run at policy version `v1.N` when `N` is at least its first
//! version, with the newest implementation not newer than `N`. At the restricted level the
//! baseline checks run too, except those that an active restricted check overrides
//! (`hostPathVolumes` from v1.0, `seccompProfile_baseline` from v1.19, `capabilities_baseline`
//! from v1.22, `procMount` from v1.35). `latest`, and any version newer than the newest policy
//! version, are evaluated as the newest policy version ([`NEWEST_POLICY_VERSION`]) while still
//! printing as written.
//!
//! Upstream reference: `k8s.io/pod-security-admission/policy` (Apache-2.0); the fixture suite in
//! `shared/conformance/psa` is run against this module by `tests/pss_conformance.rs`.

mod app_armor;
mod capabilities;
mod host_namespaces;
mod host_path_volumes;
mod host_ports;
mod host_probes;
mod object;
mod pod;
mod privilege_escalation;
mod privileged;
mod proc_mount;
mod run_as_non_root;
mod run_as_user;
mod seccomp;
mod selinux;
mod sysctls;
mod text;
mod volume_types;
mod windows_host_process;

use std::fmt;
use std::str::FromStr;

use k8s_openapi::api::core::v1::PodSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

pub use object::{Admission, ObjectVerdict, evaluate_object};
pub(crate) use pod::APPARMOR_ANNOTATION_PREFIX;
use pod::{Origin, PodView};
pub use text::go_quote;

/// A Pod Security Standards level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PssLevel {
    /// Unrestricted: no check runs.
    Privileged,
    /// Prevents known privilege escalations.
    Baseline,
    /// Baseline plus pod hardening best practices.
    Restricted,
}

impl PssLevel {
    pub const ALL: [PssLevel; 3] = [
        PssLevel::Privileged,
        PssLevel::Baseline,
        PssLevel::Restricted,
    ];

    /// The name used in namespace labels and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            PssLevel::Privileged => "privileged",
            PssLevel::Baseline => "baseline",
            PssLevel::Restricted => "restricted",
        }
    }
}

impl fmt::Display for PssLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PssLevel {
    type Err = PssParseError;

    /// Exactly the label values upstream accepts: lowercase, no surrounding space.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        PssLevel::ALL
            .into_iter()
            .find(|level| level.as_str() == text)
            .ok_or_else(|| PssParseError::Level(text.to_string()))
    }
}

/// A policy version: `latest` or `v1.N`. It prints as written, while [`PssVersion::effective_minor`]
/// says which policy version is evaluated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PssVersion {
    /// `None` for `latest`. As wide as upstream's (Go `int`) so that any label upstream accepts,
    /// however far in the future, parses and prints as written.
    minor: Option<u64>,
}

/// The newest policy version any check has: what `latest` and future versions evaluate as.
pub const NEWEST_POLICY_VERSION: PssVersion = PssVersion {
    minor: Some(newest_policy_minor() as u64),
};

impl PssVersion {
    pub const LATEST: PssVersion = PssVersion { minor: None };

    /// Policy version `v1.<minor>`.
    pub const fn v1(minor: u32) -> PssVersion {
        PssVersion {
            minor: Some(minor as u64),
        }
    }

    pub fn is_latest(self) -> bool {
        self.minor.is_none()
    }

    /// The minor version as written; `None` for `latest`.
    pub fn minor(self) -> Option<u64> {
        self.minor
    }

    /// The minor version of the policy that is evaluated: the one written, clamped to the newest
    /// policy version (upstream's `maxVersion`).
    pub fn effective_minor(self) -> u32 {
        let newest = newest_policy_minor();
        self.minor.map_or(newest, |minor| {
            u32::try_from(minor).map_or(newest, |minor| minor.min(newest))
        })
    }
}

impl fmt::Display for PssVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.minor {
            None => f.write_str("latest"),
            Some(minor) => write!(f, "v1.{minor}"),
        }
    }
}

impl FromStr for PssVersion {
    type Err = PssParseError;

    /// `latest` or `v1.N` with no leading zero (upstream's `^v1\.(0|[1-9][0-9]*)$`).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text == "latest" {
            return Ok(PssVersion::LATEST);
        }
        let invalid = || PssParseError::Version(text.to_string());
        let digits = text.strip_prefix("v1.").ok_or_else(invalid)?;
        let canonical = !digits.is_empty()
            && digits.bytes().all(|byte| byte.is_ascii_digit())
            && (digits == "0" || !digits.starts_with('0'));
        if !canonical {
            return Err(invalid());
        }
        // Go's `strconv.Atoi` limit: larger numbers are rejected there too.
        match digits.parse::<u64>() {
            Ok(minor) if i64::try_from(minor).is_ok() => Ok(PssVersion { minor: Some(minor) }),
            _ => Err(invalid()),
        }
    }
}

/// A level at a version, printed as upstream prints it: `restricted:v1.30`, `baseline:latest`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PssPolicy {
    pub level: PssLevel,
    pub version: PssVersion,
}

impl fmt::Display for PssPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.level, self.version)
    }
}

/// A level or version that is not one upstream accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PssParseError {
    Level(String),
    Version(String),
}

impl fmt::Display for PssParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PssParseError::Level(text) => write!(
                f,
                "invalid Pod Security level {text:?}: expected privileged, baseline or restricted"
            ),
            PssParseError::Version(text) => write!(
                f,
                "invalid Pod Security version {text:?}: expected \"latest\" or v1.N (e.g. v1.30)"
            ),
        }
    }
}

impl std::error::Error for PssParseError {}

/// The upstream checks, in evaluation (and so message) order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PssCheckId {
    AppArmorProfile,
    CapabilitiesBaseline,
    HostNamespaces,
    HostPathVolumes,
    HostPorts,
    HostProbesAndHostLifecycle,
    Privileged,
    ProcMount,
    SeLinuxOptions,
    SeccompProfileBaseline,
    Sysctls,
    WindowsHostProcess,
    AllowPrivilegeEscalation,
    CapabilitiesRestricted,
    ProcMountRestricted,
    RestrictedVolumes,
    RunAsNonRoot,
    RunAsUser,
    SeccompProfileRestricted,
}

impl PssCheckId {
    /// Upstream's check ID, e.g. `capabilities_restricted`.
    pub fn as_str(self) -> &'static str {
        match self {
            PssCheckId::AppArmorProfile => "appArmorProfile",
            PssCheckId::CapabilitiesBaseline => "capabilities_baseline",
            PssCheckId::HostNamespaces => "hostNamespaces",
            PssCheckId::HostPathVolumes => "hostPathVolumes",
            PssCheckId::HostPorts => "hostPorts",
            PssCheckId::HostProbesAndHostLifecycle => "hostProbesAndHostLifecycle",
            PssCheckId::Privileged => "privileged",
            PssCheckId::ProcMount => "procMount",
            PssCheckId::SeLinuxOptions => "seLinuxOptions",
            PssCheckId::SeccompProfileBaseline => "seccompProfile_baseline",
            PssCheckId::Sysctls => "sysctls",
            PssCheckId::WindowsHostProcess => "windowsHostProcess",
            PssCheckId::AllowPrivilegeEscalation => "allowPrivilegeEscalation",
            PssCheckId::CapabilitiesRestricted => "capabilities_restricted",
            PssCheckId::ProcMountRestricted => "procMount_restricted",
            PssCheckId::RestrictedVolumes => "restrictedVolumes",
            PssCheckId::RunAsNonRoot => "runAsNonRoot",
            PssCheckId::RunAsUser => "runAsUser",
            PssCheckId::SeccompProfileRestricted => "seccompProfile_restricted",
        }
    }

    /// The level the check belongs to.
    pub fn level(self) -> PssLevel {
        if self >= PssCheckId::AllowPrivilegeEscalation {
            PssLevel::Restricted
        } else {
            PssLevel::Baseline
        }
    }

    /// The first policy version the check exists in.
    pub fn since(self) -> PssVersion {
        let first = CHECKS
            .iter()
            .find(|definition| definition.id == self)
            .and_then(|definition| definition.versions.first());
        PssVersion::v1(first.map_or(0, |versioned| versioned.since))
    }

    fn bit(self) -> u32 {
        1 << (self as u32)
    }
}

impl fmt::Display for PssCheckId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One check that forbids the pod: upstream's `ForbiddenReason` and `ForbiddenDetail`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Forbidden {
    pub check: PssCheckId,
    /// Short and fixed per check (`host namespaces`, `forbidden AppArmor profiles`, ...).
    pub reason: &'static str,
    /// What exactly is forbidden, e.g. `container "app" must set ...`. Empty only in
    /// upstream's own corner cases (a sysctl with an empty name), where messages omit it.
    pub detail: String,
}

/// Evaluates a Pod as PodSecurity admission enforces it at `level` and `version`: after the API
/// server's defaulting and create-time mutations (see `pod.rs`). Empty when the pod is allowed.
pub fn evaluate_pod(
    level: PssLevel,
    version: PssVersion,
    metadata: &ObjectMeta,
    spec: &PodSpec,
) -> Vec<Forbidden> {
    evaluate(
        level,
        version,
        &PodView {
            metadata,
            spec,
            origin: Origin::Pod,
        },
    )
}

/// Evaluates the pod template of a workload (Deployment, Job, ...) as PodSecurity admission
/// does for its warnings and audit annotations: `metadata` and `spec` are the template's.
pub fn evaluate_pod_template(
    level: PssLevel,
    version: PssVersion,
    metadata: &ObjectMeta,
    spec: &PodSpec,
) -> Vec<Forbidden> {
    evaluate(
        level,
        version,
        &PodView {
            metadata,
            spec,
            origin: Origin::Template,
        },
    )
}

/// Evaluates one control of the standard at `version`, as admission does for a Pod (`is_pod`)
/// or for a workload's pod template: what [`evaluate_pod`] or [`evaluate_pod_template`] would
/// report for that control alone. `None` when the control allows the pod or does not exist at
/// that version.
pub fn evaluate_control(
    id: PssCheckId,
    version: PssVersion,
    metadata: &ObjectMeta,
    spec: &PodSpec,
    is_pod: bool,
) -> Option<Forbidden> {
    let pod = PodView {
        metadata,
        spec,
        origin: if is_pod {
            Origin::Pod
        } else {
            Origin::Template
        },
    };
    let definition = CHECKS.iter().find(|definition| definition.id == id)?;
    let active = definition.active(version.effective_minor())?;
    (active.check)(&pod).map(|violation| Forbidden {
        check: id,
        reason: violation.reason,
        detail: violation.detail,
    })
}

fn evaluate(level: PssLevel, version: PssVersion, pod: &PodView<'_>) -> Vec<Forbidden> {
    let restricted = match level {
        PssLevel::Privileged => return Vec::new(),
        PssLevel::Baseline => false,
        PssLevel::Restricted => true,
    };
    let minor = version.effective_minor();
    let overridden = if restricted {
        overridden_checks(minor)
    } else {
        0
    };
    let mut forbidden = Vec::new();
    for definition in &CHECKS {
        let id = definition.id;
        if (!restricted && id.level() == PssLevel::Restricted) || overridden & id.bit() != 0 {
            continue;
        }
        let Some(active) = definition.active(minor) else {
            continue;
        };
        if let Some(violation) = (active.check)(pod) {
            forbidden.push(Forbidden {
                check: id,
                reason: violation.reason,
                detail: violation.detail,
            });
        }
    }
    forbidden
}

/// The baseline checks that the active restricted checks replace at policy `v1.<minor>`.
fn overridden_checks(minor: u32) -> u32 {
    CHECKS
        .iter()
        .filter(|definition| definition.id.level() == PssLevel::Restricted)
        .filter_map(|definition| definition.active(minor))
        .flat_map(|active| active.overrides)
        .fold(0, |bits, id| bits | id.bit())
}

/// `reason (detail), reason (detail)`: upstream's `ForbiddenDetail()` of the aggregate.
pub fn forbidden_detail(forbidden: &[Forbidden]) -> String {
    let mut out = String::with_capacity(
        forbidden
            .iter()
            .map(|f| f.reason.len() + f.detail.len() + 5)
            .sum(),
    );
    for (index, item) in forbidden.iter().enumerate() {
        if index > 0 {
            out.push_str(", ");
        }
        out.push_str(item.reason);
        if !item.detail.is_empty() {
            out.push_str(" (");
            out.push_str(&item.detail);
            out.push(')');
        }
    }
    out
}

/// `violates PodSecurity "restricted:v1.30": reason (detail), ...`: the error PodSecurity
/// admission denies a pod with.
pub fn violation_message(policy: PssPolicy, forbidden: &[Forbidden]) -> String {
    format!(
        "violates PodSecurity \"{policy}\": {}",
        forbidden_detail(forbidden)
    )
}

/// `would violate PodSecurity "restricted:v1.30": ...`: the warning for a workload (or for a pod
/// under the warn label), and the value of the audit annotation.
pub fn warning_message(policy: PssPolicy, forbidden: &[Forbidden]) -> String {
    format!(
        "would violate PodSecurity \"{policy}\": {}",
        forbidden_detail(forbidden)
    )
}

/// The API server's text for a denied pod create: `pods "web" is forbidden: violates
/// PodSecurity ...`, or `pods is forbidden: ...` for a pod named by `generateName`.
pub fn pod_forbidden_message(name: &str, policy: PssPolicy, forbidden: &[Forbidden]) -> String {
    let violation = violation_message(policy, forbidden);
    if name.is_empty() {
        format!("pods is forbidden: {violation}")
    } else {
        format!("pods {} is forbidden: {violation}", go_quote(name))
    }
}

/// What a check found wrong: its reason and detail.
pub(crate) struct Violation {
    pub reason: &'static str,
    pub detail: String,
}

impl Violation {
    pub fn new(reason: &'static str, detail: String) -> Option<Violation> {
        Some(Violation { reason, detail })
    }
}

pub(crate) type CheckFn = fn(&PodView<'_>) -> Option<Violation>;

/// One implementation of a check and the first policy version it applies to.
pub(crate) struct VersionedCheck {
    /// Minor of the first policy version (`v1.<since>`).
    pub since: u32,
    pub check: CheckFn,
    /// Baseline checks this (restricted) implementation replaces.
    pub overrides: &'static [PssCheckId],
}

struct CheckDefinition {
    id: PssCheckId,
    /// Strictly increasing `since`.
    versions: &'static [VersionedCheck],
}

impl CheckDefinition {
    /// The newest implementation not newer than `v1.<minor>`, if the check exists then.
    fn active(&self, minor: u32) -> Option<&'static VersionedCheck> {
        self.versions
            .iter()
            .rev()
            .find(|versioned| versioned.since <= minor)
    }
}

/// Every check, in upstream's evaluation order: baseline IDs sorted bytewise, then restricted.
const CHECKS: [CheckDefinition; 19] = [
    CheckDefinition {
        id: PssCheckId::AppArmorProfile,
        versions: app_armor::VERSIONS,
    },
    CheckDefinition {
        id: PssCheckId::CapabilitiesBaseline,
        versions: capabilities::BASELINE_VERSIONS,
    },
    CheckDefinition {
        id: PssCheckId::HostNamespaces,
        versions: host_namespaces::VERSIONS,
    },
    CheckDefinition {
        id: PssCheckId::HostPathVolumes,
        versions: host_path_volumes::VERSIONS,
    },
    CheckDefinition {
        id: PssCheckId::HostPorts,
        versions: host_ports::VERSIONS,
    },
    CheckDefinition {
        id: PssCheckId::HostProbesAndHostLifecycle,
        versions: host_probes::VERSIONS,
    },
    CheckDefinition {
        id: PssCheckId::Privileged,
        versions: privileged::VERSIONS,
    },
    CheckDefinition {
        id: PssCheckId::ProcMount,
        versions: proc_mount::BASELINE_VERSIONS,
    },
    CheckDefinition {
        id: PssCheckId::SeLinuxOptions,
        versions: selinux::VERSIONS,
    },
    CheckDefinition {
        id: PssCheckId::SeccompProfileBaseline,
        versions: seccomp::BASELINE_VERSIONS,
    },
    CheckDefinition {
        id: PssCheckId::Sysctls,
        versions: sysctls::VERSIONS,
    },
    CheckDefinition {
        id: PssCheckId::WindowsHostProcess,
        versions: windows_host_process::VERSIONS,
    },
    CheckDefinition {
        id: PssCheckId::AllowPrivilegeEscalation,
        versions: privilege_escalation::VERSIONS,
    },
    CheckDefinition {
        id: PssCheckId::CapabilitiesRestricted,
        versions: capabilities::RESTRICTED_VERSIONS,
    },
    CheckDefinition {
        id: PssCheckId::ProcMountRestricted,
        versions: proc_mount::RESTRICTED_VERSIONS,
    },
    CheckDefinition {
        id: PssCheckId::RestrictedVolumes,
        versions: volume_types::VERSIONS,
    },
    CheckDefinition {
        id: PssCheckId::RunAsNonRoot,
        versions: run_as_non_root::VERSIONS,
    },
    CheckDefinition {
        id: PssCheckId::RunAsUser,
        versions: run_as_user::VERSIONS,
    },
    CheckDefinition {
        id: PssCheckId::SeccompProfileRestricted,
        versions: seccomp::RESTRICTED_VERSIONS,
    },
];

/// The largest first version of any check implementation: upstream's `maxVersion`.
const fn newest_policy_minor() -> u32 {
    let mut newest = 0;
    let mut check = 0;
    while check < CHECKS.len() {
        let versions = CHECKS[check].versions;
        let mut index = 0;
        while index < versions.len() {
            if versions[index].since > newest {
                newest = versions[index].since;
            }
            index += 1;
        }
        check += 1;
    }
    newest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_are_in_enum_order_and_upstream_order() {
        for (index, definition) in CHECKS.iter().enumerate() {
            assert_eq!(definition.id as usize, index);
        }
        let baseline: Vec<&str> = CHECKS
            .iter()
            .filter(|d| d.id.level() == PssLevel::Baseline)
            .map(|d| d.id.as_str())
            .collect();
        let mut sorted = baseline.clone();
        sorted.sort_unstable();
        assert_eq!(baseline, sorted, "baseline checks run in bytewise ID order");
        let restricted: Vec<&str> = CHECKS
            .iter()
            .filter(|d| d.id.level() == PssLevel::Restricted)
            .map(|d| d.id.as_str())
            .collect();
        let mut sorted = restricted.clone();
        sorted.sort_unstable();
        assert_eq!(
            restricted, sorted,
            "restricted checks run in bytewise ID order"
        );
        assert_eq!(baseline.len(), 12);
        assert_eq!(restricted.len(), 7);
    }

    #[test]
    fn versions_strictly_increase_and_only_restricted_checks_override() {
        for definition in &CHECKS {
            assert!(!definition.versions.is_empty(), "{}", definition.id);
            for pair in definition.versions.windows(2) {
                assert!(pair[0].since < pair[1].since, "{}", definition.id);
            }
            for versioned in definition.versions {
                for overridden in versioned.overrides {
                    assert_eq!(definition.id.level(), PssLevel::Restricted);
                    assert_eq!(overridden.level(), PssLevel::Baseline);
                }
            }
        }
    }

    #[test]
    fn newest_policy_version_is_v1_37() {
        assert_eq!(NEWEST_POLICY_VERSION.to_string(), "v1.37");
        assert_eq!(PssVersion::LATEST.effective_minor(), 37);
        assert_eq!(PssVersion::v1(40).effective_minor(), 37);
        assert_eq!(PssVersion::v1(40).to_string(), "v1.40");
    }
}
