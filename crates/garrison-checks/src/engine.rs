//! Runs checks over an inventory and turns their outcomes into findings: one PASS for an object a
//! check found nothing wrong with, suppressions applied, lines of offending fields resolved.

use std::cmp::Ordering;

use std::sync::Arc;

use garrison_core::{
    CheckMeta, Config, Finding, Inventory, Object, ObjectRef, Snapshot, Status, Workload,
};
use rayon::prelude::*;

/// What a check needs besides the object it is looking at.
#[derive(Clone, Copy, Debug)]
pub struct Context<'a> {
    pub inventory: &'a Inventory,
    pub config: &'a Config,
    /// Indexes over the whole inventory that checks share.
    pub shared: &'a Shared,
}

/// Inventory-wide indexes that several checks need, each built by the first check that asks
/// for it and at most once per [`run_checks`], rather than once per object.
#[derive(Debug, Default)]
pub struct Shared {
    /// The RBAC objects and EKS access entries; see [`crate::checks::rbac::index`].
    pub(crate) rbac: std::sync::OnceLock<crate::checks::rbac::RbacIndex>,
    /// The snapshot's ECR and Inspector documents; see [`crate::checks::images::ecr_index`].
    pub(crate) ecr: std::sync::OnceLock<crate::checks::images::EcrIndex>,
    /// What each namespace holds; see [`crate::checks::tenancy::namespace_index`].
    pub(crate) namespaces: std::sync::OnceLock<crate::checks::tenancy::NamespaceIndex>,
    /// Service accounts that can take over the cluster; see
    /// [`crate::checks::identity::powerful_token_mounted`].
    pub(crate) powerful_accounts:
        std::sync::OnceLock<crate::checks::identity::powerful_token_mounted::PowerfulAccounts>,
    /// The NetworkPolicy analysis; see [`crate::checks::network_policy::index`].
    pub(crate) netpol: std::sync::OnceLock<crate::checks::network_policy::NetpolIndex>,
}

/// One problem a check found in one object. No outcomes at all means PASS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub status: Status,
    /// JSON pointer to the field, relative to the object.
    pub pointer: Option<String>,
    pub message: String,
}

impl Outcome {
    pub fn fail(pointer: impl Into<String>, message: impl Into<String>) -> Outcome {
        Outcome {
            status: Status::Fail,
            pointer: Some(pointer.into()),
            message: message.into(),
        }
    }

    pub fn warn(pointer: impl Into<String>, message: impl Into<String>) -> Outcome {
        Outcome {
            status: Status::Warn,
            pointer: Some(pointer.into()),
            message: message.into(),
        }
    }

    pub fn pass(pointer: impl Into<String>, message: impl Into<String>) -> Outcome {
        Outcome {
            status: Status::Pass,
            pointer: Some(pointer.into()),
            message: message.into(),
        }
    }

    pub fn with_status(
        status: Status,
        pointer: Option<String>,
        message: impl Into<String>,
    ) -> Outcome {
        Outcome {
            status,
            pointer,
            message: message.into(),
        }
    }
}

/// How a check is run.
#[derive(Clone, Copy, Debug)]
pub enum Runner {
    /// Once per workload controller.
    Workload(fn(&Context<'_>, &Workload, &Object) -> Vec<Outcome>),
    /// Once per object of the listed kinds.
    Objects {
        kinds: &'static [&'static str],
        /// `None` when the check does not apply to this object (no result at all).
        run: fn(&Context<'_>, &Object) -> Option<Vec<Outcome>>,
    },
    /// Once per scan of a cluster snapshot, over its AWS documents (and the Kubernetes objects
    /// of `kinds`, for checks that join the two): one outcome per AWS resource, node or
    /// setting. Not run when the input is not a snapshot.
    Cluster {
        kinds: &'static [&'static str],
        run: fn(&Context<'_>, &Snapshot) -> Vec<ResourceOutcome>,
    },
}

/// The AWS resource (or node) a cluster-level outcome is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resource {
    /// `EKSCluster`, `Nodegroup`, `Addon`, `AccessEntry`, `VpcEndpoint`, `Node`, …
    pub kind: &'static str,
    pub name: String,
    pub arn: Option<String>,
    /// The snapshot file the facts come from, relative to the snapshot root.
    pub file: String,
}

impl Resource {
    pub fn new(kind: &'static str, name: impl Into<String>, file: impl Into<String>) -> Resource {
        Resource {
            kind,
            name: name.into(),
            arn: None,
            file: file.into(),
        }
    }

