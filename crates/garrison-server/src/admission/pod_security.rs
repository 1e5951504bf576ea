//! Pod Security admission as the API server's built-in PodSecurity plugin does it
//! (`k8s.io/pod-security-admission/admission`): the namespace's labels (or the configured
//! defaults) pick the enforce, audit and warn policies; Pods are denied under enforce, workload
//! templates only warned about and audited; exemptions by user, namespace and runtime class;
//! updates that change nothing the policy reads are allowed without evaluation; a namespace whose
//! enforce label tightens gets warnings naming its existing pods that violate it.
//!
//! Messages, warnings and audit annotation values are upstream's, byte for byte. Audit annotation
//! keys are returned unprefixed (`enforce-policy`, `audit-violations`, `exempt`, `error`), as the
//! plugin returns them: the API server prefixes a webhook's keys with the webhook's name, where it
//! prefixes the built-in plugin's with `pod-security.kubernetes.io/`.

use std::collections::{BTreeMap, HashMap};

use garrison_checks::pss::{
    Forbidden, PssLevel, PssPolicy, PssVersion, evaluate_pod, evaluate_pod_template,
    forbidden_detail, go_quote, pod_forbidden_message,
};
use k8s_openapi::api::core::v1::{Container, EphemeralContainer, Pod, PodSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Deserialize;

use super::review::{Operation, Request, Status, Verdict};

pub const ENFORCE_LABEL: &str = "pod-security.kubernetes.io/enforce";
pub const ENFORCE_VERSION_LABEL: &str = "pod-security.kubernetes.io/enforce-version";
pub const AUDIT_LABEL: &str = "pod-security.kubernetes.io/audit";
pub const AUDIT_VERSION_LABEL: &str = "pod-security.kubernetes.io/audit-version";
pub const WARN_LABEL: &str = "pod-security.kubernetes.io/warn";
pub const WARN_VERSION_LABEL: &str = "pod-security.kubernetes.io/warn-version";

/// Audit annotation keys, as the plugin returns them.
pub const ENFORCE_POLICY_ANNOTATION: &str = "enforce-policy";
pub const AUDIT_VIOLATIONS_ANNOTATION: &str = "audit-violations";
pub const EXEMPT_ANNOTATION: &str = "exempt";
pub const ERROR_ANNOTATION: &str = "error";

/// Pod subresources the plugin never judges; any other pod subresource (such as
/// `ephemeralcontainers`) carries a Pod and is evaluated.
pub(super) const IGNORED_POD_SUBRESOURCES: &[&str] = &[
    "exec",
    "attach",
    "binding",
    "eviction",
    "log",
    "portforward",
    "proxy",
    "status",
];

/// The most existing pods a namespace label change is checked against (upstream's default).
const NAMESPACE_MAX_PODS_TO_CHECK: usize = 3000;

const SECCOMP_CONTAINER_ANNOTATION_PREFIX: &str = "container.seccomp.security.alpha.kubernetes.io/";

/// The enforce, audit and warn policies of a namespace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NamespacePolicy {
    pub enforce: PssPolicy,
    pub audit: PssPolicy,
    pub warn: PssPolicy,
}

const PRIVILEGED_LATEST: PssPolicy = PssPolicy {
    level: PssLevel::Privileged,
    version: PssVersion::LATEST,
};

impl Default for NamespacePolicy {
    /// Upstream's defaults when the configuration names none: privileged at latest, all modes.
    fn default() -> Self {
        NamespacePolicy {
            enforce: PRIVILEGED_LATEST,
            audit: PRIVILEGED_LATEST,
            warn: PRIVILEGED_LATEST,
        }
    }
}

impl NamespacePolicy {
    fn fully_privileged(&self) -> bool {
        self.enforce.level == PssLevel::Privileged
            && self.audit.level == PssLevel::Privileged
            && self.warn.level == PssLevel::Privileged
    }

