//! garrison's HTTPS webhooks. [`tls`] is the plumbing any webhook reuses (rustls from PEM
//! files, client-certificate authentication, graceful shutdown, a plain metrics listener);
//! [`admission`] is the validating admission webhook (Pod Security admission, Cedar admission
//! policies, image rules); [`audit`] is the audit webhook backend (`garrison audit serve`);
//! [`authorize`] is the Cedar authorization webhook; [`metrics`] its Prometheus metrics;
//! [`probes`] the metrics, health and readiness routes and listener binding all three share;
//! `loadgen` (feature `loadgen`) the load generator and soak harness of the examples and the CLI
//! soak tests.

pub mod admission;
pub mod audit;
pub mod authorize;
#[cfg(feature = "loadgen")]
pub mod loadgen;
pub mod metrics;
pub mod probes;
pub mod tls;
