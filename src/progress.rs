//! A progress line on stderr for long reads (issue: runs of 10^7 rows).
//!
//! The reader reports how many input bytes it has handed out; [`Progress`]
//! turns that into `reading data.csv: 412 MB of 1.09 GB (38%)`, redrawn in
//! place at most a few times a second and only once the run has taken
//! longer than [`Progress::DELAY`]. The binary enables it only when stderr
//! is a terminal and stdout does not carry JSON, so pipes, files and CI logs
//! never see it. It never touches stdout and never changes a number.

use std::io::Write;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Callback the reader calls with the cumulative number of bytes read.
pub type ProgressFn = dyn Fn(u64) + Send + Sync;

/// A throttled progress line.
pub struct Progress {
    label: String,
    total: Option<u64>,
    delay: Duration,
    every: Duration,
    state: Mutex<State>,
}

struct State {
    out: Box<dyn Write + Send>,
    start: Instant,
    last: Option<Instant>,
    drawn: bool,
}

impl Progress {
    /// Nothing is drawn before the run has taken this long.
    pub const DELAY: Duration = Duration::from_millis(800);
    /// Minimum time between two redraws.
    pub const EVERY: Duration = Duration::from_millis(150);

    /// A progress line for reading `label` (`total` bytes when known),
    /// written to `out`.
    pub fn new(label: &str, total: Option<u64>, out: Box<dyn Write + Send>) -> Progress {
        Progress::with_timing(label, total, out, Self::DELAY, Self::EVERY)
    }

    /// As [`Progress::new`] with explicit timing (tests use zero delays).
    pub fn with_timing(
        label: &str,
        total: Option<u64>,
        out: Box<dyn Write + Send>,
        delay: Duration,
        every: Duration,
    ) -> Progress {
        Progress {
            label: label.to_string(),
            total: total.filter(|&t| t > 0),
            delay,
            every,
            state: Mutex::new(State {
                out,
                start: Instant::now(),
                last: None,
                drawn: false,
            }),
        }
    }

    /// The text of the line for `bytes` read.
    pub fn line(&self, bytes: u64) -> String {
        match self.total {
            Some(t) => format!(
                "reading {}: {} of {} ({}%)",
                self.label,
                human_bytes(bytes),
                human_bytes(t),
                (bytes.min(t) * 100) / t
            ),
            None => format!("reading {}: {}", self.label, human_bytes(bytes)),
        }
    }

    /// Report `bytes` read so far; redraws when due.
    pub fn update(&self, bytes: u64) {
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        if now.duration_since(st.start) < self.delay {
            return;
        }
        if st.last.is_some_and(|l| now.duration_since(l) < self.every) {
            return;
        }
        st.last = Some(now);
        st.drawn = true;
        let line = self.line(bytes);
        // `\r` + erase-to-end-of-line redraws in place; errors are ignored:
        // progress must never fail a run.
        let _ = write!(st.out, "\r\x1b[K{line}");
        let _ = st.out.flush();
    }

    /// Erase the line (if one was drawn) so later messages start clean.
    pub fn finish(&self) {
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if st.drawn {
            let _ = write!(st.out, "\r\x1b[K");
            let _ = st.out.flush();
            st.drawn = false;
        }
    }
}

/// `1.09 GB`, `412 MB`, `12.0 kB`, `512 B` (decimal units).
pub fn human_bytes(b: u64) -> String {
    let f = b as f64;
    if b >= 1_000_000_000 {
        format!("{:.2} GB", f / 1e9)
    } else if b >= 1_000_000 {
        format!("{:.0} MB", f / 1e6)
    } else if b >= 1_000 {
        format!("{:.1} kB", f / 1e3)
    } else {
        format!("{b} B")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    /// A writer whose bytes the test can read back.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);
    impl Write for Shared {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn lines_and_units() {
        let p = Progress::new("big.csv", Some(2_000_000_000), Box::new(std::io::sink()));
        assert_eq!(
            p.line(500_000_000),
            "reading big.csv: 500 MB of 2.00 GB (25%)"
        );
        let q = Progress::new("-", None, Box::new(std::io::sink()));
        assert_eq!(q.line(12_345), "reading -: 12.3 kB");
        assert_eq!(human_bytes(999), "999 B");
    }

    #[test]
    fn silent_before_the_delay_then_redraws_and_erases() {
        let out = Shared::default();
        let slow = Progress::with_timing(
            "a.csv",
            Some(100),
            Box::new(out.clone()),
            Duration::from_secs(3600),
            Duration::ZERO,
        );
        slow.update(50);
        slow.finish();
        assert!(out.0.lock().unwrap().is_empty(), "nothing before the delay");

        let fast = Progress::with_timing(
            "a.csv",
            Some(100),
            Box::new(out.clone()),
            Duration::ZERO,
            Duration::ZERO,
        );
        fast.update(50);
        fast.update(100);
        fast.finish();
        let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
        assert_eq!(
            text,
            "\r\x1b[Kreading a.csv: 50 B of 100 B (50%)\r\x1b[Kreading a.csv: 100 B of 100 B (100%)\r\x1b[K"
        );
    }
}