    /// Upstream's `Policy.Equivalent`: equal, where a privileged mode's version does not matter.
    fn equivalent(&self, other: &NamespacePolicy) -> bool {
        let same = |a: PssPolicy, b: PssPolicy| {
            a.level == b.level && (a.level == PssLevel::Privileged || a.version == b.version)
        };
        same(self.enforce, other.enforce)
            && same(self.audit, other.audit)
            && same(self.warn, other.warn)
    }
}

/// A Pod Security label whose value upstream rejects, printed as a Kubernetes field error:
/// `metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": must be one of
/// privileged, baseline, restricted`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabelError {
    pub label: &'static str,
    pub value: String,
    pub detail: &'static str,
}

const LEVEL_ERROR: &str = "must be one of privileged, baseline, restricted";
const VERSION_ERROR: &str = "must be \"latest\" or \"v1.x\"";

impl LabelError {
    fn field(&self) -> String {
        format!("metadata.labels[{}]", self.label)
    }

    /// The error without its field: `Invalid value: "strict": must be ...`.
    fn body(&self) -> String {
        format!("Invalid value: {}: {}", go_quote(&self.value), self.detail)
    }
}

impl std::fmt::Display for LabelError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field(), self.body())
    }
}

/// Go's aggregate of errors: one error as itself, several as `[a, b]`, duplicates once.
fn aggregate(errors: &[LabelError]) -> String {
    let mut messages: Vec<String> = Vec::new();
    for error in errors {
        let message = error.to_string();
        if !messages.contains(&message) {
            messages.push(message);
        }
    }
    if messages.len() == 1 {
        messages.remove(0)
    } else {
        format!("[{}]", messages.join(", "))
    }
}

/// The policies a namespace's labels ask for, over `defaults`, with upstream's parsing: a bad
/// enforce level is taken as restricted and a bad version as latest (fail closed), a bad audit
/// or warn level as privileged (fail open); when enforce is set explicitly, parses, and is
/// stricter than warn and warn is not set, warn follows enforce (and its version unless
/// warn-version is set).
pub fn policy_for_labels(
    labels: &BTreeMap<String, String>,
    defaults: NamespacePolicy,
) -> (NamespacePolicy, Vec<LabelError>) {
    let mut policy = defaults;
    let mut errors = Vec::new();
    if labels.is_empty() {
        return (policy, errors);
    }
    let mut has_enforce_level = false;
    match label::<PssLevel>(labels, ENFORCE_LABEL, LEVEL_ERROR, &mut errors) {
        Parsed::Valid(level) => {
            policy.enforce.level = level;
            has_enforce_level = true;
        }
        Parsed::Invalid => policy.enforce.level = PssLevel::Restricted,
        Parsed::Absent => {}
    }
    match label::<PssVersion>(labels, ENFORCE_VERSION_LABEL, VERSION_ERROR, &mut errors) {
        Parsed::Valid(version) => policy.enforce.version = version,
        Parsed::Invalid => policy.enforce.version = PssVersion::LATEST,
        Parsed::Absent => {}
    }
    match label::<PssLevel>(labels, AUDIT_LABEL, LEVEL_ERROR, &mut errors) {
        Parsed::Valid(level) => policy.audit.level = level,
        Parsed::Invalid => policy.audit.level = PssLevel::Privileged,
        Parsed::Absent => {}
    }
    match label::<PssVersion>(labels, AUDIT_VERSION_LABEL, VERSION_ERROR, &mut errors) {
        Parsed::Valid(version) => policy.audit.version = version,
        Parsed::Invalid => policy.audit.version = PssVersion::LATEST,
        Parsed::Absent => {}
    }
    let warn_level = label::<PssLevel>(labels, WARN_LABEL, LEVEL_ERROR, &mut errors);
    let has_warn_level = !matches!(warn_level, Parsed::Absent);
    match warn_level {
        Parsed::Valid(level) => policy.warn.level = level,
        Parsed::Invalid => policy.warn.level = PssLevel::Privileged,
        Parsed::Absent => {}
    }
    let warn_version = label::<PssVersion>(labels, WARN_VERSION_LABEL, VERSION_ERROR, &mut errors);
    let has_warn_version = !matches!(warn_version, Parsed::Absent);
    match warn_version {
        Parsed::Valid(version) => policy.warn.version = version,
        Parsed::Invalid => policy.warn.version = PssVersion::LATEST,
        Parsed::Absent => {}
    }
    if !has_warn_level && has_enforce_level && policy.enforce.level > policy.warn.level {
        policy.warn.level = policy.enforce.level;
        if !has_warn_version {
            policy.warn.version = policy.enforce.version;
        }
    }
    (policy, errors)
}

