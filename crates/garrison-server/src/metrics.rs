//! Prometheus metrics of the authorization webhook. Durations are in microseconds: a Cedar
//! decision takes a few, so second-scale buckets (the Go prototype's, from 0.25 s) say nothing.

use std::sync::atomic::AtomicU64;
use std::time::Duration;

use garrison_cedar::Decision;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DecisionLabel {
    decision: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ResultLabel {
    result: &'static str,
}

/// The webhook's metrics and their registry.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    decisions: Family<DecisionLabel, Counter>,
    duration: Family<DecisionLabel, Histogram>,
    reloads: Family<ResultLabel, Counter>,
    policies: Gauge<i64, std::sync::atomic::AtomicI64>,
    invalid: Counter<u64, AtomicU64>,
}

fn duration_histogram() -> Histogram {
    // 1 µs to about 16 ms.
    Histogram::new(exponential_buckets(1.0, 2.0, 15))
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("garrison_authz");
        let decisions = Family::<DecisionLabel, Counter>::default();
        let duration = Family::<DecisionLabel, Histogram>::new_with_constructor(
            duration_histogram as fn() -> Histogram,
        );
        let reloads = Family::<ResultLabel, Counter>::default();
        let policies = Gauge::default();
        let invalid = Counter::default();
        registry.register(
            "decisions",
            "SubjectAccessReviews answered, by decision",
            decisions.clone(),
        );
        registry.register(
            "decision_duration_microseconds",
            "Time from reading a SubjectAccessReview to its decision, in microseconds",
            duration.clone(),
        );
        registry.register(
            "policy_reloads",
            "Policy set loads, by result; a failed load keeps the previous set",
            reloads.clone(),
        );
        registry.register("policies", "Policies in force", policies.clone());
        registry.register(
            "invalid_requests",
            "Requests that were not a readable SubjectAccessReview",
            invalid.clone(),
        );
        Metrics {
            registry,
            decisions,
            duration,
            reloads,
            policies,
            invalid,
        }
    }

    pub fn decision(&self, decision: Decision, elapsed: Duration) {
        let label = DecisionLabel {
            decision: decision.as_str(),
        };
        self.decisions.get_or_create(&label).inc();
        self.duration
            .get_or_create(&label)
            .observe(elapsed.as_secs_f64() * 1e6);
    }

    pub fn reload(&self, success: bool) {
        let result = if success { "success" } else { "failure" };
        self.reloads.get_or_create(&ResultLabel { result }).inc();
    }

    pub fn policies_loaded(&self, count: usize) {
        self.policies.set(i64::try_from(count).unwrap_or(i64::MAX));
    }

    pub fn invalid_request(&self) {
        self.invalid.inc();
    }

    /// The OpenMetrics text of every metric.
    pub fn encode(&self) -> Result<String, std::fmt::Error> {
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)?;
        Ok(text)
    }
}
