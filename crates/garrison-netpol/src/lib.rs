//! NetworkPolicy analysis: which workloads can talk to which, and why.
//!
//! [`model::Cluster`] turns loaded objects into namespaces, pods (one per workload) and policies
//! with the API server's defaults applied; [`eval::Analyzer`] answers what is allowed between two
//! peers under NetworkPolicy v1, AdminNetworkPolicy and BaselineAdminNetworkPolicy semantics;
//! [`output`] writes connectivity lists in netpol-analyzer's formats; [`coverage`] finds gaps;
//! [`flows`] holds VPC flow logs against the policies.

pub mod conn;
pub mod coverage;
pub mod diff;
pub mod eval;
pub mod exposure;
pub mod flows;
pub mod ingress;
pub mod model;
pub mod networks;
pub mod output;
pub mod selector;

pub use conn::{ConnSet, Protocol};
pub use eval::{Analyzer, Connection, Direction, Peer};
pub use model::Cluster;
