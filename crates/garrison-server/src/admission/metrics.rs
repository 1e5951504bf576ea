//! Prometheus metrics of the admission webhook, durations in microseconds.

use std::sync::atomic::{AtomicI64, AtomicU64};
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReviewLabel {
    decision: &'static str,
    /// Which rule decided: pod-security, cedar, images, or none.
    rule: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DecisionLabel {
    decision: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ResultLabel {
    result: &'static str,
}

#[derive(Debug)]
pub struct AdmissionMetrics {
    registry: Registry,
    reviews: Family<ReviewLabel, Counter>,
    duration: Family<DecisionLabel, Histogram>,
    invalid: Counter<u64, AtomicU64>,
    reloads: Family<ResultLabel, Counter>,
    policies: Gauge<i64, AtomicI64>,
}

fn duration_histogram() -> Histogram {
    // 1 µs to about 16 ms.
    Histogram::new(exponential_buckets(1.0, 2.0, 15))
}

impl Default for AdmissionMetrics {
    fn default() -> Self {
        AdmissionMetrics::new()
    }
}

impl AdmissionMetrics {
    pub fn new() -> AdmissionMetrics {
        let mut registry = Registry::with_prefix("garrison_admission");
        let reviews = Family::<ReviewLabel, Counter>::default();
        let duration = Family::<DecisionLabel, Histogram>::new_with_constructor(
            duration_histogram as fn() -> Histogram,
        );
        let invalid = Counter::default();
        let reloads = Family::<ResultLabel, Counter>::default();
        let policies = Gauge::default();
        registry.register(
            "reviews",
            "AdmissionReviews answered, by decision and the rule that decided",
            reviews.clone(),
        );
        registry.register(
            "review_duration_microseconds",
            "Time from reading an AdmissionReview to its answer, in microseconds",
            duration.clone(),
        );
        registry.register(
            "invalid_requests",
            "Requests that were not a readable AdmissionReview (answered 400, 413 or 415)",
            invalid.clone(),
        );
        registry.register(
            "policy_reloads",
            "Cedar policy and namespace reloads, by result; a failed load keeps the previous set",
            reloads.clone(),
        );
        registry.register(
            "policies",
            "Cedar admission policies in force",
            policies.clone(),
        );
        AdmissionMetrics {
            registry,
            reviews,
            duration,
            invalid,
            reloads,
            policies,
        }
    }

    pub fn review(&self, allowed: bool, rule: &'static str, elapsed: Duration) {
        let decision = if allowed { "allow" } else { "deny" };
        self.reviews
            .get_or_create(&ReviewLabel { decision, rule })
            .inc();
        self.duration
            .get_or_create(&DecisionLabel { decision })
            .observe(elapsed.as_secs_f64() * 1e6);
    }

    pub fn invalid_request(&self) {
        self.invalid.inc();
    }

    pub fn reload(&self, success: bool) {
        let result = if success { "success" } else { "failure" };
        self.reloads.get_or_create(&ResultLabel { result }).inc();
    }

    pub fn policies_loaded(&self, count: usize) {
        self.policies.set(i64::try_from(count).unwrap_or(i64::MAX));
    }

    pub fn encode(&self) -> Result<String, std::fmt::Error> {
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)?;
        Ok(text)
    }
}