enum Parsed<T> {
    Absent,
    Valid(T),
    Invalid,
}

fn label<T: std::str::FromStr>(
    labels: &BTreeMap<String, String>,
    label: &'static str,
    detail: &'static str,
    errors: &mut Vec<LabelError>,
) -> Parsed<T> {
    match labels.get(label) {
        None => Parsed::Absent,
        Some(value) => match value.parse::<T>() {
            Ok(parsed) => Parsed::Valid(parsed),
            Err(_) => {
                errors.push(LabelError {
                    label,
                    value: value.clone(),
                    detail,
                });
                Parsed::Invalid
            }
        },
    }
}

/// Who and what is never judged (a PodSecurityConfiguration's `exemptions`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Exemptions {
    #[serde(default)]
    pub usernames: Vec<String>,
    #[serde(default)]
    pub runtime_classes: Vec<String>,
    #[serde(default)]
    pub namespaces: Vec<String>,
}

/// A namespace as admission sees it: its labels, and the pods the snapshot knows in it (for the
/// warnings about a tightened enforce label).
#[derive(Clone, Debug, Default)]
pub struct NamespaceInfo {
    pub labels: BTreeMap<String, String>,
    pub pods: Vec<Pod>,
}

/// The namespaces admission knows, by name. A namespace that is not here is judged as one
/// without labels: by the defaults.
pub type NamespaceMap = HashMap<String, NamespaceInfo>;

/// The PodSecurity plugin's configuration: defaults and exemptions.
#[derive(Clone, Debug, Default)]
pub struct PodSecurity {
    pub defaults: NamespacePolicy,
    pub exemptions: Exemptions,
}

/// Workload resources whose pod template the plugin warns about, with where their template is.
pub(super) fn template_resource(group: &str, resource: &str) -> bool {
    matches!(
        (group, resource),
        ("", "replicationcontrollers" | "podtemplates")
            | (
                "apps",
                "replicasets" | "deployments" | "statefulsets" | "daemonsets"
            )
            | ("batch", "jobs" | "cronjobs")
    )
}

/// A pod template and its metadata, wherever the workload keeps it.
#[derive(Deserialize)]
struct TemplateHolder {
    #[serde(default)]
    template: Option<Template>,
    #[serde(default)]
    spec: Option<HolderSpec>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct HolderSpec {
    #[serde(default)]
    template: Option<Template>,
    #[serde(default)]
    job_template: Option<Box<TemplateHolder>>,
}

#[derive(Deserialize)]
struct Template {
    #[serde(default)]
    metadata: Option<ObjectMeta>,
    #[serde(default)]
    spec: Option<PodSpec>,
}

impl TemplateHolder {
    fn template(self, resource: &str) -> Option<Template> {
        match resource {
            "podtemplates" => self.template,
            "cronjobs" => self.spec?.job_template?.spec?.template,
            _ => self.spec?.template,
        }
    }
}

fn allowed() -> Verdict {
    Verdict::allow()
}

fn allowed_with(key: &str, value: &str) -> Verdict {
    let mut verdict = Verdict::allow();
    verdict
        .audit_annotations
        .insert(key.to_string(), value.to_string());
    verdict
}

fn bad_request(message: &str, error: Option<String>) -> Verdict {
    let mut verdict = Verdict::deny(Status::new(400, "BadRequest", message.to_string()));
    if let Some(error) = error {
        verdict
            .audit_annotations
            .insert(ERROR_ANNOTATION.to_string(), error);
    }
    verdict
}

impl PodSecurity {
    fn exempt_namespace(&self, namespace: &str) -> bool {
        !namespace.is_empty() && self.exemptions.namespaces.iter().any(|n| n == namespace)
    }

