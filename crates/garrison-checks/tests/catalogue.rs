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

/// Every seed control of the cluster and infrastructure levels has at least one check at those
/// levels, and the two levels together hold at least 90 checks.
#[test]
fn every_cluster_and_infrastructure_seed_control_has_checks() {
    use garrison_core::{Level, SeedControl};
    let at_level: Vec<_> = CHECKS
        .iter()
        .filter(|check| matches!(check.meta.level, Level::Cluster | Level::Infrastructure))
        .collect();
    assert!(
        at_level.len() >= 90,
        "{} cluster/infrastructure checks",
        at_level.len()
    );
    for control in [
        SeedControl::ClusterAccessManagement,
        SeedControl::WorkloadIdentity,
        SeedControl::AuditLoggingAndMonitoring,
        SeedControl::Encryption,
        SeedControl::PrivateEndpointAndPrivatelink,
        SeedControl::ManagedComponents,
        SeedControl::SecurityHub,
        SeedControl::AutoMode,
        SeedControl::NetworkPolicies,
        SeedControl::SecurityGroupsForPods,
        SeedControl::Guardduty,
        SeedControl::SsmInsteadOfSsh,
        SeedControl::ContainerOptimizedOs,
        SeedControl::CisBenchmark,
    ] {
        assert!(
            at_level.iter().any(|check| check.meta.control == control),
            "no cluster or infrastructure check for the seed control {control}"
        );
    }
}

/// Security Hub control ids on check metadata are well-formed, and the EKS and GuardDuty
/// controls garrison mirrors are all carried by some check.
#[test]
fn security_hub_control_ids_are_carried() {
    let ids: Vec<&str> = CHECKS
        .iter()
        .filter_map(|check| check.meta.security_hub)
        .collect();
    for id in &ids {
        let (service, number) = id.split_once('.').unwrap();
        assert!(
            !service.is_empty() && number.parse::<u32>().is_ok(),
            "malformed Security Hub id {id}"
        );
    }
    for expected in [
        "EKS.1",
        "EKS.2",
        "EKS.3",
        "EKS.8",
        "GuardDuty.1",
        "GuardDuty.5",
        "GuardDuty.7",
    ] {
        assert!(ids.contains(&expected), "no check carries {expected}");
    }
}

/// The CIS view has the benchmark's 50 controls, each id once, and every check that names a
/// CIS id names one of them.
#[test]
fn cis_view_covers_the_benchmark() {
    use garrison_checks::cis::CONTROLS;
    assert_eq!(CONTROLS.len(), 50);
    let ids: HashSet<&str> = CONTROLS.iter().map(|control| control.id).collect();
    assert_eq!(ids.len(), 50);
    assert_eq!(
        CONTROLS.iter().filter(|c| c.benchmark_automated).count(),
        27,
        "CIS EKS v1.8.0 has 27 Automated controls"
    );
    for check in CHECKS {
        if let Some(cis) = check.meta.cis {
            assert!(
                ids.contains(cis),
                "{} names unknown CIS id {cis}",
                check.meta.id
            );
        }
    }
}
