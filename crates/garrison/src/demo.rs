//! The demo cluster snapshot compiled into the binary: `examples/demo-snapshot/`.

use include_dir::{Dir, include_dir};

static DEMO: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/../../examples/demo-snapshot");

/// Every file of the demo snapshot as (path relative to the snapshot, contents).
pub fn files() -> Vec<(String, String)> {
    let mut files = Vec::new();
    collect(&DEMO, &mut files);
    files.sort();
    files
}

fn collect(directory: &Dir<'_>, files: &mut Vec<(String, String)>) {
    for file in directory.files() {
        if let Some(text) = file.contents_utf8() {
            files.push((
                file.path().to_string_lossy().replace('\\', "/"),
                text.to_string(),
            ));
        }
    }
    for child in directory.dirs() {
        collect(child, files);
    }
}
