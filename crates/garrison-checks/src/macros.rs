/// Declares a check's metadata; the doc comment above it becomes the check's documentation.
///
/// The doc comment must have the sections `## What it does`, `## Why it matters`, `## How to fix`
/// and `## References`; a test rejects a check without them.
macro_rules! declare_check {
    (
        $(#[doc = $doc:literal])*
        pub static $name:ident = CheckMeta { $($field:ident : $value:expr),* $(,)? };
    ) => {
        $(#[doc = $doc])*
        pub static $name: garrison_core::CheckMeta = garrison_core::CheckMeta {
            $($field: $value,)*
            doc: concat!($($doc, "\n"),*),
        };
    };
}
