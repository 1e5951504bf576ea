//! kubelet checks: each judges one field of every node's live configuration (`configz`), or
//! (CIS 3.1.x) the node's kube-bench report on the kubelet's files.
pub mod anonymous_auth;
pub mod authorization_mode;
pub mod certificate_rotation;
pub mod client_ca_file;
pub mod event_record_qps;
pub mod file_ownership;
pub mod file_permissions;
pub mod iptables_util_chains;
pub mod read_only_port;
pub mod server_certificate_rotation;
pub mod streaming_timeout;
pub mod tls_ciphers;

use garrison_core::aws::kubelet::KubeletConfig;
use garrison_core::{Snapshot, Status};

use crate::checks::aws::result;
use crate::engine::{Context, ResourceOutcome};

/// Runs `judge` over the live kubelet configuration of every Node (`configz`), UNKNOWN for a
/// node whose configuration was not collected.
pub(super) fn each_node(
    context: &Context<'_>,
    snapshot: &Snapshot,
    judge: impl Fn(&KubeletConfig) -> (Status, &'static str, String),
) -> Vec<ResourceOutcome> {
    let mut names: Vec<String> = context
        .inventory
        .objects
        .iter()
        .filter(|o| o.kind == "Node")
        .map(|o| o.name.clone())
        .collect();
    names.extend(snapshot.node_configs.keys().cloned());
    names.sort();
    names.dedup();
    names
        .into_iter()
        .map(|node| {
            let file = format!("k8s/nodes/{node}.configz.json");
            let resource = crate::engine::Resource::new("Node", node.clone(), file.clone());
            match snapshot.kubelet_config(&node) {
                Ok(config) => {
                    let (status, field, message) = judge(&config);
                    result(
                        &resource,
                        status,
                        &format!("/kubeletconfig/{field}"),
                        message,
                    )
                }
                Err(missing) => {
                    let reason = match missing {
                        garrison_core::snapshot::Missing::NotCollected => {
                            format!("{file} was not collected (needs nodes/proxy GET)")
                        }
                        garrison_core::snapshot::Missing::Failed(error) => {
                            format!("{file} could not be collected: {error}")
                        }
                        garrison_core::snapshot::Missing::Invalid(error) => {
                            format!("{file} could not be read: {error}")
                        }
                    };
                    ResourceOutcome::new(
                        &resource,
                        crate::engine::Outcome::with_status(Status::Unknown, None, reason),
                    )
                }
            }
        })
        .collect()
}

/// Runs `judge` over kube-bench's results for benchmark tests `numbers` on every Node (Fargate
/// nodes, which kube-bench cannot run on, skipped): one result per node and test, UNKNOWN for a
/// node without a report or a report without the test.
pub(super) fn each_kube_bench_result(
    context: &Context<'_>,
    snapshot: &Snapshot,
    numbers: &[&str],
    what: &str,
) -> Vec<ResourceOutcome> {
    let mut names: Vec<String> = context
        .inventory
        .objects
        .iter()
        .filter(|o| {
            o.kind == "Node" && o.label("eks.amazonaws.com/compute-type") != Some("fargate")
        })
        .map(|o| o.name.clone())
        .collect();
    names.extend(snapshot.kube_bench.keys().cloned());
    names.sort();
    names.dedup();
    let mut results = Vec::new();
    for node in names {
        let file = format!("kube-bench/{node}.json");
        let resource = crate::engine::Resource::new("Node", node.clone(), file.clone());
        let unknown = |reason: String| {
            ResourceOutcome::new(
                &resource,
                crate::engine::Outcome::with_status(Status::Unknown, None, reason),
            )
        };
        let report = match snapshot.kube_bench_report(&node) {
            Ok(report) => report,
            Err(missing) => {
                results.push(unknown(match missing {
                    garrison_core::snapshot::Missing::NotCollected => format!(
                        "{file} was not collected: {what} can only be read on the node (run kube-bench as a Job, or `apiclient report cis` on Bottlerocket)"
                    ),
                    garrison_core::snapshot::Missing::Failed(error) => {
                        format!("{file} could not be collected: {error}")
                    }
                    garrison_core::snapshot::Missing::Invalid(error) => {
                        format!("{file} could not be read: {error}")
                    }
                }));
                continue;
            }
        };
        for number in numbers {
            let Some((pointer, found)) = report.result(number) else {
                results.push(unknown(format!("{file} has no result for CIS {number}")));
                continue;
            };
            let description = found.test_desc.as_deref().unwrap_or("");
            let actual = found
                .actual_value
                .as_deref()
                .map(str::trim)
                .filter(|value| !value.is_empty())
                .map(|value| format!(" (found: {value})"))
                .unwrap_or_default();
            let (status, verdict) = match found.status.as_deref() {
                Some("PASS") => (Status::Pass, "passes"),
                Some("FAIL") => (Status::Fail, "fails"),
                Some("WARN") => (Status::Warn, "needs review"),
                _ => (Status::Unknown, "has no verdict"),
            };
            results.push(result(
                &resource,
                status,
                &format!("{pointer}/status"),
                format!("CIS {number} {verdict}: {description}{actual}"),
            ));
        }
    }
    results
}
