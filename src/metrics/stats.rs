//! Shared maths for the metrics: means, standard deviations with the SPEC's
//! noise rule, medians, average ranks, two-sided p-values (Student t, normal)
//! and exact hypergeometric tails.
//!
//! Every function here is pure, allocation-light and deterministic: sums run
//! in input order (or in fixed-size chunks combined in index order), never in
//! an order that depends on the number of threads.
//!
//! Distributions: the Student t and normal tails come from `statrs`
//! (`StudentsT::sf`, i.e. the regularised incomplete beta function, and
//! `erfc`). The hypergeometric pmf is computed here by the ratio recurrence
//! from the mode and normalised to sum 1, because `statrs`'
//! `Hypergeometric::sf` differences `ln(n!)` values: with a population of
//! 10^7 (`ln(10^7!) ~ 1.5e8`) that loses about 8 significant digits, while the
//! recurrence keeps a relative error of a few ulps per step (see
//! `tests/metrics_stats.rs`, which compares both to scipy).

use statrs::distribution::{ContinuousCDF, StudentsT};

/// Relative threshold of the SPEC's noise rule: a standard deviation
/// `<= NOISE_REL * max|x|` is floating-point noise of a constant series and
/// counts as 0.
pub const NOISE_REL: f64 = 1e-12;

/// Chunk length of the deterministic parallel reductions. Fixed, so the
/// result does not depend on the number of threads.
pub(crate) const CHUNK: usize = 1 << 15;

/// Neumaier-compensated sum, in input order.
pub fn sum(x: &[f64]) -> f64 {
    neumaier(x.iter().copied())
}

/// `sum(x * f)` for a power of two `f` (no scaled copy).
fn sum_scaled(x: &[f64], f: f64) -> f64 {
    neumaier(x.iter().map(|&v| v * f))
}

fn neumaier(x: impl Iterator<Item = f64>) -> f64 {
    let mut s = 0.0f64;
    let mut c = 0.0f64;
    for v in x {
        let t = s + v;
        if s.abs() >= v.abs() {
            c += (s - t) + v;
        } else {
            c += (v - t) + s;
        }
        s = t;
    }
    s + c
}

/// Arithmetic mean `sum(x) / n` (compensated sum). `None` when `x` is empty.
pub fn mean(x: &[f64]) -> Option<f64> {
    if x.is_empty() {
        None
    } else {
        Some(sum(x) / x.len() as f64)
    }
}

/// A power of two that brings `max_abs` (the largest |value| of a series)
/// near 1 when sums of squares of such values could overflow or underflow
/// (beyond 2^±480: headroom for 2^32 rows of (2 max)^2); else 1. Multiplying by a power of two is exact, so sums,
/// means and standard deviations of the scaled values are the unscaled ones
/// times that power, bit for bit, and ratios such as a correlation do not
/// change at all.
pub fn square_safe_scale(max_abs: f64) -> f64 {
    if !max_abs.is_finite() || max_abs == 0.0 {
        return 1.0;
    }
    let e = max_abs.log2().floor();
    if (-480.0..=480.0).contains(&e) {
        1.0
    } else {
        // 2^-e for e in [-1000, 1023]: a normal or exactly representable
        // subnormal power of two.
        2f64.powi(-(e.clamp(-1000.0, 1023.0) as i32))
    }
}

/// Largest absolute value (0 for an empty slice).
pub fn max_abs(x: &[f64]) -> f64 {
    x.iter().fold(0.0f64, |m, v| m.max(v.abs()))
}

/// True when every element equals the first exactly (`-0.0 == 0.0`).
/// An empty slice is constant.
pub fn is_constant(x: &[f64]) -> bool {
    match x.first() {
        None => true,
        Some(&f) => x.iter().all(|&v| v == f),
    }
}

/// Apply the noise rule to a standard deviation `std` of a series whose
/// largest absolute value is `max_abs`: returns 0 when
/// `std <= 1e-12 * max_abs`, else `std`.
pub fn denoise_std(std: f64, max_abs: f64) -> f64 {
    if std <= NOISE_REL * max_abs {
        0.0
    } else {
        std
    }
}

