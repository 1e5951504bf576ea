//! The catalogue's own rules: every check documented, listed once, named consistently.

use std::collections::HashSet;
use std::path::Path;

use garrison_checks::{CHECKS, docs};

#[test]
fn every_check_has_the_four_doc_sections_in_order() {
    for check in CHECKS {
        let body = docs::body(check.meta);
        let mut last = 0;
        for section in docs::SECTIONS {
            let position = body.find(section).unwrap_or_else(|| {
                panic!(
                    "{} has no `{section}` section in its doc comment",
                    check.meta.id
                )
            });
            assert!(
                position >= last,
                "{}: `{section}` is out of order",
                check.meta.id
            );
            last = position;
        }
        let references = &body[last..];
        assert!(
            references.lines().any(|line| line.starts_with("- ")),
            "{} lists no references",
            check.meta.id
        );
    }
}

#[test]
fn ids_and_names_are_unique_and_well_formed() {
    let mut ids = HashSet::new();
    let mut names = HashSet::new();
    for check in CHECKS {
        let meta = check.meta;
        assert!(ids.insert(meta.id), "duplicate id {}", meta.id);
        assert!(names.insert(meta.name), "duplicate name {}", meta.name);
        assert!(
            meta.id.starts_with("EKS-"),
            "{}: ids start with EKS-",
            meta.id
        );
        assert!(
            meta.name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "{}: name {} is not kebab-case",
            meta.id,
            meta.name
        );
        assert!(
            !meta.title.is_empty() && !meta.remediation.is_empty(),
            "{}",
            meta.id
        );
    }
}

/// Every check file under src/checks is registered: a file that is not in the registry never runs.
#[test]
fn every_check_file_is_registered() {
    let registry = include_str!("../src/registry.rs");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/checks");
    let mut files = 0;
    for area in std::fs::read_dir(&root).unwrap() {
        let area = area.unwrap().path();
        if !area.is_dir() {
            continue;
        }
        let area_name = area.file_name().unwrap().to_string_lossy().into_owned();
        for file in std::fs::read_dir(&area).unwrap() {
            let file = file.unwrap().path();
            let stem = file.file_stem().unwrap().to_string_lossy().into_owned();
            if stem == "mod" {
                continue;
            }
            files += 1;
            let path = format!("{area_name}::{stem}::META");
            assert!(
                registry.contains(&path),
                "{} is not in registry.rs",
                file.display()
            );
        }
    }
    assert_eq!(
        files,
        CHECKS.len(),
        "registry entries and check files differ"
    );
}
