//! Cedar authorization for Kubernetes.
//!
//! One schema ([`schema`]) for the requests the API server asks an authorization webhook about;
//! a SubjectAccessReview as a request ([`request`]) and as Cedar entities ([`entities`]); policy
//! files validated strictly against the schema ([`policies`]); decisions with "no opinion" for
//! what no policy covers ([`authorizer`]); RBAC objects converted to policies with exactly
//! RBAC's semantics ([`convert`]); and audit events turned back into requests ([`audit`]) so
//! that a policy set can be tried on what a cluster really did ([`replay`]).

pub mod admission;
pub mod audit;
pub mod authorizer;
pub mod convert;
pub mod entities;
pub mod generate;
pub mod policies;
pub mod replay;
pub mod request;
pub mod schema;

pub use authorizer::{Answer, Bypass, Decision, Engine};
pub use policies::{Policies, PolicyError, PolicyInfo};
pub use request::{AccessRequest, RequestError, Target, UserInfo};