    pub fn with_arn(mut self, arn: Option<&str>) -> Resource {
        self.arn = arn.map(str::to_string);
        self
    }
}

/// One result of a cluster-level check about one resource. Unlike object checks, a cluster
/// check states PASS explicitly: no outcomes at all means the check did not apply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceOutcome {
    pub resource: Resource,
    pub outcome: Outcome,
}

impl ResourceOutcome {
    pub fn new(resource: &Resource, outcome: Outcome) -> ResourceOutcome {
        ResourceOutcome {
            resource: resource.clone(),
            outcome,
        }
    }
}

/// A check: its metadata and how to run it.
#[derive(Debug)]
pub struct Check {
    pub meta: &'static CheckMeta,
    pub runner: Runner,
}

/// Kinds the inventory reads beyond what checks declare: its indexes of namespaces, service
/// accounts and RBAC objects serve checks about other objects.
const CONTEXT_KINDS: &[&str] = &[
    "Namespace",
    "ServiceAccount",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
];

/// The kinds whose bodies `checks` read: every other kind can be loaded for its identity alone.
pub fn kinds_read(checks: &[&Check]) -> Vec<String> {
    let mut kinds: Vec<String> = CONTEXT_KINDS.iter().map(|kind| kind.to_string()).collect();
    for check in checks {
        match check.runner {
            Runner::Workload(_) => kinds.extend(
                garrison_core::workload::POD_SPEC_POINTERS
                    .iter()
                    .map(|(kind, _)| kind.to_string()),
            ),
            Runner::Objects { kinds: read, .. } | Runner::Cluster { kinds: read, .. } => {
                kinds.extend(read.iter().map(|kind| kind.to_string()))
            }
        }
    }
    kinds.sort();
    kinds.dedup();
    kinds
}

/// A result, with the line of its field and its suppression once resolved.
struct Raw {
    check: &'static CheckMeta,
    object: usize,
    outcome: Outcome,
    /// Line of the outcome's field; set by the per-object pass of [`run_checks`].
    line: u32,
    /// Why the result is suppressed; set by the per-object pass of [`run_checks`].
    suppressed: Option<String>,
}

/// Runs `checks` over the inventory. Findings come sorted: most severe first, then by check and
/// object, so every output format is deterministic.
pub fn run_checks(inventory: &Inventory, config: &Config, checks: &[&Check]) -> Vec<Finding> {
    run_checks_with(inventory, config, checks, true).findings
}

/// What [`run_checks_with`] found.
#[derive(Debug, Default)]
pub struct CheckRun {
    /// Sorted: most severe first, then by check and object.
    pub findings: Vec<Finding>,
    /// PASS results counted rather than listed.
    pub passes: PassTally,
    /// Workloads whose pod spec could not be decoded (a field of the wrong type), in the order
    /// of their files and lines: their pod-spec checks did not run.
    pub diagnostics: Vec<garrison_core::Diagnostic>,
}

/// PASS results counted rather than listed (see [`run_checks_with`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PassTally {
    pub passed: usize,
    pub suppressed: usize,
}