/// Standard deviation with `ddof` delta degrees of freedom:
/// `sqrt(sum((x - mean)^2) / (n - ddof))` (two-pass).
///
/// Null when `n <= ddof`. An exactly constant series gives 0, and so does a
/// noise-level result (`std <= 1e-12 * max|x|`, SPEC §6): callers can test
/// `== 0.0` before dividing.
pub fn std(x: &[f64], ddof: usize) -> Option<f64> {
    let n = x.len();
    if n <= ddof {
        return None;
    }
    if is_constant(x) {
        return Some(0.0);
    }
    // Scaled by a power of two when squares would overflow (exact; see
    // `square_safe_scale`), unscaled at the end.
    let max = max_abs(x);
    let f = square_safe_scale(max);
    let m = sum_scaled(x, f) / n as f64;
    let mut s = 0.0f64;
    for &v in x {
        let d = v * f - m;
        s += d * d;
    }
    let sd = (s / (n - ddof) as f64).sqrt();
    Some(denoise_std(sd, max * f) / f)
}

/// Median; the mean of the two middle values for an even count. `None` when
/// empty. Copies `x` (O(n) time via selection).
pub fn median(x: &[f64]) -> Option<f64> {
    let n = x.len();
    if n == 0 {
        return None;
    }
    let mut v = x.to_vec();
    let k = n / 2;
    let (_, &mut hi, _) = v.select_nth_unstable_by(k, f64::total_cmp);
    if n % 2 == 1 {
        Some(hi)
    } else {
        // The lower middle is the largest element left of k.
        let lo = v[..k].iter().copied().fold(f64::NEG_INFINITY, f64::max);
        Some((lo + hi) / 2.0)
    }
}

/// Average ranks (1-based; tied values share the mean of the ranks they
/// span), like `scipy.stats.rankdata(x, method="average")`.
/// Values compare numerically (`-0.0 == 0.0`); NaN is not supported.
pub fn average_ranks(x: &[f64]) -> Vec<f64> {
    let mut twice = vec![0u64; x.len()];
    ranks_x2(x, &mut twice);
    twice.iter().map(|&r| r as f64 / 2.0).collect()
}

/// Twice the average rank of each element, as an exact integer
/// (`2 * rank` is always an integer). `out.len()` must equal `x.len()`.
pub(crate) fn ranks_x2(x: &[f64], out: &mut [u64]) {
    let mut order: Vec<u32> = (0..x.len() as u32).collect();
    order.sort_unstable_by(|&a, &b| canon(x[a as usize]).total_cmp(&canon(x[b as usize])));
    let mut s = 0usize;
    while s < order.len() {
        let v = x[order[s] as usize];
        let mut e = s + 1;
        while e < order.len() && x[order[e] as usize] == v {
            e += 1;
        }
        // Positions s..e (0-based) hold ranks s+1..=e; twice their mean is s+1+e.
        let r2 = (s + 1 + e) as u64;
        for &i in &order[s..e] {
            out[i as usize] = r2;
        }
        s = e;
    }
}

/// Map `-0.0` to `0.0` so that `total_cmp` orders equal values together.
#[inline]
pub(crate) fn canon(v: f64) -> f64 {
    v + 0.0
}

/// Two-sided p-value of a Student t statistic with `df` degrees of freedom:
/// `2 * P[T > |t|]` (statrs `StudentsT::sf`, the regularised incomplete beta
/// function). `t = ±inf` gives 0. `None` when `df <= 0` or `t` is NaN.
pub fn student_t_two_sided_p(t: f64, df: f64) -> Option<f64> {
    if t.is_nan() || df.is_nan() || df <= 0.0 {
        return None;
    }
    if t.is_infinite() {
        return Some(0.0);
    }
    let dist = StudentsT::new(0.0, 1.0, df).ok()?;
    Some((2.0 * dist.sf(t.abs())).clamp(0.0, 1.0))
}

