//! The bodies of the fuzz targets, shared with the regression test that replays every input the
//! fuzzer ever crashed on (`crates/garrison-checks/tests/fuzz_regressions.rs` includes this file
//! as a module), so that a fixed crash stays fixed under `cargo test`.
//!
//! Each function takes the raw input and must not panic, whatever the input.

use garrison_checks::pss::{PssLevel, PssPolicy, PssVersion, evaluate_object};
use garrison_checks::{CHECKS, Check, run_checks};
use garrison_core::{Config, Inventory};

/// `pss_pod`: the input as a YAML file → every object with a pod spec judged at baseline and
/// restricted, at `latest` and at `v1.0`..`v1.40` picked by the first input byte (versions past
/// the newest policy version must clamp), and the API server's message for each verdict.
pub fn pss_pod(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let minor = u32::from(data.first().copied().unwrap_or(0)) % 41;
    let versions = [PssVersion::LATEST, PssVersion::v1(minor)];
    let loaded = garrison_core::loader::load_text("fuzz.yaml", text);
    for object in &loaded.objects {
        for level in [PssLevel::Baseline, PssLevel::Restricted] {
            for version in versions {
                // `None`: no pod spec; `Err`: a mistyped field. Both are fine; a panic is not.
                let Some(Ok(verdict)) = evaluate_object(level, version, object) else {
                    continue;
                };
                let message = verdict.message(PssPolicy { level, version });
                assert_eq!(
                    message.is_none(),
                    verdict.allowed(),
                    "a message exactly when forbidden"
                );
                std::hint::black_box(message);
            }
        }
    }
}

/// `manifest_loader`: the input as a YAML file and, separately, as a JSON file → loader →
/// inventory → every check in the catalogue. `run_checks` resolves each finding's line through
/// `Origin::line_of`, so both the YAML line tables and the JSON text scan run too.
pub fn manifest_loader(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let checks: Vec<&Check> = CHECKS.iter().collect();
    let config = Config::default();
    for name in ["fuzz.yaml", "fuzz.json"] {
        let loaded = garrison_core::loader::load_text(name, text);
        for diagnostic in &loaded.diagnostics {
            std::hint::black_box(diagnostic.to_string());
        }
        let inventory = Inventory::new(loaded);
        let findings = run_checks(&inventory, &config, &checks);
        std::hint::black_box(findings);
    }
}