/// [`run_checks`], listing PASS results only when `list_passed`; otherwise they are only counted.
/// A large cluster has several PASS results per object, most of the memory of a scan.
pub fn run_checks_with(
    inventory: &Inventory,
    config: &Config,
    checks: &[&Check],
    list_passed: bool,
) -> CheckRun {
    let shared = Shared::default();
    let context = Context {
        inventory,
        config,
        shared: &shared,
    };
    let enabled: Vec<&Check> = checks
        .iter()
        .copied()
        .filter(|check| {
            !config.disabled_checks.iter().any(|disabled| {
                disabled.eq_ignore_ascii_case(check.meta.id) || disabled == check.meta.name
            })
        })
        .collect();
    let workload_checks: Vec<_> = enabled
        .iter()
        .filter_map(|check| match check.runner {
            Runner::Workload(run) => Some((check.meta, run)),
            Runner::Objects { .. } | Runner::Cluster { .. } => None,
        })
        .collect();
    let object_checks: Vec<_> = enabled
        .iter()
        .filter_map(|check| match check.runner {
            Runner::Objects { kinds, run } => Some((check.meta, kinds, run)),
            Runner::Workload(_) | Runner::Cluster { .. } => None,
        })
        .collect();

    // PASS results that are not listed are counted where they are produced, per object, rather
    // than kept until the end: a large cluster has several per object.
    let passed = std::sync::atomic::AtomicUsize::new(0);
    let passed_suppressed = std::sync::atomic::AtomicUsize::new(0);
    let keep = |object: &Object, results: Vec<Raw>| -> Vec<Raw> {
        if list_passed
            || results
                .iter()
                .all(|item| item.outcome.status != Status::Pass)
        {
            return results;
        }
        let annotation = object.annotation(IGNORE_ANNOTATION);
        let (mut open, mut suppressed) = (0, 0);
        let kept = results
            .into_iter()
            .filter(|item| {
                if item.outcome.status != Status::Pass {
                    return true;
                }
                match suppression(config, item.check, object, annotation) {
                    Some(_) => suppressed += 1,
                    None => open += 1,
                }
                false
            })
            .collect();
        passed.fetch_add(open, std::sync::atomic::Ordering::Relaxed);
        passed_suppressed.fetch_add(suppressed, std::sync::atomic::Ordering::Relaxed);
        kept
    };
    // Each workload's pod spec is decoded here, checked, and dropped.
    let decode_errors = std::sync::Mutex::new(Vec::new());
    let mut raw: Vec<Raw> = if workload_checks.is_empty() {
        Vec::new()
    } else {
        inventory
            .workloads
            .par_iter()
            .flat_map_iter(|entry| {
                let object = inventory.entry_object(entry);
                let workload = match inventory.decode(entry) {
                    Ok(workload) => workload,
                    Err(diagnostic) => {
                        if let Ok(mut errors) = decode_errors.lock() {
                            errors.push(diagnostic);
                        }
                        return Vec::new();
                    }
                };
                let results = workload_checks
                    .iter()
                    .flat_map(|(meta, run)| {
                        expand(meta, workload.object, run(&context, &workload, object))
                    })
                    .collect::<Vec<_>>();
                keep(object, results)
            })
            .collect()
    };
    raw.par_extend(
        inventory
            .objects
            .par_iter()
            .enumerate()
            .flat_map_iter(|(index, object)| {
                let results = object_checks
                    .iter()
                    .filter(|(_, kinds, _)| kinds.contains(&object.kind.as_str()))
                    .filter_map(move |(meta, _, run)| {
                        run(&context, object).map(|outcomes| expand(meta, index, outcomes))
                    })
                    .flatten()
                    .collect::<Vec<_>>();
                keep(object, results)
            }),
    );

    // Resolve lines and suppressions per object, parsing each failing object's text and reading
    // its ignore annotation once. A stable sort by object groups each object's results and keeps
    // them in the order the checks produced them.
    raw.par_sort_unstable_by_key(|item| item.object);
    raw.par_chunk_by_mut(|a, b| a.object == b.object)
        .for_each(|items| {
            let Some(first) = items.first() else {
                return;
            };
            let object = &inventory.objects[first.object];
            let lines = {
                let pointers: Vec<&str> = items
                    .iter()
                    .filter(|item| item.outcome.status != Status::Pass)
                    .filter_map(|item| item.outcome.pointer.as_deref())
                    .collect();
                object.origin.lines_of(&pointers)
            };
            let annotation = object.annotation(IGNORE_ANNOTATION);
            for item in items.iter_mut() {
                item.line = item
                    .outcome
                    .pointer
                    .as_deref()
                    .and_then(|pointer| lines.get(pointer).copied())
                    .unwrap_or(object.origin.line);
                item.suppressed = suppression(config, item.check, object, annotation);
            }
        });

    // Sort before building findings, comparing integers where possible: objects are ranked once
    // by (namespace, kind, name) rather than comparing those strings for every pair of findings
    // (at 100,000 objects the string comparisons were most of the time of the sort). The order
    // is the same as sorting the findings by severity, status, check id, namespace, kind, name,
    // pointer, source file, line and message.
    let ranks = object_ranks(&inventory.objects);
    raw.par_sort_by(|a, b| {
        b.check
            .severity
            .cmp(&a.check.severity)
            .then_with(|| a.outcome.status.cmp(&b.outcome.status))
            .then_with(|| {
                if std::ptr::eq(a.check, b.check) {
                    Ordering::Equal
                } else {
                    a.check.id.cmp(b.check.id)
                }
            })
            .then_with(|| ranks[a.object].cmp(&ranks[b.object]))
            .then_with(|| a.outcome.pointer.cmp(&b.outcome.pointer))
            // Two files may define objects of the same name: order them by where they are
            // (`ObjectRef::source` is the object's file name).
            .then_with(|| {
                let (file_a, file_b) = (
                    &inventory.objects[a.object].origin.file.name,
                    &inventory.objects[b.object].origin.file.name,
                );
                file_a.cmp(file_b)
            })
            .then_with(|| a.line.cmp(&b.line))
            .then_with(|| a.outcome.message.cmp(&b.outcome.message))
    });

    let mut tally = PassTally {
        passed: passed.into_inner(),
        suppressed: passed_suppressed.into_inner(),
    };
    let cluster_results = run_cluster_checks(&context, &enabled);
    // One reference per object, shared by its findings (its strings are reference-counted).
    let mut references: Vec<Option<ObjectRef>> = vec![None; inventory.objects.len()];
    for item in &raw {
        if references[item.object].is_none() {
            references[item.object] = Some(inventory.objects[item.object].reference());
        }
    }
    let findings = raw
        .into_par_iter()
        .map(|item| {
            let object = references[item.object]
                .clone()
                .unwrap_or_else(|| inventory.objects[item.object].reference());
            Finding {
                check: item.check,
                status: item.outcome.status,
                object: ObjectRef {
                    line: Some(item.line),
                    ..object
                },
                pointer: item.outcome.pointer,
                message: item.outcome.message,
                suppressed: item.suppressed,
            }
        })
        .collect();
    let findings = merge_cluster_findings(findings, cluster_results, list_passed, &mut tally);
    let mut diagnostics = decode_errors.into_inner().unwrap_or_default();
    diagnostics.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    CheckRun {
        findings,
        passes: tally,
        diagnostics,
    }
}

