//! `CLEF_TIMINGS=1`: how long each stage of a build took, printed to stderr.

use std::time::{Duration, Instant};

/// Collects stage durations; prints them at the end when enabled.
#[derive(Debug)]
pub struct Timings {
    enabled: bool,
    started: Instant,
    stages: Vec<(String, Duration)>,
}

impl Timings {
    /// Enabled when `CLEF_TIMINGS` is set to anything but `0` or empty.
    pub fn from_env() -> Timings {
        let enabled = std::env::var("CLEF_TIMINGS").is_ok_and(|v| !v.is_empty() && v != "0");
        Timings {
            enabled,
            started: Instant::now(),
            stages: Vec::new(),
        }
    }

    pub fn record(&mut self, stage: impl Into<String>, duration: Duration) {
        self.stages.push((stage.into(), duration));
    }

    /// Runs `f` and records how long it took.
    pub fn time<T>(&mut self, stage: &str, f: impl FnOnce() -> T) -> T {
        let start = Instant::now();
        let result = f();
        self.record(stage, start.elapsed());
        result
    }

    /// The report, one stage a line, then the total since start.
    pub fn report(&self) -> String {
        let mut out = String::new();
        for (stage, duration) in &self.stages {
            out.push_str(&format!("timing: {stage:<24} {:>8.1} ms\n", ms(*duration)));
        }
        out.push_str(&format!(
            "timing: {:<24} {:>8.1} ms\n",
            "total",
            ms(self.started.elapsed())
        ));
        out
    }

    pub fn print_if_enabled(&self) {
        if self.enabled {
            eprint!("{}", self.report());
        }
    }
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}
