//! Timing of the universe metrics at 10^7 rows (SPEC §8). Ignored by
//! default; run with
//! `cargo test --release --test metrics_scale -- --ignored --nocapture`.

use gemscan::metrics::ic::{daily_ic, universe_metrics};
use gemscan::metrics::risk::risk_metrics;
use std::time::Instant;

#[test]
#[ignore = "timing at 10^7 rows; run in release"]
fn ten_million_rows() {
    let n: usize = std::env::var("GEMSCAN_SCALE_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000_000);
    let mut state = 0x1234_5678_9abc_def0u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let days = 365i64;
    let per_day = n as i64 / days + 1;
    let mut x = Vec::with_capacity(n);
    let mut y = Vec::with_capacity(n);
    let mut d = Vec::with_capacity(n);
    for i in 0..n {
        // Scores like the gem score: multiples of 0.01 in [0, 100].
        let s = (next() * 10_000.0).round() / 100.0;
        x.push(s);
        y.push((next() - 0.5 + s / 1000.0) * 0.3);
        d.push(19_723 + i as i64 / per_day);
    }
    let t = Instant::now();
    let (ic, cls) = universe_metrics(&x, &y, &d);
    let all = t.elapsed();
    let t = Instant::now();
    let daily = daily_ic(&x, &y, &d);
    let daily_t = t.elapsed();
    let t = Instant::now();
    let risk = risk_metrics(&y[..10_000], 52.0, 0.0);
    let risk_t = t.elapsed();
    eprintln!(
        "n={n} threads={}: universe_metrics {all:?} (of which daily_ic ~{daily_t:?}), risk(1e4) {risk_t:?}",
        rayon::current_num_threads()
    );
    eprintln!("{ic:?}\n{cls:?}\n{:?}", risk.sharpe);
    assert_eq!(ic.periods, daily.periods);
}

#[test]
#[ignore = "timing breakdown; run in release"]
fn breakdown() {
    use gemscan::metrics::ic::{kendall_tau_b, pearson, spearman};
    let n: usize = std::env::var("GEMSCAN_SCALE_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000_000);
    let mut state = 0x1234_5678_9abc_def0u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let x: Vec<f64> = (0..n)
        .map(|_| (next() * 10_000.0).round() / 100.0)
        .collect();
    let y: Vec<f64> = x
        .iter()
        .map(|s| (next() - 0.5 + s / 1000.0) * 0.3)
        .collect();
    let t = Instant::now();
    let _ = pearson(&x, &y);
    eprintln!("pearson (seq sort) {:?}", t.elapsed());
    let t = Instant::now();
    let _ = spearman(&x, &y);
    eprintln!("spearman {:?}", t.elapsed());
    let t = Instant::now();
    let _ = kendall_tau_b(&x, &y);
    eprintln!("kendall {:?}", t.elapsed());
}