/// Runs the cluster-level checks over the inventory's snapshot, if it has one. Results come
/// sorted as [`run_checks`] sorts findings.
fn run_cluster_checks(context: &Context<'_>, enabled: &[&Check]) -> Vec<Finding> {
    let Some(snapshot) = &context.inventory.snapshot else {
        return Vec::new();
    };
    let checks: Vec<_> = enabled
        .iter()
        .filter_map(|check| match check.runner {
            Runner::Cluster { run, .. } => Some((check.meta, run)),
            _ => None,
        })
        .collect();
    let root = snapshot.root.trim_end_matches('/');
    let mut findings: Vec<Finding> = checks
        .par_iter()
        .flat_map_iter(|(meta, run)| {
            run(context, snapshot).into_iter().map(move |result| {
                let resource = result.resource;
                let suppressed = context
                    .config
                    .ignore
                    .iter()
                    .find(|rule| {
                        [meta.id, meta.name]
                            .iter()
                            .any(|id| rule.matches(id, None, resource.kind, &resource.name))
                    })
                    .map(|rule| format!("config: {}", rule.reason));
                Finding {
                    check: meta,
                    status: result.outcome.status,
                    object: ObjectRef {
                        kind: Arc::from(resource.kind),
                        namespace: None,
                        name: Arc::from(resource.name.as_str()),
                        arn: resource.arn.as_deref().map(Arc::from),
                        source: Some(Arc::from(source_of(root, &resource.file).as_str())),
                        line: None,
                    },
                    pointer: result.outcome.pointer,
                    message: result.outcome.message,
                    suppressed,
                }
            })
        })
        .collect();
    findings.sort_by(|a, b| {
        cluster_order(a, b)
            .then_with(|| a.object.kind.cmp(&b.object.kind))
            .then_with(|| a.object.name.cmp(&b.object.name))
            .then_with(|| a.pointer.cmp(&b.pointer))
            .then_with(|| a.message.cmp(&b.message))
    });
    findings
}

/// Where a cluster-level result's facts come from: a file below the snapshot root, or the
/// file of a Kubernetes object, which already names the root.
fn source_of(root: &str, file: &str) -> String {
    if root.is_empty() || file.starts_with(root) {
        file.to_string()
    } else {
        format!("{root}/{file}")
    }
}

/// The leading keys of the findings' order: severity (most severe first), status, check id.
fn cluster_order(a: &Finding, b: &Finding) -> Ordering {
    b.check
        .severity
        .cmp(&a.check.severity)
        .then_with(|| a.status.cmp(&b.status))
        .then_with(|| a.check.id.cmp(b.check.id))
}