    fn exempt_user(&self, user: &str) -> bool {
        !user.is_empty() && self.exemptions.usernames.iter().any(|u| u == user)
    }

    fn exempt_runtime_class(&self, runtime_class: Option<&str>) -> bool {
        runtime_class.is_some_and(|class| {
            !class.is_empty() && self.exemptions.runtime_classes.iter().any(|c| c == class)
        })
    }

    fn namespace_policy(
        &self,
        namespaces: &NamespaceMap,
        namespace: &str,
    ) -> (NamespacePolicy, Vec<LabelError>) {
        match namespaces.get(namespace) {
            Some(info) => policy_for_labels(&info.labels, self.defaults),
            None => (self.defaults, Vec::new()),
        }
    }

    /// Judges one request. `None` when the plugin has nothing to say about the resource (it is
    /// neither a Pod, a Namespace nor a workload with a pod template).
    pub fn validate(&self, request: &Request, namespaces: &NamespaceMap) -> Option<Verdict> {
        // The plugin handles creates and updates only.
        if !matches!(request.operation, Operation::Create | Operation::Update) {
            return None;
        }
        let group = request.resource.group.as_str();
        let resource = request.resource.resource.as_str();
        match (group, resource) {
            ("", "namespaces") => Some(self.validate_namespace(request, namespaces)),
            ("", "pods") => Some(self.validate_pod(request, namespaces)),
            _ if template_resource(group, resource) => {
                Some(self.validate_workload(request, namespaces))
            }
            _ => None,
        }
    }

    fn validate_pod(&self, request: &Request, namespaces: &NamespaceMap) -> Verdict {
        if IGNORED_POD_SUBRESOURCES.contains(&request.sub_resource.as_str()) {
            return allowed();
        }
        if self.exempt_namespace(&request.namespace) {
            return allowed_with(EXEMPT_ANNOTATION, "namespace");
        }
        if self.exempt_user(&request.user_info.username) {
            return allowed_with(EXEMPT_ANNOTATION, "user");
        }
        let (policy, errors) = self.namespace_policy(namespaces, &request.namespace);
        if errors.is_empty() && policy.fully_privileged() {
            return allowed_with(ENFORCE_POLICY_ANNOTATION, &PRIVILEGED_LATEST.to_string());
        }
        let pod: Pod = match request.decode_object() {
            Ok(Some(pod)) => pod,
            Ok(None) => return bad_request("failed to decode object", None),
            Err(error) => return bad_request("failed to decode object", Some(error)),
        };
        if request.operation == Operation::Update {
            let old: Pod = match request.decode_old_object() {
                Ok(Some(pod)) => pod,
                Ok(None) => return bad_request("failed to decode old object", None),
                Err(error) => return bad_request("failed to decode old object", Some(error)),
            };
            if !is_significant_pod_update(&pod, &old) {
                return allowed();
            }
        }
        let spec = pod.spec.unwrap_or_default();
        self.evaluate(policy, &errors, &pod.metadata, &spec, request, true)
    }

    fn validate_workload(&self, request: &Request, namespaces: &NamespaceMap) -> Verdict {
        if !request.sub_resource.is_empty() {
            return allowed();
        }
        if self.exempt_namespace(&request.namespace) {
            return allowed_with(EXEMPT_ANNOTATION, "namespace");
        }
        if self.exempt_user(&request.user_info.username) {
            return allowed_with(EXEMPT_ANNOTATION, "user");
        }
        let (policy, errors) = self.namespace_policy(namespaces, &request.namespace);
        if errors.is_empty()
            && policy.warn.level == PssLevel::Privileged
            && policy.audit.level == PssLevel::Privileged
        {
            return allowed();
        }
        let holder: TemplateHolder = match request.decode_object() {
            Ok(Some(holder)) => holder,
            Ok(None) => return allowed(),
            Err(error) => {
                return allowed_with(
                    ERROR_ANNOTATION,
                    &format!("failed to decode object: {error}"),
                );
            }
        };
        let Some(template) = holder.template(&request.resource.resource) else {
            return allowed();
        };
        if template.metadata.is_none() && template.spec.is_none() {
            return allowed();
        }
        let metadata = template.metadata.unwrap_or_default();
        let spec = template.spec.unwrap_or_default();
        self.evaluate(policy, &errors, &metadata, &spec, request, false)
    }

