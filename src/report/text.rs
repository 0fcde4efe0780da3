//! The human-readable report (SPEC §7): same content as the JSON, rounded
//! for reading. Undefined values print as `n/a`.

use std::fmt::Write as _;

use crate::backtest::Report;

/// `v` with `digits` decimals (and a sign when `sign`), or in scientific
/// notation with 2 decimals (`1.23e300`) from 1e9 on, where fixed notation
/// would print a long string of digits (and, from ~1e14, float noise).
fn fixed(v: f64, digits: usize, sign: bool) -> String {
    match (v.abs() < 1e9, sign) {
        (true, false) => format!("{v:.digits$}"),
        (true, true) => format!("{v:+.digits$}"),
        (false, false) => format!("{v:.2e}"),
        (false, true) => format!("{v:+.2e}"),
    }
}

/// `100 * x` as [`fixed`] writes it, also when the product overflows
/// (|x| above ~1.8e306): then the exponent of `x` is raised by 2 instead.
fn hundredfold(x: f64, digits: usize, sign: bool) -> String {
    let v = x * 100.0;
    if v.is_finite() || !x.is_finite() {
        return fixed(v, digits, sign);
    }
    let s = fixed(x, digits, sign);
    match s
        .split_once('e')
        .and_then(|(m, e)| Some((m, e.parse::<i32>().ok()?)))
    {
        Some((m, e)) => format!("{m}e{}", e + 2),
        None => s,
    }
}

/// A fraction as a percentage with 2 decimals (`0.7` -> `70.00%`).
pub fn pct(x: f64) -> String {
    format!("{}%", hundredfold(x, 2, false))
}

/// A return with sign, as a percentage (`0.0123` -> `+1.23%`).
pub fn signed_pct(x: f64) -> String {
    format!("{}%", hundredfold(x, 2, true))
}

