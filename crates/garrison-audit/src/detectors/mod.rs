//! The detectors, by the source they mirror.

pub mod cloudtrail;
pub mod falco;
pub mod guardduty;
pub mod stateful;