    /// Upstream's `EvaluatePod`: enforce (Pods only), then audit, then warn (only when not
    /// denied), each policy evaluated once.
    fn evaluate(
        &self,
        policy: NamespacePolicy,
        errors: &[LabelError],
        metadata: &ObjectMeta,
        spec: &PodSpec,
        request: &Request,
        enforce: bool,
    ) -> Verdict {
        if self.exempt_runtime_class(spec.runtime_class_name.as_deref()) {
            return allowed_with(EXEMPT_ANNOTATION, "runtimeClass");
        }
        let mut verdict = Verdict::allow();
        if !errors.is_empty() {
            verdict.audit_annotations.insert(
                ERROR_ANNOTATION.to_string(),
                format!("Failed to parse policy: {}", aggregate(errors)),
            );
        }
        let judge = |policy: PssPolicy| -> Vec<Forbidden> {
            if enforce {
                evaluate_pod(policy.level, policy.version, metadata, spec)
            } else {
                evaluate_pod_template(policy.level, policy.version, metadata, spec)
            }
        };
        let mut cache: Vec<(PssPolicy, Vec<Forbidden>)> = Vec::with_capacity(3);
        let result = |policy: PssPolicy, cache: &mut Vec<(PssPolicy, Vec<Forbidden>)>| {
            if let Some((_, found)) = cache.iter().find(|(cached, _)| *cached == policy) {
                return found.clone();
            }
            let found = judge(policy);
            cache.push((policy, found.clone()));
            found
        };
        if enforce {
            verdict.audit_annotations.insert(
                ENFORCE_POLICY_ANNOTATION.to_string(),
                policy.enforce.to_string(),
            );
            let forbidden = result(policy.enforce, &mut cache);
            if !forbidden.is_empty() {
                let message = pod_forbidden_message(&request.name, policy.enforce, &forbidden);
                let mut status = Status::new(403, "Forbidden", message);
                status.details = Some(super::review::StatusDetails {
                    name: request.name.clone(),
                    group: String::new(),
                    kind: "pods".to_string(),
                    causes: Vec::new(),
                });
                verdict.allowed = false;
                verdict.status = Some(status);
            }
        }
        let audit = result(policy.audit, &mut cache);
        if !audit.is_empty() {
            verdict.audit_annotations.insert(
                AUDIT_VIOLATIONS_ANNOTATION.to_string(),
                format!(
                    "would violate PodSecurity \"{}\": {}",
                    policy.audit,
                    forbidden_detail(&audit)
                ),
            );
        }
        if verdict.allowed {
            let warn = result(policy.warn, &mut cache);
            if !warn.is_empty() {
                verdict.warnings.push(format!(
                    "would violate PodSecurity \"{}\": {}",
                    policy.warn,
                    forbidden_detail(&warn)
                ));
            }
        }
        verdict
    }

