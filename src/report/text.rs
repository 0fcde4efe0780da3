//! The human-readable report (SPEC §7): same content as the JSON, rounded
//! for reading. Undefined values print as `n/a`.

use std::fmt::Write as _;

use crate::backtest::Report;

/// A fraction as a percentage with 2 decimals (`0.7` -> `70.00%`).
pub fn pct(x: f64) -> String {
    format!("{:.2}%", x * 100.0)
}

/// A return with sign, as a percentage (`0.0123` -> `+1.23%`).
pub fn signed_pct(x: f64) -> String {
    format!("{:+.2}%", x * 100.0)
}

/// An optional number with `digits` decimals, `n/a` when undefined.
pub fn opt(x: Option<f64>, digits: usize) -> String {
    match x {
        Some(v) if v.is_finite() => format!("{v:.digits$}"),
        _ => "n/a".to_string(),
    }
}

/// A p-value: 4 significant digits, scientific below 1e-4.
pub fn p_value(p: f64) -> String {
    if p != 0.0 && p < 1e-4 {
        format!("{p:.3e}")
    } else {
        format!("{p:.4}")
    }
}

/// Render the whole report.
pub fn render(r: &Report) -> String {
    let mut o = String::new();
    let c = &r.config;
    let q = &r.data_quality;
    let _ = writeln!(o, "gemscan backtest: {}", c.data_path);
    let _ = writeln!(
        o,
        "rows: {} read, {} evaluated, {} without return, {} duplicates",
        q.rows_read, q.rows_evaluated, q.rows_missing_return, q.duplicate_rows
    );
    let mode = match &c.slice_by {
        Some(s) => format!("time-sliced by {s}"),
        None => "pooled".to_string(),
    };
    let _ = writeln!(
        o,
        "mode: {mode}, top-k {} ({} selected), seed {}",
        c.top_k, r.selected_rows, c.seed
    );
    let _ = writeln!(o);
    let _ = writeln!(o, "Performance");
    let k = c.top_k;
    let _ = writeln!(o, "  precision@{k:<12} {}", pct(r.precision_at_k));
    let _ = writeln!(o, "  return@{k:<15} {}", signed_pct(r.average_return_at_k));
    let _ = writeln!(
        o,
        "  random expectation  precision {}, return {}",
        pct(r.random_expectation.precision),
        signed_pct(r.random_expectation.avg_return)
    );
    let _ = writeln!(
        o,
        "  p-value             {} (chance a random pick of {} rows does at least as well)",
        p_value(r.precision_p_value),
        r.selected_rows
    );
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "Top candidates (token: score • confidence • driver=value)"
    );
    for d in &r.flagged_details {
        let _ = writeln!(
            o,
            "  {:>3}. {}: {:.2} • {:.1} • {}={:.4}  [{}, return {}]{}",
            d.rank,
            d.token,
            d.score,
            d.confidence,
            d.driver.name,
            d.driver.value,
            d.date,
            signed_pct(d.ret),
            if d.flag { "  FLAG" } else { "" }
        );
    }
    if let Some(b) = &r.baseline_results {
        let _ = writeln!(o);
        let _ = writeln!(o, "Baselines            precision    return     vs gem: precision      return  outperforms");
        for (name, x) in b {
            let _ = writeln!(
                o,
                "  {:<16} {:>10} {:>9}   {:>+10.2}pp {:>+10.2}pp  {}",
                name,
                pct(x.precision),
                signed_pct(x.avg_return),
                x.precision_improvement * 100.0,
                x.return_improvement * 100.0,
                if x.outperforms { "yes" } else { "no" }
            );
        }
    }
    o
}
