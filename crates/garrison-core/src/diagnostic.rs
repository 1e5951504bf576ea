//! Problems with the input that stop one document from being scanned, but not the others.

use std::fmt;

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DiagnosticLevel {
    Warning,
    Error,
}

/// A problem with one input document: which file, which line, what is wrong.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub level: DiagnosticLevel,
    pub file: String,
    pub line: Option<u32>,
    pub message: String,
}

impl Diagnostic {
    pub fn error(file: impl Into<String>, line: Option<u32>, message: impl Into<String>) -> Self {
        Diagnostic {
            level: DiagnosticLevel::Error,
            file: file.into(),
            line,
            message: message.into(),
        }
    }

    pub fn warning(file: impl Into<String>, line: Option<u32>, message: impl Into<String>) -> Self {
        Diagnostic {
            level: DiagnosticLevel::Warning,
            file: file.into(),
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.level {
            DiagnosticLevel::Warning => "warning",
            DiagnosticLevel::Error => "error",
        };
        match self.line {
            Some(line) => write!(f, "{level}: {}:{line}: {}", self.file, self.message),
            None => write!(f, "{level}: {}: {}", self.file, self.message),
        }
    }
}