/// Two-sided p-value of a standard normal statistic: `2 * P[Z > |z|] =
/// erfc(|z| / sqrt(2))` (statrs `erfc`). `None` for NaN.
pub fn normal_two_sided_p(z: f64) -> Option<f64> {
    if z.is_nan() {
        return None;
    }
    Some(statrs::function::erf::erfc(z.abs() / std::f64::consts::SQRT_2).clamp(0.0, 1.0))
}

/// Probability mass function of Hypergeometric(population `n`, successes
/// `k`, draws `m`) over its support: returns `(lo, pmf)` where `pmf[i] =
/// P[X = lo + i]`, `lo = max(0, m + k - n)`, last index `min(k, m) - lo`.
///
/// Computed by the ratio recurrence
/// `p(x+1)/p(x) = (k-x)(m-x) / ((x+1)(n-k-m+x+1))` outward from the mode and
/// normalised to sum 1 (no factorials, so no cancellation for large `n`).
/// Terms below the smallest positive f64 relative to the mode underflow to 0.
/// `k` and `m` larger than `n` are clamped to `n` (caller bug; debug-asserted).
pub fn hypergeom_pmf(population: u64, successes: u64, draws: u64) -> (u64, Vec<f64>) {
    debug_assert!(successes <= population && draws <= population);
    let n = population;
    let k = successes.min(n);
    let m = draws.min(n);
    let lo = (m + k).saturating_sub(n);
    let hi = k.min(m);
    let len = (hi - lo + 1) as usize;
    let mut p = vec![0.0f64; len];
    // Mode of the hypergeometric distribution.
    let mode = (((m as u128 + 1) * (k as u128 + 1)) / (n as u128 + 2)) as u64;
    let mode = mode.clamp(lo, hi);
    let (kf, mf) = (k as f64, m as f64);
    p[(mode - lo) as usize] = 1.0;
    // Upward: x -> x + 1.
    let mut x = mode;
    while x < hi {
        let xf = x as f64;
        let num = (kf - xf) * (mf - xf);
        // n - k - m + x + 1 >= 1 because x >= lo.
        let den = (xf + 1.0) * ((n + x + 1 - k - m) as f64);
        let cur = p[(x - lo) as usize];
        p[(x + 1 - lo) as usize] = cur * (num / den);
        x += 1;
    }
    // Downward: x -> x - 1.
    let mut x = mode;
    while x > lo {
        let xf = x as f64;
        // n - k - m + x >= 1 because x > lo.
        let num = xf * ((n + x - k - m) as f64);
        let den = (kf - xf + 1.0) * (mf - xf + 1.0);
        let cur = p[(x - lo) as usize];
        p[(x - 1 - lo) as usize] = cur * (num / den);
        x -= 1;
    }
    // Normalise; add the small terms first.
    let total = sum_small_first(&p, (mode - lo) as usize);
    for v in &mut p {
        *v /= total;
    }
    (lo, p)
}

/// Sum of a unimodal non-negative sequence, smallest terms first (from both
/// ends towards the mode).
fn sum_small_first(p: &[f64], mode: usize) -> f64 {
    let left: f64 = p[..mode].iter().sum();
    let right: f64 = p[mode..].iter().rev().sum();
    left + right
}

