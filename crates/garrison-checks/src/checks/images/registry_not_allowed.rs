use garrison_core::ecr::ImageReference;
use garrison_core::{Level, Object, SeedControl, Severity, Workload};

use super::{container_images, image_pointer};
use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// Reports containers whose image comes from a registry that is not allowed. Allowed are
    /// private ECR registries (`*.dkr.ecr.*.amazonaws.com`, which includes the EKS add-on
    /// registries) and the patterns of `[images] allowed-registries` in `garrison.toml`: a glob on
    /// the registry host (`public.ecr.aws`), or on host and repository when it contains a `/`
    /// (`docker.io/bitnami/*`). An image without a registry is from `docker.io`.
    ///
    /// ## Why it matters
    /// An image from a public registry is code whose build nobody on the team controls: a
    /// compromised or typo-squatted upstream account, a re-pushed tag or a registry outage goes
    /// straight into the cluster, and ECR scanning, tag immutability and repository policies
    /// cover none of it. Pulling through an ECR pull-through cache keeps public images usable
    /// under the registry's controls.
    ///
    /// ## How to fix
    /// Mirror the image into ECR (or use an ECR pull-through cache rule) and reference the ECR
    /// copy; if the registry is trusted, add it to `[images] allowed-registries`.
    ///
    /// ## References
    /// - EKS Best Practices Guide, Image Security: use private registries, pull-through cache
    /// - CIS Amazon EKS Benchmark 5.1.4: minimize container registries to only those approved
    pub static META = CheckMeta {
        id: "EKS-IMG-011",
        name: "image-registry-not-allowed",
        title: "Image from a registry that is not allowed",
        severity: Severity::Medium,
        level: Level::Application,
        control: SeedControl::ImageSecurity,
        cis: Some("5.1.4"),
        security_hub: None,
        pss: None,
        remediation: "Pull the image from ECR (or a pull-through cache) or allow its registry in garrison.toml.",
    };
}

pub fn evaluate(context: &Context<'_>, workload: &Workload, _: &Object) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    for (kind, index, name, image) in container_images(workload) {
        let reference = ImageReference::parse(image);
        if context
            .config
            .is_allowed_registry(reference.registry, reference.repository)
        {
            continue;
        }
        outcomes.push(Outcome::fail(
            image_pointer(workload, kind, index),
            format!(
                "{} \"{name}\" image {image} comes from {}, which is not an allowed registry",
                kind.noun(),
                reference.registry
            ),
        ));
    }
    outcomes
}
