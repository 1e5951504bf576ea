//! A progress line on a terminal; nothing when standard error is redirected.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

#[derive(Debug, Clone)]
pub struct Progress(ProgressBar);

impl Progress {
    /// A spinner counting calls. indicatif draws nothing when standard error is not a
    /// terminal, so piped and CI runs stay quiet.
    pub fn new(enabled: bool) -> Progress {
        if !enabled {
            return Progress(ProgressBar::hidden());
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template("{spinner} {pos} calls, {elapsed} {msg}") {
            bar.set_style(style);
        }
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress(bar)
    }

    pub fn call(&self, call: &str) {
        self.0.inc(1);
        self.0.set_message(call.to_string());
    }

    pub fn finish(&self) {
        self.0.finish_and_clear();
    }
}