/// `P[X >= hits]` for X ~ Hypergeometric(population `N`, successes `K`,
/// draws `m`): the chance that drawing `m` of `N` rows at random, `K` of
/// them positive, hits at least `hits` positives (SPEC §4.1
/// `precision_p_value`).
///
/// Exact up to rounding (pmf by recurrence, tail summed smallest term
/// first). `hits = 0` gives 1; `hits > min(K, m)` gives 0.
/// Note the convention: scipy's `hypergeom.sf(hits - 1, N, K, m)` and statrs'
/// `sf(hits - 1)` are `P[X > hits - 1]`, the same quantity.
pub fn hypergeom_sf_ge(population: u64, successes: u64, draws: u64, hits: u64) -> f64 {
    if hits == 0 {
        return 1.0;
    }
    let (lo, p) = hypergeom_pmf(population, successes, draws);
    let hi = lo + p.len() as u64 - 1;
    if hits <= lo {
        return 1.0;
    }
    if hits > hi {
        return 0.0;
    }
    let start = (hits - lo) as usize;
    // The tail is the smaller side when hits is above the mean: sum it from
    // its smallest end. Otherwise use 1 - (lower part), also summed small
    // first, whichever part is smaller.
    let upper: f64 = p[start..].iter().rev().sum();
    let lower: f64 = p[..start].iter().sum();
    if upper <= lower {
        upper.clamp(0.0, 1.0)
    } else {
        (1.0 - lower).clamp(0.0, 1.0)
    }
}

/// Parameters of one period's hypergeometric draw for
/// [`hypergeom_sum_sf_ge`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HypergeomDraw {
    /// N_p: rows in the period.
    pub population: u64,
    /// K_p: rows with a positive return in the period.
    pub successes: u64,
    /// m_p: rows selected in the period.
    pub draws: u64,
}

/// Time-sliced p-value (SPEC §10): `P[sum_p X_p >= total_hits]` for
/// independent `X_p ~ Hypergeometric(N_p, K_p, m_p)`.
///
/// Exact convolution of the per-period pmfs, with every sum at or above
/// `total_hits` kept in one absorbing bucket (the X_p are >= 0, so a partial
/// sum that reached the threshold stays there). All terms are non-negative,
/// so the result keeps its relative accuracy deep in the tail (1e-12 and
/// below). Cost O(sum_p min(total_hits, ...) * (m_p + 1)).
/// `total_hits = 0` (or no periods with `total_hits = 0`) gives 1; a total
/// above `sum_p min(K_p, m_p)` gives 0.
pub fn hypergeom_sum_sf_ge(periods: &[HypergeomDraw], total_hits: u64) -> f64 {
    if total_hits == 0 {
        return 1.0;
    }
    let max_total: u64 = periods
        .iter()
        .map(|d| d.successes.min(d.draws).min(d.population))
        .sum();
    if total_hits > max_total {
        return 0.0;
    }
    let t = total_hits as usize;
    // dist[s] = P[partial sum = s] for s < t; dist[t] = P[partial sum >= t].
    let mut dist = vec![0.0f64; t + 1];
    let mut next = vec![0.0f64; t + 1];
    dist[0] = 1.0;
    // Highest index with possibly non-zero mass, to skip empty work.
    let mut top = 0usize;
    for d in periods {
        let (lo, p) = hypergeom_pmf(d.population, d.successes, d.draws);
        let lo = lo as usize;
        next.iter_mut().for_each(|v| *v = 0.0);
        for (s, &ps) in dist.iter().enumerate().take(top + 1) {
            if ps == 0.0 {
                continue;
            }
            if s == t {
                next[t] += ps;
                continue;
            }
            for (i, &pi) in p.iter().enumerate() {
                let idx = (s + lo + i).min(t);
                next[idx] += ps * pi;
            }
        }
        top = (top + lo + p.len() - 1).min(t);
        std::mem::swap(&mut dist, &mut next);
    }
    dist[t].clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noise_rule_zeroes_constant_like_std() {
        let x = [0.1, 0.1, 0.1];
        assert_eq!(std(&x, 1), Some(0.0));
        let y = [0.1 + 0.2, 0.3, 0.3];
        assert_eq!(std(&y, 1), Some(0.0));
        assert_eq!(std(&[1.0], 1), None);
        assert_eq!(std(&[1.0], 0), Some(0.0));
    }

    #[test]
    fn median_even_odd() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn pmf_sums_to_one() {
        let (lo, p) = hypergeom_pmf(20, 7, 12);
        assert_eq!(lo, 0);
        assert_eq!(p.len(), 8);
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-15);
    }
}
