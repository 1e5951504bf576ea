//! kubelet checks: each judges one field of every node's live configuration (`configz`).
pub mod anonymous_auth;
pub mod authorization_mode;
pub mod certificate_rotation;
pub mod client_ca_file;
pub mod event_record_qps;
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