/// An optional number with `digits` decimals, `n/a` when undefined.
pub fn opt(x: Option<f64>, digits: usize) -> String {
    match x {
        Some(v) if v.is_finite() => fixed(v, digits, false),
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

/// A token, feature name or path as shown in the text report: control
/// characters (a newline or tab inside a quoted CSV field) are escaped, so
/// one row stays one line.
fn shown(s: &str) -> std::borrow::Cow<'_, str> {
    if s.chars().any(char::is_control) {
        s.chars()
            .map(|c| {
                if c.is_control() {
                    c.escape_default().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect::<String>()
            .into()
    } else {
        s.into()
    }
}

/// `1 row`, `2 rows`.
fn plural(n: u64, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Render the whole report.
pub fn render(r: &Report) -> String {
    let mut o = String::new();
    let c = &r.config;
    let q = &r.data_quality;
    let _ = writeln!(o, "gemscan backtest: {}", shown(&c.data_path));
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
        "  p-value             {} (chance a random pick of {}{} does at least as well)",
        p_value(r.precision_p_value),
        plural(r.selected_rows, "row"),
        if r.time_slices.is_some() {
            ", per period,"
        } else {
            ""
        }
    );
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "{} (token: score • confidence • driver=value)",
        if r.time_slices.is_some() {
            "Most often selected over periods, best row each"
        } else {
            "Top candidates"
        }
    );
    for d in &r.flagged_details {
        let _ = writeln!(
            o,
            "  {:>3}. {}: {:.2} • {:.1} • {}={}  [{}, return {}]{}",
            d.rank,
            shown(&d.token),
            d.score,
            d.confidence,
            shown(&d.driver.name),
            fixed(d.driver.value, 4, false),
            d.date,
            signed_pct(d.ret),
            if d.flag { "  FLAG" } else { "" }
        );
    }
    if let Some(slices) = &r.time_slices {
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "Time slices ({} by {})",
            plural(slices.len() as u64, "period"),
            c.slice_by.as_deref().unwrap_or("?")
        );
        let _ = writeln!(
            o,
            "  {:>3}  {:<23} {:<23} {:>7} {:>9} {:>9}  flagged",
            "id", "period", "dates", "rows", "precision", "return"
        );
        for s in slices {
            let _ = writeln!(
                o,
                "  {:>3}  {:<23} {:<23} {:>7} {:>9} {:>9}  {}",
                s.period_id,
                s.label,
                format!("{}..{}", s.start_date, s.end_date),
                s.rows,
                pct(s.precision),
                signed_pct(s.avg_return),
                shown(&s.flagged_assets.join(" "))
            );
        }
        if let Some(st) = &r.slice_stats {
            let _ = writeln!(
                o,
                "  precision over periods: mean {}, std {}, min {}, max {}",
                pct(r.precision_at_k),
                pct(st.precision_std),
                pct(st.precision_min),
                pct(st.precision_max)
            );
            let _ = writeln!(
                o,
                "  return over periods:    mean {}, std {}, min {}, max {}",
                signed_pct(r.average_return_at_k),
                pct(st.return_std),
                signed_pct(st.return_min),
                signed_pct(st.return_max)
            );
        }
    }
    if let Some(b) = &r.baseline_results {
        let _ = writeln!(o);
        let _ = writeln!(o, "Baselines            precision    return     vs gem: precision      return  outperforms");
        for (name, x) in b {
            let _ = writeln!(
                o,
                "  {:<16} {:>10} {:>9}   {:>10}pp {:>10}pp  {}",
                name,
                pct(x.precision),
                signed_pct(x.avg_return),
                hundredfold(x.precision_improvement, 2, true),
                hundredfold(x.return_improvement, 2, true),
                if x.outperforms { "yes" } else { "no" }
            );
        }
    }
    if let Some(e) = &r.extended_metrics {
        let ic = &e.ic;
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "Information coefficient (score vs return, all evaluated rows)"
        );
        let _ = writeln!(
            o,
            "  pearson   {:>8}  p {}",
            opt(ic.pearson, 4),
            opt_p(ic.pearson_p_value)
        );
        let _ = writeln!(
            o,
            "  spearman  {:>8}  p {}",
            opt(ic.spearman, 4),
            opt_p(ic.spearman_p_value)
        );
        let _ = writeln!(
            o,
            "  kendall   {:>8}  p {}",
            opt(ic.kendall, 4),
            opt_p(ic.kendall_p_value)
        );
        let _ = writeln!(
            o,
            "  per-date IC       mean {}, std {}, IR {} ({})",
            opt(ic.ic_mean, 4),
            opt(ic.ic_std, 4),
            opt(ic.ic_ir, 4),
            plural(ic.periods as u64, "date")
        );
        let _ = writeln!(
            o,
            "  per-date rank IC  mean {}, std {}, IR {}",
            opt(ic.rank_ic_mean, 4),
            opt(ic.rank_ic_std, 4),
            opt(ic.rank_ic_ir, 4)
        );
        let _ = writeln!(
            o,
            "  hit rate          {}",
            ic.hit_rate.map_or_else(|| "n/a".into(), pct)
        );
        let cl = &e.classification;
        let _ = writeln!(o);
        let _ = writeln!(o, "Classification (label: return > 0)");
        let _ = writeln!(
            o,
            "  ROC AUC {}, PR AUC {}, base rate {}, baseline accuracy {}",
            opt(cl.roc_auc, 4),
            opt(cl.pr_auc, 4),
            cl.base_rate.map_or_else(|| "n/a".into(), pct),
            cl.baseline_accuracy.map_or_else(|| "n/a".into(), pct)
        );
        let k = &e.risk;
        let series = if r.time_slices.is_some() {
            "per-period average returns"
        } else {
            "selected rows' returns by date"
        };
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "Risk ({series}; {} periods/year, risk-free {} per period)",
            c.periods_per_year
                .map_or_else(|| "n/a".into(), |p| format!("{p}")),
            c.risk_free_rate
                .map_or_else(|| "n/a".into(), |p| format!("{p}"))
        );
        let pc = |x: Option<f64>| x.map_or_else(|| "n/a".into(), signed_pct);
        let _ = writeln!(
            o,
            "  total {}, cumulative {}, annualized {}, mean {}, median {}",
            pc(k.total_return),
            pc(k.cumulative_return),
            pc(k.annualized_return),
            pc(k.mean_return),
            pc(k.median_return)
        );
        let _ = writeln!(
            o,
            "  volatility {} (annualized {}), downside deviation {}, max drawdown {}",
            opt_pct(k.volatility),
            opt_pct(k.annualized_volatility),
            opt_pct(k.downside_deviation),
            opt_pct(k.max_drawdown)
        );
        let _ = writeln!(
            o,
            "  sharpe {}, sortino {}, calmar {}, win rate {}, profit factor {}",
            opt(k.sharpe, 4),
            opt(k.sortino, 4),
            opt(k.calmar, 4),
            opt_pct(k.win_rate),
            opt(k.profit_factor, 4)
        );
    }
    o
}

fn opt_pct(x: Option<f64>) -> String {
    x.map_or_else(|| "n/a".into(), pct)
}

fn opt_p(x: Option<f64>) -> String {
    x.map_or_else(|| "n/a".into(), p_value)
}
