//! `garrison audit`: threat detection over Kubernetes audit logs and CloudTrail records of the
//! EKS API. Readers stream records in constant memory ([`reader`]); detectors, one file each
//! ([`detectors`]), mirror Falco's k8saudit rules, GuardDuty's EKS audit-log finding types and
//! EKS API changes seen in CloudTrail; their findings use garrison's report model.

#[macro_use]
mod macros;

pub mod detectors;
pub mod docs;
pub mod engine;
pub mod event;
pub mod principals;
pub mod reader;
pub mod registry;
pub mod rules;
pub mod scan;

pub use engine::{Config, ConfigFile, Detector, Engine, Family, Origin};
pub use registry::DETECTORS;

/// The detector with this id or name.
pub fn find_detector(id: &str) -> Option<&'static Detector> {
    DETECTORS
        .iter()
        .copied()
        .find(|detector| detector.meta.id.eq_ignore_ascii_case(id) || detector.meta.name == id)
}