    fn validate_namespace(&self, request: &Request, namespaces: &NamespaceMap) -> Verdict {
        if !request.sub_resource.is_empty() {
            return allowed();
        }
        let namespace: k8s_openapi::api::core::v1::Namespace = match request.decode_object() {
            Ok(Some(namespace)) => namespace,
            Ok(None) => return bad_request("failed to decode namespace", None),
            Err(error) => return bad_request("failed to decode object", Some(error)),
        };
        let labels = namespace.metadata.labels.clone().unwrap_or_default();
        let name = namespace.metadata.name.clone().unwrap_or_default();
        let (new_policy, new_errors) = policy_for_labels(&labels, self.defaults);
        let namespace_name = if request.namespace.is_empty() {
            name.as_str()
        } else {
            request.namespace.as_str()
        };
        let exempt_warning = |verdict: Verdict| -> Verdict {
            match self.exempt_namespace_warning(&name, &new_policy, &labels) {
                Some(warning) => {
                    let mut verdict = verdict;
                    verdict.warnings.push(warning);
                    verdict
                }
                None => verdict,
            }
        };
        match request.operation {
            Operation::Create => {
                if !new_errors.is_empty() {
                    return invalid(request, &name, &new_errors);
                }
                if self.exempt_namespace(namespace_name) {
                    return exempt_warning(allowed());
                }
                allowed()
            }
            Operation::Update => {
                let old: k8s_openapi::api::core::v1::Namespace = match request.decode_old_object() {
                    Ok(Some(old)) => old,
                    Ok(None) => return bad_request("failed to decode  old namespace", None),
                    Err(error) => {
                        return bad_request("failed to decode  old object", Some(error));
                    }
                };
                let old_labels = old.metadata.labels.unwrap_or_default();
                let (old_policy, old_errors) = policy_for_labels(&old_labels, self.defaults);
                if !new_errors.is_empty() && (old_errors.is_empty() || new_errors != old_errors) {
                    return invalid(request, &name, &new_errors);
                }
                if new_policy.enforce == old_policy.enforce
                    || new_policy.enforce.level == PssLevel::Privileged
                    || (new_policy.enforce.version == old_policy.enforce.version
                        && new_policy.enforce.level <= old_policy.enforce.level)
                {
                    return allowed();
                }
                if self.exempt_namespace(namespace_name) {
                    return exempt_warning(allowed());
                }
                let mut verdict = allowed();
                verdict.warnings =
                    self.evaluate_pods_in_namespace(namespaces, &name, new_policy.enforce);
                verdict
            }
            Operation::Delete | Operation::Connect => allowed(),
        }
    }

    /// Upstream's `exemptNamespaceWarning`: an exempt namespace that sets non-privileged
    /// labels is told that they will be ignored.
    fn exempt_namespace_warning(
        &self,
        name: &str,
        policy: &NamespacePolicy,
        labels: &BTreeMap<String, String>,
    ) -> Option<String> {
        if policy.fully_privileged() || policy.equivalent(&self.defaults) {
            return None;
        }
        let mut parts = Vec::new();
        let has = |a: &str, b: &str| labels.contains_key(a) || labels.contains_key(b);
        if policy.enforce.level != PssLevel::Privileged && has(ENFORCE_LABEL, ENFORCE_VERSION_LABEL)
        {
            parts.push(format!("enforce={}", policy.enforce));
        }
        if policy.audit.level != PssLevel::Privileged && has(AUDIT_LABEL, AUDIT_VERSION_LABEL) {
            parts.push(format!("audit={}", policy.audit));
        }
        if policy.warn.level != PssLevel::Privileged && has(WARN_LABEL, WARN_VERSION_LABEL) {
            parts.push(format!("warn={}", policy.warn));
        }
        Some(format!(
            "namespace {} is exempt from Pod Security, and the policy ({}) will be ignored",
            go_quote(name),
            parts.join(", ")
        ))
    }