/// Merges the sorted cluster-level findings into the sorted object findings (both are ordered
/// by severity, status and check id first; a check is of one kind, so the merge keeps the
/// order), counting rather than listing PASS results unless `list_passed`.
fn merge_cluster_findings(
    findings: Vec<Finding>,
    cluster: Vec<Finding>,
    list_passed: bool,
    tally: &mut PassTally,
) -> Vec<Finding> {
    if cluster.is_empty() {
        return findings;
    }
    let mut cluster_kept = Vec::with_capacity(cluster.len());
    for finding in cluster {
        if !list_passed && finding.status == Status::Pass {
            match finding.suppressed {
                Some(_) => tally.suppressed += 1,
                None => tally.passed += 1,
            }
        } else {
            cluster_kept.push(finding);
        }
    }
    let mut merged = Vec::with_capacity(findings.len() + cluster_kept.len());
    let mut left = findings.into_iter().peekable();
    let mut right = cluster_kept.into_iter().peekable();
    loop {
        let take_left = match (left.peek(), right.peek()) {
            (Some(a), Some(b)) => cluster_order(a, b) != Ordering::Greater,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => break,
        };
        let next = if take_left { left.next() } else { right.next() };
        merged.extend(next);
    }
    merged
}

/// Dense ranks of the objects by (namespace, kind, name): objects with equal keys get equal
/// ranks, and ranks compare as the keys do.
fn object_ranks(objects: &[Object]) -> Vec<u32> {
    let key = |index: usize| {
        let object = &objects[index];
        (
            object.namespace.as_deref(),
            object.kind.as_str(),
            object.name.as_str(),
        )
    };
    let mut order: Vec<usize> = (0..objects.len()).collect();
    order.par_sort_unstable_by(|&a, &b| key(a).cmp(&key(b)));
    let mut ranks = vec![0u32; objects.len()];
    let mut rank = 0u32;
    let mut previous: Option<usize> = None;
    for &index in &order {
        if previous.is_some_and(|previous| key(previous) != key(index)) {
            rank += 1;
        }
        ranks[index] = rank;
        previous = Some(index);
    }
    ranks
}

fn expand(meta: &'static CheckMeta, object: usize, outcomes: Vec<Outcome>) -> Vec<Raw> {
    if outcomes.is_empty() {
        return vec![Raw {
            check: meta,
            object,
            outcome: Outcome::with_status(Status::Pass, None, "no problem found"),
            line: 0,
            suppressed: None,
        }];
    }
    outcomes
        .into_iter()
        .map(|outcome| Raw {
            check: meta,
            object,
            outcome,
            line: 0,
            suppressed: None,
        })
        .collect()
}

/// The annotation that suppresses checks on one object.
pub const IGNORE_ANNOTATION: &str = "garrison.dev/ignore";

/// Why a finding about `object` is suppressed, if it is: the object's `garrison.dev/ignore`
/// annotation, a `[[ignore]]` rule of the config file, or the EKS-managed allow-list (workloads
/// in EKS-managed namespaces, RBAC objects with `system:`/`eks:` names). Configuration the user
/// owns, such as `kube-system/aws-auth`, is never allow-listed. `annotation` is the object's
/// [`IGNORE_ANNOTATION`], looked up once per object by the caller.
fn suppression(
    config: &Config,
    check: &CheckMeta,
    object: &Object,
    annotation: Option<&str>,
) -> Option<String> {
    if let Some(annotation) = annotation {
        for clause in annotation.split(';') {
            let (ids, reason) = clause.split_once(':').unwrap_or((clause, ""));
            let named = ids
                .split(',')
                .map(str::trim)
                .any(|id| id == "*" || id.eq_ignore_ascii_case(check.id) || id == check.name);
            if named {
                let reason = reason.trim();
                return Some(if reason.is_empty() {
                    format!("{IGNORE_ANNOTATION} annotation (no reason given)")
                } else {
                    format!("{IGNORE_ANNOTATION}: {reason}")
                });
            }
        }
    }
    if let Some(rule) = config.ignore.iter().find(|rule| {
        rule.matches(
            check.id,
            object.namespace.as_deref(),
            &object.kind,
            &object.name,
        ) || rule.matches(
            check.name,
            object.namespace.as_deref(),
            &object.kind,
            &object.name,
        )
    }) {
        return Some(format!("config: {}", rule.reason));
    }
    let is_workload = garrison_core::workload::pod_spec_pointer(&object.kind).is_some();
    if is_workload && config.is_managed_namespace(object.namespace.as_deref()) {
        return Some(format!(
            "EKS-managed namespace {} (allow-list; override with [eks-managed] in garrison.toml)",
            object.namespace.as_deref().unwrap_or_default()
        ));
    }
    let is_rbac = matches!(
        object.kind.as_str(),
        "ClusterRole" | "ClusterRoleBinding" | "Role" | "RoleBinding"
    );
    if is_rbac && config.is_managed_rbac_name(&object.name) {
        return Some(format!(
            "Kubernetes/EKS-managed RBAC object {} (allow-list; override with [eks-managed] in garrison.toml)",
            object.name
        ));
    }
    None
}
