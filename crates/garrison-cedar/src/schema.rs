//! The one Cedar schema of garrison's Kubernetes authorizer, shipped as
//! `schema/k8s.cedarschema` and embedded here.

pub use cedar_policy::Schema;

/// The schema's text.
pub const SCHEMA_TEXT: &str = include_str!("../schema/k8s.cedarschema");

/// The embedded schema does not parse: a build defect, reported rather than panicking.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("the embedded Cedar schema does not parse: {0}")]
pub struct SchemaError(String);

/// The schema, parsed.
pub fn schema() -> Result<Schema, SchemaError> {
    Schema::from_cedarschema_str(SCHEMA_TEXT)
        .map(|(schema, _warnings)| schema)
        .map_err(|error| SchemaError(format!("{:?}", miette::Report::new(error))))
}
