//! garrison's HTTPS webhooks. [`tls`] is the plumbing any webhook reuses (rustls from PEM
//! files, client-certificate authentication, graceful shutdown, a plain metrics listener);
//! [`authorize`] is the Cedar authorization webhook; [`metrics`] its Prometheus metrics.

pub mod authorize;
pub mod metrics;
pub mod tls;
