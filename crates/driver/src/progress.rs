//! What a build tells the user besides diagnostics: a progress line while a build
//! that takes over a second runs (only on a terminal), and one summary line at the
//! end (`--quiet` turns both off), as `cargo` and `dotnet build` do.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long a build runs before the progress line appears.
const PROGRESS_AFTER: Duration = Duration::from_secs(1);

/// The progress line: `composer: building NAME: STAGE…`, rewritten in place as the
/// stage changes and erased when the build ends. Off unless stderr is a terminal.
pub struct Progress {
    sender: Option<Sender<Option<String>>>,
    thread: Option<JoinHandle<()>>,
}

impl Progress {
    pub fn start(name: &str, enabled: bool) -> Progress {
        if !enabled || !std::io::stderr().is_terminal() {
            return Progress {
                sender: None,
                thread: None,
            };
        }
        let (sender, receiver) = mpsc::channel::<Option<String>>();
        let name = name.to_string();
        let thread = std::thread::spawn(move || {
            let started = Instant::now();
            let mut stage = String::from("starting");
            let mut shown = false;
            loop {
                let wait = PROGRESS_AFTER.saturating_sub(started.elapsed());
                match receiver.recv_timeout(if shown { Duration::MAX } else { wait }) {
                    Ok(Some(next)) => stage = next,
                    Ok(None) | Err(RecvTimeoutError::Disconnected) => break,
                    Err(RecvTimeoutError::Timeout) => {}
                }
                if started.elapsed() >= PROGRESS_AFTER {
                    let mut err = std::io::stderr().lock();
                    let _ = write!(err, "\r\x1b[2Kcomposer: building {name}: {stage}…");
                    let _ = err.flush();
                    shown = true;
                }
            }
            if shown {
                let mut err = std::io::stderr().lock();
                let _ = write!(err, "\r\x1b[2K");
                let _ = err.flush();
            }
        });
        Progress {
            sender: Some(sender),
            thread: Some(thread),
        }
    }

    /// The stage that runs now.
    pub fn stage(&self, stage: &str) {
        if let Some(sender) = &self.sender {
            let _ = sender.send(Some(stage.to_string()));
        }
    }

    /// Erases the line (if it was shown) before anything else is printed.
    pub fn finish(&mut self) {
        if let Some(sender) = self.sender.take() {
            let _ = sender.send(None);
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

/// What the summary line reports: filled in as the build goes.
#[derive(Debug, Default)]
pub struct Summary {
    /// The project's (or the single file's) name; empty until it is resolved.
    pub name: String,
    pub target: String,
    pub errors: usize,
    pub warnings: usize,
    /// Every file the build wrote, the executable last.
    pub written: Vec<PathBuf>,
}

impl Summary {
    pub fn count(&mut self, diagnostics: &[composer_diagnostics::Diagnostic]) {
        for d in diagnostics {
            if d.is_error() {
                self.errors += 1;
            } else {
                self.warnings += 1;
            }
        }
    }

    /// The files written, between `before` and `after`; empty when there are none.
    fn written_list(&self, before: &str, after: &str) -> String {
        if self.written.is_empty() {
            return String::new();
        }
        let files: Vec<String> = self
            .written
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        format!("{before}{}{after}", files.join(", "))
    }

    /// The line for a build that finished (`Ok`) or stopped on the program's
    /// errors; `None` when there is nothing to add to an error already printed (a
    /// usage or toolchain problem, or a project that was never resolved).
    pub fn line(
        &self,
        finished: bool,
        checking: bool,
        opt_level: u8,
        elapsed: Duration,
    ) -> Option<String> {
        if self.name.is_empty() {
            return None;
        }
        let secs = elapsed.as_secs_f64();
        let warnings = match self.warnings {
            0 => String::new(),
            1 => ", 1 warning".to_string(),
            n => format!(", {n} warnings"),
        };
        if finished {
            let wrote = self.written_list(": wrote ", "");
            let verb = if checking { "checked" } else { "built" };
            let how = if checking {
                self.target.clone()
            } else {
                format!("{}, -O{opt_level}", self.target)
            };
            Some(format!(
                "composer: {verb} `{}` ({how}) in {secs:.2} s{warnings}{wrote}",
                self.name
            ))
        } else if self.errors > 0 {
            let errors = match self.errors {
                1 => "1 error".to_string(),
                n => format!("{n} errors"),
            };
            let dumps = self.written_list(" (wrote ", ")");
            Some(format!(
                "composer: `{}` has {errors}{warnings}; no executable was written{dumps}",
                self.name
            ))
        } else {
            None
        }
    }
}
