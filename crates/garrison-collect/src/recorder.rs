//! Writes snapshot documents and remembers every call for `manifest.json`.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde_json::{Value, json};

use crate::{CollectError, Progress};

/// What a collection did, for the command's closing line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub out: PathBuf,
    pub calls: usize,
    pub failed: usize,
    pub files: usize,
}

#[derive(Debug, Default)]
struct State {
    calls: Vec<Value>,
    failed: Vec<Value>,
    files: usize,
    write_error: Option<CollectError>,
}

/// Shared by every task of a collection: writes each document as it arrives and records the
/// call, so a collection that is interrupted still leaves what it fetched.
#[derive(Debug)]
pub struct Recorder {
    out: PathBuf,
    progress: Progress,
    state: Mutex<State>,
}

impl Recorder {
    pub fn new(out: &Path, progress: Progress) -> Result<Recorder, CollectError> {
        fs::create_dir_all(out).map_err(|source| CollectError::Write {
            path: out.display().to_string(),
            source,
        })?;
        Ok(Recorder {
            out: out.to_path_buf(),
            progress,
            state: Mutex::new(State::default()),
        })
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the lists half-updated (each update is
        // one push), so a poisoned lock is still usable.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Records `call` and writes its document to `file` (relative to the snapshot root), or
    /// records the failure. Returns whether the document was written.
    pub fn save(&self, call: &str, file: &str, result: Result<Value, String>) -> bool {
        match result {
            Ok(document) => self.write(call, file, &document),
            Err(error) => {
                self.fail(call, file, &error);
                false
            }
        }
    }

    /// Writes `document` to `file` and records `call` as made.
    pub fn write(&self, call: &str, file: &str, document: &Value) -> bool {
        self.progress.call(call);
        let path = self.out.join(file);
        let written = path
            .parent()
            .map_or(Ok(()), fs::create_dir_all)
            .and_then(|()| {
                let mut text =
                    serde_json::to_vec_pretty(document).map_err(std::io::Error::other)?;
                text.push(b'\n');
                fs::write(&path, text)
            });
        let mut state = self.state();
        match written {
            Ok(()) => {
                state.files += 1;
                state
                    .calls
                    .push(json!({"call": call, "file": file, "ok": true}));
                true
            }
            Err(source) => {
                if state.write_error.is_none() {
                    state.write_error = Some(CollectError::Write {
                        path: path.display().to_string(),
                        source,
                    });
                }
                false
            }
        }
    }

    /// Records a call that was made and had nothing to write (a resource type the cluster
    /// does not serve, say), with why.
    pub fn note(&self, call: &str, file: &str, note: &str) {
        self.progress.call(call);
        self.state()
            .calls
            .push(json!({"call": call, "file": file, "ok": true, "note": note}));
    }

    /// Records a failed call: the document at `file` is then reported as not collectable, with
    /// `error`, by the checks that need it.
    pub fn fail(&self, call: &str, file: &str, error: &str) {
        self.progress.call(call);
        let mut state = self.state();
        state
            .calls
            .push(json!({"call": call, "file": file, "ok": false}));
        state
            .failed
            .push(json!({"call": call, "file": file, "error": error}));
    }

    /// Writes `manifest.json` and returns the summary, or the first write error.
    pub fn finish(
        self,
        cluster: &str,
        cluster_arn: Option<&str>,
        region: Option<&str>,
    ) -> Result<Summary, CollectError> {
        self.progress.finish();
        let state = self
            .state
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(error) = state.write_error {
            return Err(error);
        }
        let collected_at = jiff::Timestamp::now()
            .round(jiff::Unit::Second)
            .unwrap_or_else(|_| jiff::Timestamp::now());
        let mut manifest = json!({
            "tool": "garrison",
            "version": env!("CARGO_PKG_VERSION"),
            "collectedAt": collected_at.to_string(),
            "cluster": cluster,
        });
        if let Some(arn) = cluster_arn {
            manifest["clusterArn"] = json!(arn);
        }
        if let Some(region) = region {
            manifest["region"] = json!(region);
        }
        let summary = Summary {
            out: self.out.clone(),
            calls: state.calls.len(),
            failed: state.failed.len(),
            files: state.files,
        };
        manifest["calls"] = Value::Array(state.calls);
        manifest["failed"] = Value::Array(state.failed);
        let path = self.out.join("manifest.json");
        let mut text =
            serde_json::to_vec_pretty(&manifest).map_err(|error| CollectError::Write {
                path: path.display().to_string(),
                source: std::io::Error::other(error),
            })?;
        text.push(b'\n');
        fs::write(&path, text).map_err(|source| CollectError::Write {
            path: path.display().to_string(),
            source,
        })?;
        Ok(summary)
    }
}

/// A name from an API response made safe as one path segment: characters other than ASCII
/// letters, digits, `.`, `-` and `_` become `_` (`arn:aws:iam::1:role/x` →
/// `arn_aws_iam__1_role_x`), and a name of only dots cannot climb out of the snapshot.
pub fn safe_file_name(name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if safe.is_empty() || safe.chars().all(|c| c == '.') {
        safe.replace('.', "_") + "_"
    } else {
        safe
    }
}

#[cfg(test)]
mod tests {
    use super::safe_file_name;

    #[test]
    fn file_names_stay_inside_the_snapshot() {
        assert_eq!(
            safe_file_name("arn:aws:iam::111122223333:role/dev-team"),
            "arn_aws_iam__111122223333_role_dev-team"
        );
        assert_eq!(safe_file_name(".."), "___");
        assert_eq!(safe_file_name("../etc/passwd"), ".._etc_passwd");
        assert_eq!(
            safe_file_name("ip-10-0-1-2.ec2.internal"),
            "ip-10-0-1-2.ec2.internal"
        );
    }
}
