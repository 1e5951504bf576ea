use garrison_core::{Level, Object, SeedControl, Severity, Status, Workload};

use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// Reports container images referenced without a digest. An image with no tag or the tag
    /// `latest` fails; any other tag without `@sha256:` is a warning.
    ///
    /// ## Why it matters
    /// A tag can be moved to a different image at any time (unless the ECR repository is
    /// immutable), so what runs is not what was reviewed or scanned, and two replicas may run
    /// different code. `latest` and no tag also defeat rollbacks and make incident forensics
    /// guesswork.
    ///
    /// ## How to fix
    /// Reference images by digest (`repo@sha256:…`), keeping the tag for humans
    /// (`repo:1.4.2@sha256:…`), and make ECR repositories tag-immutable.
    ///
    /// ## References
    /// - EKS Best Practices Guide, Image Security: use immutable tags
    /// - CIS Amazon EKS Benchmark 5.1 (image registry and scanning)
    pub static META = CheckMeta {
        id: "EKS-IMG-007",
        name: "image-not-pinned",
        title: "Image not pinned by digest",
        severity: Severity::Medium,
        level: Level::Application,
        control: SeedControl::ImageSecurity,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Reference the image by digest (repo:tag@sha256:...).",
    };
}

/// The tag of an image reference, if it has one (`registry:5000/repo:tag@sha256:...` → `tag`).
pub fn tag_of(image: &str) -> Option<&str> {
    let without_digest = image.split('@').next().unwrap_or(image);
    let last_segment = without_digest.rsplit('/').next().unwrap_or(without_digest);
    last_segment.split_once(':').map(|(_, tag)| tag)
}

pub fn evaluate(_: &Context<'_>, workload: &Workload, _: &Object) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    for container in workload.containers() {
        let pointer = container.field("image");
        let Some(image) = container.image.filter(|image| !image.is_empty()) else {
            outcomes.push(Outcome::fail(
                pointer,
                format!("{} names no image", container.describe()),
            ));
            continue;
        };
        if image.contains("@sha256:") {
            continue;
        }
        let (status, problem) = match tag_of(image) {
            None => (
                Status::Fail,
                "has no tag and no digest (means :latest)".to_string(),
            ),
            Some("latest") => (Status::Fail, "uses the :latest tag".to_string()),
            Some(tag) => (Status::Warn, format!("uses tag {tag} without a digest")),
        };
        outcomes.push(Outcome::with_status(
            status,
            Some(pointer),
            format!("{} image {image} {problem}", container.describe()),
        ));
    }
    outcomes
}

#[cfg(test)]
mod tests {
    use super::tag_of;

    #[test]
    fn parses_tags() {
        assert_eq!(tag_of("nginx"), None);
        assert_eq!(tag_of("nginx:1.27"), Some("1.27"));
        assert_eq!(tag_of("registry.local:5000/team/app"), None);
        assert_eq!(
            tag_of("registry.local:5000/team/app:v2@sha256:ab"),
            Some("v2")
        );
    }
}
