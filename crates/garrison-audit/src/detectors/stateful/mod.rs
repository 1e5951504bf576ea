//! garrison's own detectors over time windows: they keep per-principal state across events
//! (bounded by `max_principals`, see [`crate::principals`]) and judge a sequence of requests
//! rather than one. The windows and thresholds are configurable (`[audit]` settings).

pub mod first_exec_by_principal;
pub mod forbidden_burst_then_success;
pub mod secrets_read_across_namespaces;

/// Seconds to microseconds, saturating.
pub(crate) fn micros(seconds: u64) -> i64 {
    i64::try_from(seconds)
        .unwrap_or(i64::MAX)
        .saturating_mul(1_000_000)
}
