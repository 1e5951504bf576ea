//! `garrison netpol flows`: Amazon VPC flow logs against NetworkPolicy intent.
//!
//! [`reader`] streams records out of flow-log files; [`attribute`] says whose each address is;
//! [`analyse`] finds accepted flows the policies deny, pod traffic to the instance metadata
//! service, top talkers, the communication graph and unattributed addresses; [`report`] writes
//! them.

pub mod analyse;
pub mod attribute;
pub mod reader;
pub mod report;

pub use analyse::{Analysis, FlowReport};
pub use attribute::{Attribution, Cidr, Endpoint};
pub use reader::{FlowRecord, Format, Sink, read_inputs, read_stream};
