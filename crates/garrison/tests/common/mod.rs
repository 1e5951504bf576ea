//! Running the built `garrison` binary, shared by the command-line tests.
// Each test binary uses some of these helpers, not all of them.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// Runs garrison with `args`, no colour, no standard input.
pub fn garrison(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_garrison"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run garrison")
}

/// Runs garrison with `args` and `input` on its standard input.
pub fn with_stdin(args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_garrison"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A usage error exits before reading stdin, which then reports a broken pipe.
    let _ = child.stdin.take().unwrap().write_all(input.as_bytes());
    child.wait_with_output().unwrap()
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}
