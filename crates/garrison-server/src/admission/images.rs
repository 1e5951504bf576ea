//! Image rules: registries that are allowed, and digests that are required. They judge every
//! container (init, regular and ephemeral) of a Pod, and of a workload's pod template, on create
//! and update; a violation denies the object with a message naming each container and image.

use garrison_core::config::RegistryPattern;
use garrison_core::ecr::ImageReference;
use serde_json::Value;

use super::review::{Operation, Request, Status, Verdict};

#[derive(Debug, Default)]
pub struct ImageRules {
    /// Empty: any registry.
    pub allowed_registries: Vec<RegistryPattern>,
    pub require_digest: bool,
}

/// The containers of any object with a pod spec, as `(kind, name, image)`.
fn containers(object: &Value, resource: &str) -> Vec<(&'static str, String, String)> {
    let spec = match resource {
        "pods" => object.get("spec"),
        "podtemplates" => object.pointer("/template/spec"),
        "cronjobs" => object.pointer("/spec/jobTemplate/spec/template/spec"),
        _ => object.pointer("/spec/template/spec"),
    };
    let mut out = Vec::new();
    let Some(spec) = spec else {
        return out;
    };
    for (field, kind) in [
        ("initContainers", "init container"),
        ("containers", "container"),
        ("ephemeralContainers", "ephemeral container"),
    ] {
        for container in spec
            .get(field)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let name = container.get("name").and_then(Value::as_str).unwrap_or("");
            let image = container.get("image").and_then(Value::as_str).unwrap_or("");
            out.push((kind, name.to_string(), image.to_string()));
        }
    }
    out
}

impl ImageRules {
    pub fn is_empty(&self) -> bool {
        self.allowed_registries.is_empty() && !self.require_digest
    }

    /// `None` when the rules have nothing to say; a denial naming every offending image else.
    /// `object` is the request's object, read once for all the rules that need it.
    pub fn validate(&self, request: &Request, object: Option<&Value>) -> Option<Verdict> {
        if self.is_empty()
            || !matches!(request.operation, Operation::Create | Operation::Update)
            || !(request.sub_resource.is_empty() || request.sub_resource == "ephemeralcontainers")
        {
            return None;
        }
        let mut problems = Vec::new();
        for (kind, name, image) in containers(object?, &request.resource.resource) {
            let reference = ImageReference::parse(&image);
            if !self.allowed_registries.is_empty()
                && !self
                    .allowed_registries
                    .iter()
                    .any(|pattern| pattern.matches(reference.registry, reference.repository))
            {
                problems.push(format!(
                    "{kind} {name:?} image {image:?} comes from registry {:?}, which is not allowed",
                    reference.registry
                ));
            }
            if self.require_digest && reference.digest.is_none() {
                problems.push(format!(
                    "{kind} {name:?} image {image:?} is not pinned by digest (@sha256:...)"
                ));
            }
        }
        if problems.is_empty() {
            return None;
        }
        Some(Verdict::deny(Status::new(
            403,
            "Forbidden",
            format!("denied by garrison image rules: {}", problems.join("; ")),
        )))
    }
}
