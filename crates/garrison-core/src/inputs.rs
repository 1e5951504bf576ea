//! The inputs of the commands that stream logs (`garrison audit scan`, `garrison netpol
//! flows`): files, directories and `-` for standard input.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use crate::Diagnostic;

/// One input, opened, or why it could not be.
pub enum Opened<'a> {
    Input {
        /// The path as given (or `<stdin>`).
        name: &'a str,
        reader: Box<dyn Read + 'a>,
        /// Whether it is the last input.
        last: bool,
    },
    /// A file that cannot be opened: an error naming it.
    Unreadable(Diagnostic),
}

impl std::fmt::Debug for Opened<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Opened::Input { name, last, .. } => f
                .debug_struct("Input")
                .field("name", name)
                .field("last", last)
                .finish_non_exhaustive(),
            Opened::Unreadable(diagnostic) => {
                f.debug_tuple("Unreadable").field(diagnostic).finish()
            }
        }
    }
}

/// Opens each input in turn and hands it to `each`: `-` is standard input, a directory stands
/// for every file below it (recursively, in name order), anything else is a file. A file that
/// cannot be opened is handed over as [`Opened::Unreadable`], and the others are still read.
pub fn read_each(inputs: &[String], mut each: impl FnMut(Opened<'_>)) {
    let mut files: Vec<Option<PathBuf>> = Vec::new();
    for input in inputs {
        if input == "-" {
            files.push(None);
            continue;
        }
        let path = Path::new(input);
        if path.is_dir() {
            let mut found = Vec::new();
            collect_files(path, &mut found);
            found.sort();
            files.extend(found.into_iter().map(Some));
        } else {
            files.push(Some(path.to_path_buf()));
        }
    }
    let count = files.len();
    for (index, file) in files.into_iter().enumerate() {
        let last = index + 1 == count;
        let Some(file) = file else {
            each(Opened::Input {
                name: "<stdin>",
                reader: Box::new(io::stdin().lock()),
                last,
            });
            continue;
        };
        let name = file.display().to_string();
        match File::open(&file) {
            Ok(handle) => each(Opened::Input {
                name: &name,
                reader: Box::new(handle),
                last,
            }),
            Err(error) => each(Opened::Unreadable(Diagnostic::error(
                name,
                None,
                format!("cannot read: {error}"),
            ))),
        }
    }
}

fn collect_files(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_files(&path, files);
        } else {
            files.push(path);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn directories_expand_in_name_order_and_unreadable_files_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/b.log"), "b").unwrap();
        std::fs::write(dir.path().join("a.log"), "a").unwrap();
        let missing = dir.path().join("missing.log").display().to_string();
        let inputs = [dir.path().display().to_string(), missing.clone()];
        let mut read: Vec<(String, String, bool)> = Vec::new();
        let mut problems: Vec<Diagnostic> = Vec::new();
        read_each(&inputs, |opened| match opened {
            Opened::Input {
                name,
                mut reader,
                last,
            } => {
                let mut text = String::new();
                reader.read_to_string(&mut text).unwrap();
                read.push((name.to_string(), text, last));
            }
            Opened::Unreadable(diagnostic) => problems.push(diagnostic),
        });
        let base = dir.path().display().to_string();
        assert_eq!(
            read,
            [
                (format!("{base}/a.log"), "a".to_string(), false),
                (format!("{base}/sub/b.log"), "b".to_string(), false),
            ]
        );
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].file, missing);
        assert!(
            problems[0].message.starts_with("cannot read: "),
            "{}",
            problems[0].message
        );
    }
}
