//! Risk metrics of a strategy's return series (SPEC §6 "Risk", §10 nulls).
//!
//! The series `R = r_1..r_n` is taken in the order given (pooled mode: the
//! selected rows by (date, rank); time-sliced mode: the per-period average
//! returns). `P` = periods per year, `rf` = risk-free rate per period.
//! Every sum runs left to right over `R` (compensated), so the result
//! depends only on the series.

use super::stats;
use serde::Serialize;

/// Every key of `extended_metrics.risk` (SPEC §11). `None` serialises as
/// JSON `null`. An empty series gives all `None`.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct RiskMetrics {
    /// `sum r`.
    pub total_return: Option<f64>,
    /// `prod(1 + r) - 1`.
    pub cumulative_return: Option<f64>,
    /// `prod(1 + r)^(P/n) - 1`; null when `prod(1 + r) < 0`, -1 when it is 0.
    pub annualized_return: Option<f64>,
    /// `mean(r)`.
    pub mean_return: Option<f64>,
    /// Median of `r` (mean of the middle two for an even `n`).
    pub median_return: Option<f64>,
    /// `std(r, ddof 1)`; null for `n < 2`; a noise-level value is 0.
    pub volatility: Option<f64>,
    /// `volatility * sqrt(P)`; null when `volatility` is.
    pub annualized_volatility: Option<f64>,
    /// `sqrt(mean(min(r - rf, 0)^2))` over all n (target semi-deviation).
    pub downside_deviation: Option<f64>,
    /// Largest `(peak_i - e_i) / peak_i` of the equity curve
    /// `e_0 = 1, e_i = prod_{j<=i}(1 + r_j)`, peak including `e_0`; >= 0.
    pub max_drawdown: Option<f64>,
    /// `mean(r - rf) / std(r - rf, ddof 1) * sqrt(P)`; null for `n < 2` or
    /// a zero (or noise-level) std.
    pub sharpe: Option<f64>,
    /// `mean(r - rf) / downside_deviation * sqrt(P)`; null when the downside
    /// deviation is 0.
    pub sortino: Option<f64>,
    /// `annualized_return / max_drawdown`; null when `max_drawdown` is 0 or
    /// `annualized_return` is null.
    pub calmar: Option<f64>,
    /// Share of `r > 0`.
    pub win_rate: Option<f64>,
    /// `sum(r > 0) / |sum(r < 0)|`; null when there is no loss, 0 when there
    /// are losses and no gains.
    pub profit_factor: Option<f64>,
}

/// Compute [`RiskMetrics`] of `returns` (in order) with `periods_per_year`
/// (P, > 0) and the per-period `risk_free_rate` (rf).
///
/// Null rules (SPEC §10): empty series → everything null;
/// `volatility`/`annualized_volatility`/`sharpe` need `n >= 2`;
/// see the field docs for the others. Never returns inf or NaN for finite
/// input: a ratio whose denominator is 0 is null.
pub fn risk_metrics(returns: &[f64], periods_per_year: f64, risk_free_rate: f64) -> RiskMetrics {
    let n = returns.len();
    if n == 0 {
        return RiskMetrics::default();
    }
    let p = periods_per_year;
    let sqrt_p = p.sqrt();
    let nf = n as f64;

    let total_return = stats::sum(returns);
    let growth = returns.iter().fold(1.0f64, |g, &r| g * (1.0 + r));
    let cumulative_return = growth - 1.0;
    let annualized_return = annualized_return(growth, p, nf);
    let mean_return = total_return / nf;
    let median_return = stats::median(returns);

    let volatility = stats::std(returns, 1);
    let annualized_volatility = volatility.map(|v| v * sqrt_p);

    let excess: Vec<f64> = returns.iter().map(|&r| r - risk_free_rate).collect();
    let mean_excess = stats::sum(&excess) / nf;
    let downside_sq: Vec<f64> = excess
        .iter()
        .map(|&e| {
            let d = e.min(0.0);
            d * d
        })
        .collect();
    let downside_deviation = (stats::sum(&downside_sq) / nf).sqrt();

    let max_drawdown = max_drawdown(returns);

    let sharpe = match stats::std(&excess, 1) {
        Some(s) if s > 0.0 => finite(mean_excess / s * sqrt_p),
        _ => None,
    };
    let sortino = if downside_deviation > 0.0 {
        finite(mean_excess / downside_deviation * sqrt_p)
    } else {
        None
    };
    let calmar = match annualized_return {
        Some(a) if max_drawdown > 0.0 => finite(a / max_drawdown),
        _ => None,
    };

    let wins = returns.iter().filter(|&&r| r > 0.0).count();
    let gains: Vec<f64> = returns.iter().copied().filter(|&r| r > 0.0).collect();
    let losses: Vec<f64> = returns.iter().copied().filter(|&r| r < 0.0).collect();
    let profit_factor = if losses.is_empty() {
        None
    } else {
        let loss = stats::sum(&losses).abs();
        if gains.is_empty() {
            Some(0.0)
        } else {
            finite(stats::sum(&gains) / loss)
        }
    };

    RiskMetrics {
        total_return: Some(total_return),
        cumulative_return: Some(cumulative_return),
        annualized_return,
        mean_return: Some(mean_return),
        median_return,
        volatility,
        annualized_volatility,
        downside_deviation: Some(downside_deviation),
        max_drawdown: Some(max_drawdown),
        sharpe,
        sortino,
        calmar,
        win_rate: Some(wins as f64 / nf),
        profit_factor,
    }
}

fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

/// `growth^(P/n) - 1`; null for negative growth, -1 for zero growth.
fn annualized_return(growth: f64, p: f64, n: f64) -> Option<f64> {
    if growth < 0.0 || growth.is_nan() {
        None
    } else if growth == 0.0 {
        Some(-1.0)
    } else {
        finite(growth.powf(p / n) - 1.0)
    }
}

/// Maximum drawdown of the equity curve starting at 1 before the first
/// return (so a first-period loss counts): `max_i (peak_i - e_i) / peak_i`,
/// with `peak_i = max(1, e_1..e_i)`. 0 for an empty or never-falling series.
pub fn max_drawdown(returns: &[f64]) -> f64 {
    let mut equity = 1.0f64;
    let mut peak = 1.0f64;
    let mut mdd = 0.0f64;
    for &r in returns {
        equity *= 1.0 + r;
        if equity > peak {
            peak = equity;
        }
        let dd = (peak - equity) / peak;
        if dd > mdd {
            mdd = dd;
        }
    }
    mdd
}
