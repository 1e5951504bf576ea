//! Targets over garrison-audit: audit log lines, EventLists, CloudWatch exports and CloudTrail
//! records, through the streaming reader and every detector. Replayed by
//! `crates/garrison-audit/tests/fuzz_regressions.rs`, which includes this file.

use garrison_audit::engine::Origin;
use garrison_audit::event::{AuditEvent, CloudTrailRecord};
use garrison_audit::reader::{Sink, read_stream};
use garrison_audit::{Config, ConfigFile, DETECTORS, Engine};
use garrison_core::Diagnostic;

/// Hands every record to the engine, as `garrison audit` does.
struct Detect<'c> {
    engine: Engine<'c>,
    problems: usize,
}

impl Sink for Detect<'_> {
    fn audit(&mut self, event: &AuditEvent<'_>, origin: &Origin) {
        self.engine.audit(event, origin);
    }

    fn cloudtrail(&mut self, record: &CloudTrailRecord<'_>, origin: &Origin) {
        self.engine.cloudtrail(record, origin);
    }

    fn problem(&mut self, diagnostic: Diagnostic) {
        std::hint::black_box(diagnostic.to_string());
        self.problems += 1;
    }
}

/// `audit_events`: the input as an audit input file (JSON lines of events, an EventList, a
/// CloudWatch export, `filter-log-events` output, a CloudTrail file; gzip too) → the reader →
/// every detector, with every optional detector switched on, twice: the defaults and a
/// configuration with allow-lists.
pub fn audit_events(data: &[u8]) {
    let configs = [
        Config::with(ConfigFile {
            activity_events: Some(true),
            all_events: Some(true),
            full_admin_access: Some(true),
            ..ConfigFile::default()
        }),
        Config::with(ConfigFile {
            allowed_users: vec!["alice".to_string()],
            allowed_namespaces: vec!["team-*".to_string()],
            trusted_images: vec!["registry.k8s.io/pause".to_string()],
            known_service_accounts: vec!["kube-system:coredns".to_string()],
            allowed_images: Some(vec!["public.ecr.aws/*".to_string()]),
            allowed_nodes: Some(vec!["ip-10-0-0-1".to_string()]),
            activity_events: Some(true),
            all_events: Some(false),
            full_admin_access: Some(false),
            // Small windows and a small principal bound, so the stateful detectors fire and
            // evict within one input.
            secrets_namespaces: Some(2),
            secrets_window_seconds: Some(60),
            forbidden_burst: Some(2),
            forbidden_window_seconds: Some(60),
            max_principals: Some(4),
        }),
    ];
    for config in &configs {
        let mut sink = Detect {
            engine: Engine::new(DETECTORS.to_vec(), config),
            problems: 0,
        };
        read_stream("fuzz.log", Box::new(data), false, &mut sink);
        for finding in &sink.engine.findings {
            std::hint::black_box(&finding.message);
        }
        std::hint::black_box((
            sink.engine.events,
            sink.engine.cloudtrail_records,
            sink.problems,
        ));
    }
}