    /// Upstream's `EvaluatePodsInNamespace` over the pods the snapshot holds for the namespace.
    fn evaluate_pods_in_namespace(
        &self,
        namespaces: &NamespaceMap,
        namespace: &str,
        enforce: PssPolicy,
    ) -> Vec<String> {
        let pods: &[Pod] = namespaces
            .get(namespace)
            .map(|info| info.pods.as_slice())
            .unwrap_or_default();
        // One pod per controller first, then the other replicas; exempt runtime classes out.
        let mut first = Vec::new();
        let mut replicas = Vec::new();
        let mut controllers = std::collections::HashSet::new();
        for pod in pods {
            let spec = pod.spec.as_ref();
            if self.exempt_runtime_class(spec.and_then(|spec| spec.runtime_class_name.as_deref())) {
                continue;
            }
            let controller = pod
                .metadata
                .owner_references
                .iter()
                .flatten()
                .find(|owner| owner.controller == Some(true))
                .map(|owner| owner.uid.as_str());
            match controller {
                Some(uid) if !controllers.insert(uid) => replicas.push(pod),
                _ => first.push(pod),
            }
        }
        first.extend(replicas);
        let total = first.len();
        first.truncate(NAMESPACE_MAX_PODS_TO_CHECK);
        let checked = first.len();
        // Reasons in first-seen order, with the lexically first pod name and a count.
        let mut seen: Vec<(String, String, usize)> = Vec::new();
        let empty = PodSpec::default();
        for pod in first {
            let spec = pod.spec.as_ref().unwrap_or(&empty);
            let forbidden = evaluate_pod(enforce.level, enforce.version, &pod.metadata, spec);
            if forbidden.is_empty() {
                continue;
            }
            let reason = forbidden
                .iter()
                .map(|f| f.reason)
                .collect::<Vec<_>>()
                .join(", ");
            let name = pod.metadata.name.clone().unwrap_or_default();
            match seen.iter_mut().find(|(known, _, _)| *known == reason) {
                Some((_, first_name, count)) => {
                    if name < *first_name {
                        *first_name = name;
                    }
                    *count += 1;
                }
                None => seen.push((reason, name, 1)),
            }
        }
        let mut warnings = Vec::new();
        if checked < total {
            warnings.push(format!(
                "new PodSecurity enforce level only checked against the first {checked} of {total} existing pods"
            ));
        }
        if !seen.is_empty() {
            warnings.push(format!(
                "existing pods in namespace {} violate the new PodSecurity enforce level {}",
                go_quote(namespace),
                go_quote(&enforce.to_string())
            ));
        }
        let mut pod_warnings: Vec<String> = seen
            .into_iter()
            .map(|(reason, name, count)| match count {
                1 => format!("{name}: {reason}"),
                2 => format!("{name} (and 1 other pod): {reason}"),
                _ => format!("{name} (and {} other pods): {reason}", count - 1),
            })
            .collect();
        pod_warnings.sort();
        warnings.extend(pod_warnings);
        warnings
    }
}

/// `Namespace "x" is invalid: ...` (422), as `apierrors.NewInvalid` words it.
fn invalid(request: &Request, name: &str, errors: &[LabelError]) -> Verdict {
    let kind = if request.kind.group.is_empty() {
        request.kind.kind.clone()
    } else {
        format!("{}.{}", request.kind.kind, request.kind.group)
    };
    let name = if request.name.is_empty() {
        name
    } else {
        &request.name
    };
    let message = format!(
        "{kind} {} is invalid: {}",
        go_quote(name),
        aggregate(errors)
    );
    let mut status = Status::new(422, "Invalid", message);
    status.details = Some(super::review::StatusDetails {
        name: name.to_string(),
        group: request.kind.group.clone(),
        kind: request.kind.kind.clone(),
        causes: errors
            .iter()
            .map(|error| super::review::StatusCause {
                reason: "FieldValueInvalid".to_string(),
                message: error.body(),
                field: error.field(),
            })
            .collect(),
    });
    Verdict::deny(status)
}

/// Upstream's `isSignificantPodUpdate`: only a change of container count, of an image (or of a
/// container's deprecated seccomp annotation), or an added ephemeral container is evaluated.
pub fn is_significant_pod_update(pod: &Pod, old: &Pod) -> bool {
    let empty = PodSpec::default();
    let spec = pod.spec.as_ref().unwrap_or(&empty);
    let old_spec = old.spec.as_ref().unwrap_or(&empty);
    let annotations = pod.metadata.annotations.as_ref();
    let old_annotations = old.metadata.annotations.as_ref();
    let seccomp = |annotations: Option<&BTreeMap<String, String>>, name: &str| {
        annotations
            .and_then(|map| map.get(&format!("{SECCOMP_CONTAINER_ANNOTATION_PREFIX}{name}")))
            .cloned()
            .unwrap_or_default()
    };
    let container_changed = |new: &Container, old: &Container| {
        new.image != old.image
            || seccomp(annotations, &new.name) != seccomp(old_annotations, &new.name)
    };
    let init = spec.init_containers.as_deref().unwrap_or_default();
    let old_init = old_spec.init_containers.as_deref().unwrap_or_default();
    if spec.containers.len() != old_spec.containers.len() || init.len() != old_init.len() {
        return true;
    }
    if spec
        .containers
        .iter()
        .zip(&old_spec.containers)
        .any(|(new, old)| container_changed(new, old))
        || init
            .iter()
            .zip(old_init)
            .any(|(new, old)| container_changed(new, old))
    {
        return true;
    }
    let old_ephemeral: &[EphemeralContainer] =
        old_spec.ephemeral_containers.as_deref().unwrap_or_default();
    for container in spec.ephemeral_containers.iter().flatten() {
        let Some(previous) = old_ephemeral.iter().find(|old| old.name == container.name) else {
            return true;
        };
        if container.image != previous.image
            || seccomp(annotations, &container.name) != seccomp(old_annotations, &container.name)
        {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn labels_parse_and_default_as_upstream() {
        let (policy, errors) = policy_for_labels(
            &labels(&[
                (ENFORCE_LABEL, "baseline"),
                (ENFORCE_VERSION_LABEL, "v1.30"),
            ]),
            NamespacePolicy::default(),
        );
        assert!(errors.is_empty());
        assert_eq!(policy.enforce.to_string(), "baseline:v1.30");
        // Warn follows an explicit, stricter enforce, with its version.
        assert_eq!(policy.warn.to_string(), "baseline:v1.30");
        assert_eq!(policy.audit.to_string(), "privileged:latest");

        let (policy, errors) = policy_for_labels(
            &labels(&[
                (ENFORCE_LABEL, "strict"),
                (ENFORCE_VERSION_LABEL, "1.30"),
                (AUDIT_LABEL, "nope"),
            ]),
            NamespacePolicy::default(),
        );
        assert_eq!(policy.enforce.to_string(), "restricted:latest");
        assert_eq!(policy.audit.level, PssLevel::Privileged);
        // A bad enforce level does not carry over to warn.
        assert_eq!(policy.warn.level, PssLevel::Privileged);
        assert_eq!(
            aggregate(&errors),
            "[metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: \"strict\": must be one of privileged, baseline, restricted, metadata.labels[pod-security.kubernetes.io/enforce-version]: Invalid value: \"1.30\": must be \"latest\" or \"v1.x\", metadata.labels[pod-security.kubernetes.io/audit]: Invalid value: \"nope\": must be one of privileged, baseline, restricted]"
        );

        let (policy, _) = policy_for_labels(
            &labels(&[(ENFORCE_LABEL, "restricted"), (WARN_VERSION_LABEL, "v1.25")]),
            NamespacePolicy::default(),
        );
        assert_eq!(policy.warn.to_string(), "restricted:v1.25");
    }

    fn pod(value: serde_json::Value) -> Pod {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn only_updates_that_change_what_the_policy_reads_are_significant() {
        let base = serde_json::json!({
            "metadata": {"name": "p", "annotations": {}},
            "spec": {"containers": [{"name": "a", "image": "x:1"}],
                     "ephemeralContainers": [{"name": "debug", "image": "busybox"}]}
        });
        let old = pod(base.clone());
        let mut labelled = base.clone();
        labelled["metadata"]["labels"] = serde_json::json!({"l": "v"});
        labelled["spec"]["activeDeadlineSeconds"] = serde_json::json!(30);
        assert!(!is_significant_pod_update(&pod(labelled), &old));
        let mut image = base.clone();
        image["spec"]["containers"][0]["image"] = serde_json::json!("x:2");
        assert!(is_significant_pod_update(&pod(image), &old));
        let mut added = base.clone();
        added["spec"]["ephemeralContainers"]
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!({"name": "debug-2", "image": "busybox"}));
        assert!(is_significant_pod_update(&pod(added), &old));
        let mut seccomp = base.clone();
        seccomp["metadata"]["annotations"] = serde_json::json!(
            {"container.seccomp.security.alpha.kubernetes.io/a": "unconfined"});
        assert!(is_significant_pod_update(&pod(seccomp), &old));
        let mut init = base;
        init["spec"]["initContainers"] = serde_json::json!([{"name": "i", "image": "x:1"}]);
        assert!(is_significant_pod_update(&pod(init), &old));
    }
}
