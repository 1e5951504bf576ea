/// Declares a detector; the doc comment above it becomes its documentation (the sections
/// `## What it does`, `## Why it matters`, `## How to fix`, `## References`, as for checks).
macro_rules! detector {
    (
        $(#[doc = $doc:literal])*
        pub static $static:ident = {
            id: $id:literal,
            name: $name:literal,
            title: $title:literal,
            severity: $severity:ident,
            family: $family:ident,
            remediation: $remediation:literal,
            run: $kind:ident($run:expr) $(,)?
        };
    ) => {
        $(#[doc = $doc])*
        pub static $static: $crate::engine::Detector = $crate::engine::Detector {
            meta: &garrison_core::CheckMeta {
                id: $id,
                name: $name,
                title: $title,
                severity: garrison_core::Severity::$severity,
                level: garrison_core::Level::Cluster,
                control: garrison_core::SeedControl::AuditLoggingAndMonitoring,
                cis: None,
                security_hub: None,
                pss: None,
                remediation: $remediation,
                doc: concat!($($doc, "\n"),*),
            },
            family: $crate::engine::Family::$family,
            run: $crate::engine::Run::$kind($run),
        };
    };
}
