//! JUnit XML: a test suite per check, a test case per object it looked at; FAIL is a failure,
//! WARN and UNKNOWN are system-out notes, suppressed findings are skipped.

use std::collections::BTreeMap;

use garrison_core::{Finding, Status};
use quick_junit::{NonSuccessKind, Report as JunitReport, TestCase, TestCaseStatus, TestSuite};

use crate::Report;

pub fn render(report: &Report<'_>) -> String {
    let mut junit = JunitReport::new("garrison");
    let mut suites: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for finding in report.findings {
        suites.entry(finding.check.id).or_default().push(finding);
    }
    for (id, findings) in suites {
        let meta = findings[0].check;
        let mut suite = TestSuite::new(format!("{id} {}", meta.title));
        for finding in findings {
            let name = format!(
                "{} {}",
                finding.object.display_name(),
                finding.pointer.as_deref().unwrap_or("")
            );
            let status = if let Some(reason) = &finding.suppressed {
                let mut status = TestCaseStatus::skipped();
                status.set_message(reason.clone());
                status
            } else {
                match finding.status {
                    Status::Fail => {
                        let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                        status.set_message(finding.message.clone());
                        status
                            .set_type(format!("{} {}", finding.check.severity, finding.check.name));
                        status.set_description(format!(
                            "{}\nat {}:{}\nfix: {}",
                            finding.message,
                            finding.object.source.as_deref().unwrap_or("?"),
                            finding.object.line.unwrap_or(0),
                            finding.check.remediation
                        ));
                        status
                    }
                    Status::NotApplicable => {
                        let mut status = TestCaseStatus::skipped();
                        status.set_message(finding.message.clone());
                        status
                    }
                    _ => TestCaseStatus::success(),
                }
            };
            let mut case = TestCase::new(name.trim_end().to_string(), status);
            case.set_classname(format!("{}.{}", meta.level, meta.name));
            if matches!(finding.status, Status::Warn | Status::Unknown)
                && finding.suppressed.is_none()
            {
                case.set_system_out(format!("{}: {}", finding.status, finding.message));
            }
            suite.add_test_case(case);
        }
        junit.add_test_suite(suite);
    }
    junit
        .to_string()
        .unwrap_or_else(|error| format!("<!-- cannot render JUnit XML: {error} -->\n"))
}
