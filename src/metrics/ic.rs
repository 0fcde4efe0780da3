//! Information coefficient: Pearson, Spearman and Kendall tau-b with
//! two-sided p-values, per-date cross-sectional IC, hit rate
//! (SPEC §6 "IC", §10 "Extended metrics").
//!
//! # How it is computed (one sort, one merge sort)
//! All three correlations come from one pass over the pairs `(x, y)`
//! (`x` = score, `y` = return), Knight's O(n log n) algorithm, on 128-bit
//! integer keys ([`Key`]: `order_key(x)` high, `order_key(y)` low, so that
//! integer order is `(x, y)` order under `f64::total_cmp`):
//! 1. sort the keys (rayon `par_sort_unstable`: an integer sort);
//! 2. Pearson by two passes over the sorted pairs (sums in fixed-size chunks
//!    combined in order, so the sum order is canonical: independent of the
//!    input row order and of the thread count), and beside it the average
//!    precision (sequential, in a fixed order);
//! 3. one scan of the `x`-tie groups (parallel segments cut at group
//!    starts) gives the tie counts, the joint ties and twice the average
//!    rank of `x` (an exact integer), and rewrites each key to
//!    `(order_key(y), 2 * rank_x)`;
//! 4. a bottom-up merge sort of the rewritten keys (every level in
//!    parallel output segments) counts the discordant pairs: the keys come
//!    in `x` order, so for equal `y` the rank never decreases along the
//!    array, and whole-key inversions are exactly the pairs where `y` falls
//!    while `x` rises strictly;
//! 5. one scan of the `y`-tie groups gives the `y` tie counts and the exact
//!    integer `sum(rank_x * rank_y)`, hence Spearman in exact arithmetic.
//!
//! Scratch memory: 32 bytes per pair (the keys and one merge buffer).
//! Inputs must be finite (`-0.0` and `0.0` are the same value).

use super::classification::ClassificationMetrics;
use super::stats::{self, CHUNK};
use rayon::prelude::*;
use serde::Serialize;

/// One `(x, y)` observation as a 128-bit key: `order_key(x)` in the high
/// half, `order_key(y)` in the low half, so integer order is `(x, y)` order
/// under `f64::total_cmp`. After the x scan: `order_key(y)` high and
/// `2 * rank_x` low (see [`analyze`]).
pub(crate) type Key = u128;

/// From this many pairs on, the sorts and the O(n) passes run in parallel.
const PAR_MIN: usize = 1 << 16;

/// A correlation coefficient with its two-sided p-value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Correlation {
    /// The coefficient in [-1, 1].
    pub coefficient: f64,
    /// Two-sided p-value; `None` for `n < 3`. 0 when `|coefficient| = 1`.
    pub p_value: Option<f64>,
}

/// Per-date cross-sectional IC summary (SPEC §6).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct DailyIc {
    /// Mean over the dates used of the per-date Pearson IC; null with no date.
    pub ic_mean: Option<f64>,
    /// `std(IC, ddof 1)`; null for fewer than 2 dates; noise-level → 0.
    pub ic_std: Option<f64>,
    /// `ic_mean / ic_std`; null when `ic_std` is null or 0.
    pub ic_ir: Option<f64>,
    /// Mean of the per-date Spearman (rank) IC.
    pub rank_ic_mean: Option<f64>,
    /// `std(rank IC, ddof 1)`; null for fewer than 2 dates.
    pub rank_ic_std: Option<f64>,
    /// `rank_ic_mean / rank_ic_std`; null when the std is null or 0.
    pub rank_ic_ir: Option<f64>,
    /// Number of dates used: >= 2 rows with non-constant score and return.
    pub periods: usize,
}

/// Every key of `extended_metrics.ic` (SPEC §11); `None` → JSON `null`.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct IcMetrics {
    pub pearson: Option<f64>,
    pub pearson_p_value: Option<f64>,
    pub spearman: Option<f64>,
    pub spearman_p_value: Option<f64>,
    pub kendall: Option<f64>,
    pub kendall_p_value: Option<f64>,
    pub ic_mean: Option<f64>,
    pub ic_std: Option<f64>,
    pub ic_ir: Option<f64>,
    pub rank_ic_mean: Option<f64>,
    pub rank_ic_std: Option<f64>,
    pub rank_ic_ir: Option<f64>,
    pub periods: usize,
    pub hit_rate: Option<f64>,
}

/// What to compute in [`analyze`].
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Need {
    /// Pearson and Spearman only (per-date IC).
    PearsonSpearman,
    /// Everything: also Kendall and classification.
    All,
}

/// Result of [`analyze`].
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct PairStats {
    pub n: usize,
    pub pearson: Option<f64>,
    pub spearman: Option<f64>,
    pub kendall: Option<f64>,
    pub kendall_p_value: Option<f64>,
    pub positives: u64,
    pub roc_auc: Option<f64>,
    pub pr_auc: Option<f64>,
}

/// The key of `(x, y)` (finite values; `-0.0` is taken as `0.0`).
pub(crate) fn pair_key(x: f64, y: f64) -> Key {
    (u128::from(order_key(stats::canon(x))) << 64) | u128::from(order_key(stats::canon(y)))
}

/// The `x` of a key.
fn kx(k: Key) -> f64 {
    from_order_key((k >> 64) as u64)
}

/// The `y` of a key.
fn ky(k: Key) -> f64 {
    from_order_key(k as u64)
}

/// The high half of a key (the `x`, or after the x scan the `y`).
fn hi(k: &Key) -> u64 {
    (*k >> 64) as u64
}

/// Keys of the `(x, y)` pairs; `None` if the lengths differ or a value is
/// not finite.
pub(crate) fn make_keys(x: &[f64], y: &[f64]) -> Option<Vec<Key>> {
    if x.len() != y.len() {
        return None;
    }
    let finite = |(&a, &b): (&f64, &f64)| a.is_finite() && b.is_finite();
    let key = |(&a, &b): (&f64, &f64)| pair_key(a, b);
    // Check first, then fill an exactly sized vector: collecting `Option`s
    // (in parallel, per-thread pieces joined at the end; sequentially, a
    // doubling vector) would hold up to twice the keys at the peak.
    if x.len() >= PAR_MIN {
        if !x.par_iter().zip(y).all(finite) {
            return None;
        }
        let mut keys = Vec::with_capacity(x.len());
        x.par_iter().zip(y).map(key).collect_into_vec(&mut keys);
        Some(keys)
    } else {
        if !x.iter().zip(y).all(finite) {
            return None;
        }
        let mut keys = Vec::with_capacity(x.len());
        keys.extend(x.iter().zip(y).map(key));
        Some(keys)
    }
}

/// The bits of `x` as an unsigned key in `f64::total_cmp` order.
fn order_key(x: f64) -> u64 {
    let b = x.to_bits();
    b ^ ((((b as i64) >> 63) as u64) | (1 << 63))
}

/// The inverse of [`order_key`].
fn from_order_key(k: u64) -> f64 {
    f64::from_bits(if k >> 63 == 1 { k ^ (1 << 63) } else { !k })
}

/// Sort keys: `(x, y)` order. Integer keys sort about 1.7x faster than
/// float pairs with a `total_cmp` comparator (10^7 pairs: ~0.2 s against
/// ~0.35 s here). Equal keys are equal pairs, so the result is unique.
fn sort_keys(keys: &mut [Key]) {
    if keys.len() >= PAR_MIN {
        keys.par_sort_unstable();
    } else {
        keys.sort_unstable();
    }
}

/// Sum `f` over fixed-size chunks, combining the chunk results in order:
/// identical results sequentially or in parallel.
fn chunked3<F>(v: &[Key], f: F) -> [f64; 3]
where
    F: Fn(&[Key]) -> [f64; 3] + Sync + Send,
{
    let parts: Vec<[f64; 3]> = if v.len() > CHUNK {
        v.par_chunks(CHUNK).map(&f).collect()
    } else {
        v.chunks(CHUNK).map(&f).collect()
    };
    parts
        .iter()
        .fold([0.0; 3], |a, p| [a[0] + p[0], a[1] + p[1], a[2] + p[2]])
}

/// Snap a correlation within a few ulps of ±1 (noise of a perfect linear
/// relation) to ±1 and clamp to [-1, 1].
fn snap_unit(r: f64) -> f64 {
    const NEAR_ONE: f64 = 1.0 - 4.0 * f64::EPSILON;
    if r >= NEAR_ONE {
        1.0
    } else if r <= -NEAR_ONE {
        -1.0
    } else {
        r
    }
}

/// Pearson r of pairs (any order; the sum order is the slice order):
/// `sum((x-mx)(y-my)) / sqrt(sum((x-mx)^2) * sum((y-my)^2))`, two-pass.
/// `None` for n < 2, an exactly constant x or y, or a noise-level std
/// (`std <= 1e-12 * max|.|`).
fn pearson_of_keys(v: &[Key]) -> Option<f64> {
    let n = v.len();
    if n < 2 {
        return None;
    }
    let (x0, y0) = (hi(&v[0]), v[0] as u64);
    if v.iter().all(|k| hi(k) == x0) || v.iter().all(|&k| k as u64 == y0) {
        return None;
    }
    let (max_x, max_y) = v.iter().fold((0.0f64, 0.0f64), |m, &k| {
        (m.0.max(kx(k).abs()), m.1.max(ky(k).abs()))
    });
    // Values whose sums of squares could overflow (returns of 1e145 and
    // more, over many rows) are scaled
    // by a power of two first: exact, and r does not depend on the scale.
    let (fx, fy) = (
        stats::square_safe_scale(max_x),
        stats::square_safe_scale(max_y),
    );
    let [sx, sy, _] = chunked3(v, |c| {
        c.iter().fold([0.0, 0.0, 0.0], |a, &k| {
            [a[0] + kx(k) * fx, a[1] + ky(k) * fy, 0.0]
        })
    });
    let nf = n as f64;
    let (mx, my) = (sx / nf, sy / nf);
    let [sxx, syy, sxy] = chunked3(v, |c| {
        c.iter().fold([0.0, 0.0, 0.0], |a, &k| {
            let dx = kx(k) * fx - mx;
            let dy = ky(k) * fy - my;
            [a[0] + dx * dx, a[1] + dy * dy, a[2] + dx * dy]
        })
    });
    let sdx = stats::denoise_std((sxx / nf).sqrt(), max_x * fx);
    let sdy = stats::denoise_std((syy / nf).sqrt(), max_y * fy);
    if sdx == 0.0 || sdy == 0.0 {
        return None;
    }
    let r = sxy / (sxx.sqrt() * syy.sqrt());
    r.is_finite().then(|| snap_unit(r.clamp(-1.0, 1.0)))
}

/// Sums over tie groups of size c: `c(c-1)/2`, `c(c-1)(c-2)`, `c(c-1)(2c+5)`.
#[derive(Debug, Default, Clone, Copy)]
struct Ties {
    pairs: u128,
    v0: u128,
    v1: u128,
}

impl Ties {
    fn merge(&mut self, o: Ties) {
        self.pairs += o.pairs;
        self.v0 += o.v0;
        self.v1 += o.v1;
    }

    fn add(&mut self, c: usize) {
        let c = c as u128;
        if c > 1 {
            self.pairs += c * (c - 1) / 2;
            self.v0 += c * (c - 1) * (c - 2);
            self.v1 += c * (c - 1) * (2 * c + 5);
        }
    }
}

/// Core of every IC and classification metric: see the module docs.
/// `pairs` (keys, [`pair_key`]) is consumed as scratch (sorted, then
/// overwritten); `buf` is the merge buffer. The classification label is
/// `y > 0`.
pub(crate) fn analyze(pairs: &mut Vec<Key>, buf: &mut Vec<Key>, need: Need) -> PairStats {
    let parts = if pairs.len() >= PAR_MIN {
        4 * rayon::current_num_threads()
    } else {
        1
    };
    analyze_in(pairs, buf, need, parts)
}

/// [`analyze`] with the tie-group scans cut into about `parts` segments
/// (tests compare segmentations: the sums are exact, so they must agree).
fn analyze_in(pairs: &mut Vec<Key>, buf: &mut Vec<Key>, need: Need, parts: usize) -> PairStats {
    let n = pairs.len();
    let mut out = PairStats {
        n,
        ..PairStats::default()
    };
    if n == 0 {
        return out;
    }
    sort_keys(pairs);
    let positives = count_par(pairs, |&k| ky(k) > 0.0);
    out.positives = positives;
    // Read-only passes over the (x, y)-sorted pairs: Pearson, and the
    // average precision (a float sum over the score groups, descending,
    // kept sequential so that its order is fixed).
    let (pearson, pr_auc) = rayon::join(
        || pearson_of_keys(pairs),
        || {
            (need == Need::All)
                .then(|| average_precision(pairs, positives))
                .flatten()
        },
    );
    out.pearson = pearson;
    out.pr_auc = pr_auc;

    // x-tie groups, in parallel segments that start at a group: tie counts,
    // joint ties, the rank sums; then each key becomes (y, 2*rank_x).
    // Integer sums: order-free.
    let x = segments_by(pairs, parts)
        .into_par_iter()
        .map(|(lo, seg)| x_groups(lo, seg))
        .reduce(XGroups::default, XGroups::add);
    if need == Need::All {
        out.roc_auc = roc_auc_from_ranks(n as u64, positives, x.sum_rx2_pos);
    }
    // Sort by (y, 2*rank_x). The pairs come in x order, so for equal y the
    // rank never decreases along the array: whole-key inversions are
    // exactly the discordant pairs (y falls while x rises strictly).
    let discordant = if need == Need::All {
        sort_count_inversions(pairs, buf)
    } else {
        sort_keys(pairs);
        0
    };

    // y-tie groups, in parallel segments that start at a group.
    let y = segments_by(pairs, parts)
        .into_par_iter()
        .map(|(lo, seg)| y_groups(lo, seg))
        .reduce(YGroups::default, YGroups::add);
    let (xt, joint, sum_rx2_sq) = (x.ties, x.joint, x.sum_rx2_sq);
    let (yt, sum_rxry, sum_ry2_sq) = (y.ties, y.sum_rxry, y.sum_ry2_sq);

    // Spearman: Pearson of the ranks, exact in integers (ranks doubled).
    let nn = n as u128;
    let s_r = nn * (nn + 1); // sum of 2*rank
    let den_x = nn * sum_rx2_sq - s_r * s_r;
    let den_y = nn * sum_ry2_sq - s_r * s_r;
    if n >= 2 && den_x > 0 && den_y > 0 {
        let num = (nn * sum_rxry) as i128 - (s_r * s_r) as i128;
        let r = num as f64 / ((den_x as f64).sqrt() * (den_y as f64).sqrt());
        out.spearman = Some(snap_unit(r.clamp(-1.0, 1.0)));
    }

    if need == Need::All {
        kendall_from_counts(n, xt, yt, joint, discordant, &mut out);
    }
    out
}

/// How many keys satisfy `f` (in parallel for large inputs).
fn count_par(v: &[Key], f: impl Fn(&Key) -> bool + Sync) -> u64 {
    if v.len() >= PAR_MIN {
        v.par_iter().filter(|p| f(p)).count() as u64
    } else {
        v.iter().filter(|p| f(p)).count() as u64
    }
}

/// Cut `v` into about `parts` mutable segments, each starting at a group
/// of equal high halves (a group never spans two segments), with their
/// offsets.
fn segments_by(v: &mut [Key], parts: usize) -> Vec<(usize, &mut [Key])> {
    let key = hi;
    let n = v.len();
    let mut cuts = vec![0usize];
    for t in 1..parts.max(1) {
        let mut c = (n * t / parts).max(*cuts.last().unwrap_or(&0));
        while c > 0 && c < n && key(&v[c]) == key(&v[c - 1]) {
            c += 1;
        }
        if c < n && c > *cuts.last().unwrap_or(&0) {
            cuts.push(c);
        }
    }
    let mut out = Vec::with_capacity(cuts.len());
    let mut rest = v;
    for w in cuts.windows(2) {
        let (seg, tail) = rest.split_at_mut(w[1] - w[0]);
        out.push((w[0], seg));
        rest = tail;
    }
    out.push((*cuts.last().unwrap_or(&0), rest));
    out
}

/// Sums over the x-tie groups of one segment (see [`analyze`]).
#[derive(Default)]
struct XGroups {
    ties: Ties,
    joint: u128,
    sum_rx2_pos: u128,
    sum_rx2_sq: u128,
}

impl XGroups {
    fn add(mut self, o: XGroups) -> XGroups {
        self.ties.merge(o.ties);
        self.joint += o.joint;
        self.sum_rx2_pos += o.sum_rx2_pos;
        self.sum_rx2_sq += o.sum_rx2_sq;
        self
    }
}

/// The x-tie groups of `seg` (pairs sorted by (x, y), starting at a group;
/// `lo` = its offset): their sums, and each pair replaced by (y, 2*rank_x).
fn x_groups(lo: usize, seg: &mut [Key]) -> XGroups {
    let mut g = XGroups::default();
    let n = seg.len();
    let mut s = 0usize;
    while s < n {
        let xv = hi(&seg[s]);
        let mut e = s + 1;
        while e < n && hi(&seg[e]) == xv {
            e += 1;
        }
        let c = e - s;
        g.ties.add(c);
        let rx2 = (lo + s + 1 + lo + e) as u128;
        g.sum_rx2_sq += c as u128 * rx2 * rx2;
        let group = &mut seg[s..e];
        // y is sorted within the group: positives are a suffix.
        let pos = (c - group.partition_point(|&k| ky(k) <= 0.0)) as u128;
        g.sum_rx2_pos += rx2 * pos;
        // Joint ties: runs of equal keys (equal y) inside the group.
        let mut a = 0;
        while a < c {
            let mut b = a + 1;
            while b < c && group[b] == group[a] {
                b += 1;
            }
            let k = (b - a) as u128;
            g.joint += k * (k - 1) / 2;
            a = b;
        }
        for k in group.iter_mut() {
            *k = (u128::from(*k as u64) << 64) | rx2;
        }
        s = e;
    }
    g
}

/// Sums over the y-tie groups of one segment of the (y, 2*rank_x) pairs
/// sorted by y.
#[derive(Default)]
struct YGroups {
    ties: Ties,
    sum_rxry: u128,
    sum_ry2_sq: u128,
}

impl YGroups {
    fn add(mut self, o: YGroups) -> YGroups {
        self.ties.merge(o.ties);
        self.sum_rxry += o.sum_rxry;
        self.sum_ry2_sq += o.sum_ry2_sq;
        self
    }
}

fn y_groups(lo: usize, seg: &mut [Key]) -> YGroups {
    let mut g = YGroups::default();
    let n = seg.len();
    let mut s = 0usize;
    while s < n {
        let yv = hi(&seg[s]);
        let mut e = s + 1;
        let mut srx = u128::from(seg[s] as u64);
        while e < n && hi(&seg[e]) == yv {
            srx += u128::from(seg[e] as u64);
            e += 1;
        }
        let c = e - s;
        g.ties.add(c);
        let ry2 = (lo + s + 1 + lo + e) as u128;
        g.sum_rxry += ry2 * srx;
        g.sum_ry2_sq += c as u128 * ry2 * ry2;
        s = e;
    }
    g
}

/// Kendall tau-b and its asymptotic p-value from the tie and swap counts,
/// exactly as scipy `kendalltau(method="asymptotic")`.
fn kendall_from_counts(
    n: usize,
    xt: Ties,
    yt: Ties,
    joint: u128,
    discordant: u64,
    out: &mut PairStats,
) {
    let nn = n as u128;
    let tot = nn * nn.saturating_sub(1) / 2;
    if n < 2 || xt.pairs == tot || yt.pairs == tot {
        return;
    }
    let con_minus_dis =
        tot as i128 - xt.pairs as i128 - yt.pairs as i128 + joint as i128 - 2 * discordant as i128;
    let ax = tot - xt.pairs;
    let ay = tot - yt.pairs;
    let tau = (con_minus_dis as f64 / (ax as f64).sqrt() / (ay as f64).sqrt()).clamp(-1.0, 1.0);
    // |tau| = 1 exactly iff (con - dis)^2 = (tot - xtie)(tot - ytie).
    let perfect = con_minus_dis
        .unsigned_abs()
        .checked_mul(con_minus_dis.unsigned_abs())
        == ax.checked_mul(ay);
    let tau = if perfect { tau.signum() } else { tau };
    out.kendall = Some(tau);
    if n < 3 {
        return;
    }
    if perfect {
        out.kendall_p_value = Some(0.0);
        return;
    }
    let nf = n as f64;
    let m = nf * (nf - 1.0);
    let var = (m * (2.0 * nf + 5.0) - xt.v1 as f64 - yt.v1 as f64) / 18.0
        + (2.0 * xt.pairs as f64 * yt.pairs as f64) / m
        + xt.v0 as f64 * yt.v0 as f64 / (9.0 * m * (nf - 2.0));
    if var > 0.0 && var.is_finite() {
        out.kendall_p_value = stats::normal_two_sided_p(con_minus_dis as f64 / var.sqrt());
    }
}

/// ROC AUC (Mann-Whitney with average ranks) from the sum of the doubled
/// average ranks of the positives; `None` without both classes.
fn roc_auc_from_ranks(n: u64, positives: u64, sum_rx2_pos: u128) -> Option<f64> {
    let negatives = n - positives;
    if positives == 0 || negatives == 0 {
        return None;
    }
    // 2U = sum(2 * rank of positives) - P(P+1).
    let p = positives as u128;
    let two_u = sum_rx2_pos - p * (p + 1);
    Some(two_u as f64 / (2.0 * positives as f64 * negatives as f64))
}

/// Average precision from the pairs sorted by `(score, return)`:
/// thresholds at each distinct score, descending; AP = sum over thresholds
/// of (recall step) * precision. `None` without both classes.
fn average_precision(pairs: &[Key], positives: u64) -> Option<f64> {
    if positives == 0 || positives == pairs.len() as u64 {
        return None;
    }
    let pf = positives as f64;
    let mut tp = 0u64;
    let mut seen = 0u64;
    // Sum of pos * precision over the thresholds, divided by P once: each
    // term is at most `pos` and the `pos` sum to P exactly, so (rounding
    // being monotone) the result never exceeds 1. Adding `(pos / P) *
    // precision` term by term could: twenty terms of 0.05 * 1.0 sum to
    // 1.0000000000000002.
    let mut weighted = 0.0f64;
    let mut e = pairs.len();
    while e > 0 {
        let xv = hi(&pairs[e - 1]);
        let mut s = e - 1;
        while s > 0 && hi(&pairs[s - 1]) == xv {
            s -= 1;
        }
        let group = &pairs[s..e];
        let pos = (group.len() - group.partition_point(|&k| ky(k) <= 0.0)) as u64;
        tp += pos;
        seen += group.len() as u64;
        if pos > 0 {
            weighted += pos as f64 * (tp as f64 / seen as f64);
        }
        e = s;
    }
    Some(weighted / pf)
}

/// Output elements per parallel task of the inversion-counting merge sort.
const MERGE_TASK: usize = 8192;

/// Stable bottom-up merge sort of `v`, returning the number of
/// inversions (pairs i < j with `v[i] > v[j]`). Every level is cut into
/// output segments of [`MERGE_TASK`] elements merged in parallel (a segment
/// inside one merge starts where the merge path says; see [`merge_split`]),
/// so even the last, single merge uses every core. The count is an
/// integer, so it does not depend on threads or segments.
fn sort_count_inversions(v: &mut Vec<Key>, buf: &mut Vec<Key>) -> u64 {
    sort_count_inversions_in(v, buf, MERGE_TASK)
}

/// [`sort_count_inversions`] with `task` output elements per parallel task
/// (tests use tiny tasks so that segments start inside merges).
fn sort_count_inversions_in(v: &mut Vec<Key>, buf: &mut Vec<Key>, task: usize) -> u64 {
    const RUN: usize = 32;
    let task = task.max(1);
    let n = v.len();
    let mut inv: u64 = v
        .par_chunks_mut(RUN)
        .with_min_len((task / RUN).max(1))
        .map(insertion_count)
        .sum();
    if n <= RUN {
        return inv;
    }
    buf.clear();
    buf.resize(n, 0);
    let mut width = RUN;
    let mut in_v = true;
    while width < n {
        let (src, dst): (&[Key], &mut [Key]) = if in_v {
            (&v[..], &mut buf[..])
        } else {
            (&buf[..], &mut v[..])
        };
        inv += dst
            .par_chunks_mut(task)
            .enumerate()
            .map(|(t, out)| merge_segment(src, out, t * task, width))
            .sum::<u64>();
        in_v = !in_v;
        width *= 2;
    }
    if !in_v {
        std::mem::swap(v, buf);
    }
    inv
}

/// Fill `out` with the merged elements `start..start + out.len()` of one
/// level (runs of `width` merged pairwise), counting the inversions that
/// the right-run elements taken here resolve.
fn merge_segment(src: &[Key], out: &mut [Key], start: usize, width: usize) -> u64 {
    let n = src.len();
    let end = start + out.len();
    let mut inv = 0u64;
    let mut pos = start;
    while pos < end {
        let base = pos / (2 * width) * (2 * width);
        let mid = (base + width).min(n);
        let stop = (base + 2 * width).min(n).min(end);
        let (l, r) = (&src[base..mid], &src[mid..(base + 2 * width).min(n)]);
        let (i, j) = merge_split(l, r, pos - base);
        inv += merge_count(l, r, i, j, &mut out[pos - start..stop - start]);
        pos = stop;
    }
    inv
}

/// Where the stable merge of `l` and `r` (ties from the left) has taken `k`
/// elements: `(i, k - i)`, `i` from the left. Binary search on the merge
/// path: the first `i` at which `l[i]` no longer precedes `r[k - i - 1]`.
fn merge_split(l: &[Key], r: &[Key], k: usize) -> (usize, usize) {
    let (mut lo, mut hi) = (k.saturating_sub(r.len()), k.min(l.len()));
    while lo < hi {
        let i = lo + (hi - lo) / 2;
        if l[i] <= r[k - i - 1] {
            lo = i + 1;
        } else {
            hi = i;
        }
    }
    (lo, k - lo)
}

fn insertion_count(a: &mut [Key]) -> u64 {
    let mut inv = 0u64;
    for i in 1..a.len() {
        let mut j = i;
        while j > 0 && a[j - 1] > a[j] {
            a.swap(j - 1, j);
            inv += 1;
            j -= 1;
        }
    }
    inv
}

/// Continue the stable merge of the sorted runs `l` and `r` from `l[i..]`
/// and `r[j..]` until `dst` is full, counting for each element taken from
/// the right run the left elements it passes.
fn merge_count(l: &[Key], r: &[Key], mut i: usize, mut j: usize, dst: &mut [Key]) -> u64 {
    let mut k = 0usize;
    let mut inv = 0u64;
    // Branch-free step (the comparison is a coin flip on real data, so a
    // branch would mispredict half the time): same order, ties from the left.
    while k < dst.len() && i < l.len() && j < r.len() {
        let (a, b) = (l[i], r[j]);
        let take_r = b < a;
        dst[k] = if take_r { b } else { a };
        inv += u64::from(take_r) * (l.len() - i) as u64;
        j += usize::from(take_r);
        i += usize::from(!take_r);
        k += 1;
    }
    let rest = dst.len() - k;
    if i == l.len() {
        dst[k..].copy_from_slice(&r[j..j + rest]);
    } else {
        dst[k..].copy_from_slice(&l[i..i + rest]);
    }
    inv
}

/// Two-sided p-value of a Pearson-type correlation `r` over `n` pairs from
/// Student's t with `n - 2` df: `t = r * sqrt((n-2) / ((1-r)(1+r)))`.
/// `None` for `n < 3`; 0 when `|r| = 1`.
pub fn correlation_p_value(r: f64, n: usize) -> Option<f64> {
    if n < 3 || r.is_nan() {
        return None;
    }
    if r.abs() >= 1.0 {
        return Some(0.0);
    }
    let df = (n - 2) as f64;
    let t = r * (df / ((1.0 - r) * (1.0 + r))).sqrt();
    stats::student_t_two_sided_p(t, df)
}

fn with_p(r: Option<f64>, n: usize) -> Option<Correlation> {
    r.map(|coefficient| Correlation {
        coefficient,
        p_value: correlation_p_value(coefficient, n),
    })
}

/// Pearson correlation `cov(x, y) / (std(x) std(y))` with its two-sided
/// p-value (Student t, n-2 df), like `scipy.stats.pearsonr`.
///
/// `None` when `n < 2`, the lengths differ, a value is not finite, `x` or
/// `y` is exactly constant, or a std is noise-level (`<= 1e-12 * max|.|`).
/// p-value `None` for `n < 3`, 0 for `|r| = 1` (a result within 4 ulps of
/// ±1 is taken as ±1). Sums run over the pairs sorted by `(x, y)`.
pub fn pearson(x: &[f64], y: &[f64]) -> Option<Correlation> {
    let mut pairs = make_keys(x, y)?;
    let n = pairs.len();
    sort_keys(&mut pairs);
    with_p(pearson_of_keys(&pairs), n)
}

/// Spearman correlation: Pearson of the average ranks (ties get the mean
/// rank), computed exactly in integer arithmetic; p-value from Student's t
/// with n-2 df like `scipy.stats.spearmanr`.
///
/// `None` when `n < 2`, lengths differ, a value is not finite, or `x` or `y`
/// is constant. p-value `None` for `n < 3`, 0 for `|rho| = 1`.
pub fn spearman(x: &[f64], y: &[f64]) -> Option<Correlation> {
    let mut pairs = make_keys(x, y)?;
    let n = pairs.len();
    let mut buf = Vec::new();
    with_p(
        analyze(&mut pairs, &mut buf, Need::PearsonSpearman).spearman,
        n,
    )
}

/// Kendall tau-b `(C - D) / sqrt((n0 - n1)(n0 - n2))` (n0 = n(n-1)/2, n1/n2 =
/// pairs tied in x/y) in O(n log n) (Knight), with the asymptotic two-sided
/// p-value of `scipy.stats.kendalltau(method="asymptotic")`: `z = (C - D) /
/// sqrt(var)`, tie-corrected variance
/// `(v0 - vx - vy)/18 + 2 n1 n2 / (n(n-1)) + t1 u1 / (9 n(n-1)(n-2))`.
///
/// `None` when `n < 2`, lengths differ, a value is not finite, or `x` or `y`
/// is constant. p-value `None` for `n < 3`, 0 for `|tau| = 1`.
pub fn kendall_tau_b(x: &[f64], y: &[f64]) -> Option<Correlation> {
    let mut pairs = make_keys(x, y)?;
    let mut buf = Vec::new();
    let st = analyze(&mut pairs, &mut buf, Need::All);
    st.kendall.map(|coefficient| Correlation {
        coefficient,
        p_value: st.kendall_p_value,
    })
}

/// The hit rule of SPEC §6: the score's call (>= 50) matches the sign of
/// the return (> 0).
fn is_hit(score: f64, ret: f64) -> bool {
    (score >= 50.0) == (ret > 0.0)
}

/// `hit_rate` = share of rows where `(score >= 50) == (return > 0)`.
/// `None` when empty or the lengths differ.
pub fn hit_rate(score: &[f64], ret: &[f64]) -> Option<f64> {
    if score.is_empty() || score.len() != ret.len() {
        return None;
    }
    let hit = |(&s, &r): (&f64, &f64)| is_hit(s, r);
    let hits = if score.len() >= PAR_MIN {
        score.par_iter().zip(ret).filter(|&p| hit(p)).count()
    } else {
        score.iter().zip(ret).filter(|&p| hit(p)).count()
    };
    Some(hits as f64 / score.len() as f64)
}

/// Per-date cross-sectional IC (SPEC §6): for each date with >= 2 rows and
/// non-constant score and return, the Pearson IC and the Spearman rank IC;
/// then their mean, `std(ddof 1)` (>= 2 dates; noise-level → 0) and
/// `IR = mean / std` (null when std is null or 0).
///
/// `day` is the UTC day number of each row. Precondition for speed: rows
/// grouped by day in non-decreasing day order; otherwise they are gathered
/// into that order first (O(n log n), 16 extra bytes per row). Within a day
/// the sums run over the pairs sorted by value, so the result does not
/// depend on the row order. Dates run in parallel; results are collected in
/// date order. Lengths must be equal, else the result is empty.
pub fn daily_ic(score: &[f64], ret: &[f64], day: &[i64]) -> DailyIc {
    let n = score.len();
    if ret.len() != n || day.len() != n {
        return DailyIc::default();
    }
    if day.windows(2).all(|w| w[0] <= w[1]) {
        daily_ic_sorted(score, ret, day)
    } else {
        let mut order: Vec<u32> = (0..n as u32).collect();
        order.par_sort_by_key(|&i| day[i as usize]);
        let xs: Vec<f64> = order.iter().map(|&i| score[i as usize]).collect();
        let ys: Vec<f64> = order.iter().map(|&i| ret[i as usize]).collect();
        let ds: Vec<i64> = order.iter().map(|&i| day[i as usize]).collect();
        drop(order);
        daily_ic_sorted(&xs, &ys, &ds)
    }
}

fn daily_ic_sorted(score: &[f64], ret: &[f64], day: &[i64]) -> DailyIc {
    daily_ic_grouped(day, |(s, e), pairs| {
        let (x, y) = (&score[s..e], &ret[s..e]);
        if !x.iter().chain(y).all(|v| v.is_finite()) {
            return false;
        }
        pairs.extend(x.iter().zip(y).map(|(&a, &b)| pair_key(a, b)));
        true
    })
}

/// [`daily_ic_sorted`] over keys ([`pair_key`] of finite pairs) in row order.
fn daily_ic_sorted_keys(keys: &[Key], day: &[i64]) -> DailyIc {
    daily_ic_grouped(day, |(s, e), pairs| {
        pairs.extend_from_slice(&keys[s..e]);
        true
    })
}

/// The per-date pass over rows grouped by day: `fill` puts the keys of the
/// rows `s..e` into the (empty) scratch vector, or says the date is unusable
/// (a non-finite value). A date needs >= 2 rows and non-constant x and y.
fn daily_ic_grouped<F>(day: &[i64], fill: F) -> DailyIc
where
    F: Fn((usize, usize), &mut Vec<Key>) -> bool + Sync,
{
    let mut groups: Vec<(usize, usize)> = Vec::new();
    let mut s = 0usize;
    while s < day.len() {
        let mut e = s + 1;
        while e < day.len() && day[e] == day[s] {
            e += 1;
        }
        if e - s >= 2 {
            groups.push((s, e));
        }
        s = e;
    }
    let per_date: Vec<Option<(f64, f64)>> = groups
        .par_iter()
        .map_init(
            || (Vec::new(), Vec::new()),
            |(pairs, buf): &mut (Vec<Key>, Vec<Key>), &g| {
                pairs.clear();
                if !fill(g, pairs) {
                    return None;
                }
                // Constant x or y (keys hold -0.0 as 0.0, as `==` sees it).
                let (x0, y0) = (hi(&pairs[0]), pairs[0] as u64);
                if pairs.iter().all(|k| hi(k) == x0) || pairs.iter().all(|&k| k as u64 == y0) {
                    return None;
                }
                let st = analyze(pairs, buf, Need::PearsonSpearman);
                Some((st.pearson?, st.spearman?))
            },
        )
        .collect();
    let ics: Vec<f64> = per_date.iter().flatten().map(|p| p.0).collect();
    let rics: Vec<f64> = per_date.iter().flatten().map(|p| p.1).collect();
    let (ic_mean, ic_std, ic_ir) = mean_std_ir(&ics);
    let (rank_ic_mean, rank_ic_std, rank_ic_ir) = mean_std_ir(&rics);
    DailyIc {
        ic_mean,
        ic_std,
        ic_ir,
        rank_ic_mean,
        rank_ic_std,
        rank_ic_ir,
        periods: ics.len(),
    }
}

fn mean_std_ir(v: &[f64]) -> (Option<f64>, Option<f64>, Option<f64>) {
    let m = stats::mean(v);
    let s = stats::std(v, 1);
    let ir = match (m, s) {
        (Some(m), Some(s)) if s > 0.0 => Some(m / s),
        _ => None,
    };
    (m, s, ir)
}

/// Every extended metric over the universe U in one sort (SPEC §6):
/// the IC block and the classification block (label = `ret > 0`,
/// predictor = `score`). `day` as in [`daily_ic`].
///
/// Cost: the per-date pass, then one parallel sort and one parallel merge
/// sort of the n pairs; 32 bytes of scratch per row (the keys and the merge
/// buffer; the per-date pass of ungrouped rows needs 28 bytes per row and
/// frees them first). The backtest keeps its rows as keys already and
/// calls `universe_metrics_of_keys` (crate-private), which needs only the
/// merge buffer.
/// Deterministic for any thread count and any row order. Unequal lengths
/// give all-null blocks; a non-finite value, null pooled blocks (the hit
/// rate and the per-date IC of all-finite dates remain).
pub fn universe_metrics(
    score: &[f64],
    ret: &[f64],
    day: &[i64],
) -> (IcMetrics, ClassificationMetrics) {
    let n = score.len();
    if ret.len() != n || day.len() != n {
        return (IcMetrics::default(), ClassificationMetrics::default());
    }
    if let Some(keys) = make_keys(score, ret) {
        return universe_metrics_of_keys(keys, day);
    }
    // A non-finite value: the pooled blocks are null; the hit rate and the
    // per-date IC of the dates whose values are all finite still exist.
    let hit = hit_rate(score, ret);
    let daily = daily_ic(score, ret, day);
    let st = PairStats::default();
    assemble(n, hit, &st, &daily)
}

/// [`universe_metrics`] of rows given as keys ([`pair_key`] of the finite
/// (score, return) of each row, in row order) with their days. The keys
/// are consumed as the pooled pass's scratch, so the rows are never copied:
/// the per-date pass reads them first (rows grouped by day: in place; else
/// gathered by day, 28 bytes per row, freed before the pooled pass), then
/// the pooled pass sorts them in place with one 16 B/row merge buffer.
pub(crate) fn universe_metrics_of_keys(
    mut keys: Vec<Key>,
    day: &[i64],
) -> (IcMetrics, ClassificationMetrics) {
    let n = keys.len();
    if day.len() != n {
        return (IcMetrics::default(), ClassificationMetrics::default());
    }
    let hit = (n > 0).then(|| count_par(&keys, |&k| is_hit(kx(k), ky(k))) as f64 / n as f64);
    let daily = if day.windows(2).all(|w| w[0] <= w[1]) {
        daily_ic_sorted_keys(&keys, day)
    } else {
        let mut order: Vec<u32> = (0..n as u32).collect();
        order.par_sort_by_key(|&i| day[i as usize]);
        let ks: Vec<Key> = order.iter().map(|&i| keys[i as usize]).collect();
        let ds: Vec<i64> = order.iter().map(|&i| day[i as usize]).collect();
        drop(order);
        daily_ic_sorted_keys(&ks, &ds)
    };
    let mut buf = Vec::new();
    let st = analyze(&mut keys, &mut buf, Need::All);
    assemble(n, hit, &st, &daily)
}

fn assemble(
    n: usize,
    hit: Option<f64>,
    st: &PairStats,
    daily: &DailyIc,
) -> (IcMetrics, ClassificationMetrics) {
    let ic = IcMetrics {
        pearson: st.pearson,
        pearson_p_value: st.pearson.and_then(|r| correlation_p_value(r, n)),
        spearman: st.spearman,
        spearman_p_value: st.spearman.and_then(|r| correlation_p_value(r, n)),
        kendall: st.kendall,
        kendall_p_value: st.kendall_p_value,
        ic_mean: daily.ic_mean,
        ic_std: daily.ic_std,
        ic_ir: daily.ic_ir,
        rank_ic_mean: daily.rank_ic_mean,
        rank_ic_std: daily.rank_ic_std,
        rank_ic_ir: daily.rank_ic_ir,
        periods: daily.periods,
        hit_rate: hit,
    };
    let classification = if st.n == n && n > 0 {
        ClassificationMetrics::from_counts(st.positives, n as u64, st.roc_auc, st.pr_auc)
    } else {
        ClassificationMetrics::default()
    };
    (ic, classification)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Inversions by definition, O(n^2).
    fn naive_inversions(v: &[Key]) -> u64 {
        let mut c = 0;
        for i in 0..v.len() {
            for j in i + 1..v.len() {
                c += u64::from(v[i] > v[j]);
            }
        }
        c
    }

    /// The keys are allocated exactly (the extended-metrics memory bound of
    /// SPEC §8 counts them once), sequentially and in parallel, and any
    /// non-finite value gives `None`.
    #[test]
    fn make_keys_is_exact_and_rejects_non_finite() {
        for n in [10, PAR_MIN + 7] {
            let x: Vec<f64> = (0..n).map(|i| (i % 13) as f64).collect();
            let y: Vec<f64> = (0..n).map(|i| (i % 7) as f64 - 3.0).collect();
            let keys = make_keys(&x, &y).unwrap();
            assert_eq!((keys.len(), keys.capacity()), (n, n));
            assert_eq!(keys[n - 1], pair_key(x[n - 1], y[n - 1]));
            for bad in [f64::NAN, f64::INFINITY] {
                let mut xb = x.clone();
                xb[n / 2] = bad;
                assert!(make_keys(&xb, &y).is_none());
                let mut yb = y.clone();
                yb[n - 1] = bad;
                assert!(make_keys(&x, &yb).is_none());
            }
        }
        assert!(make_keys(&[1.0], &[]).is_none());
    }

    proptest::proptest! {
        /// The tie-group scans give the same statistics however they are
        /// cut into segments (heavy ties in x, in y and joint).
        #[test]
        fn segmented_scans_agree(
            xy in proptest::collection::vec((0u8..9, -3i8..4), 1..400),
            parts in 2usize..12,
        ) {
            let keys: Vec<Key> = xy.iter().map(|&(x, y)| pair_key(f64::from(x), f64::from(y) / 2.0)).collect();
            let run = |parts: usize| {
                let (mut v, mut buf) = (keys.clone(), Vec::new());
                format!("{:?}", analyze_in(&mut v, &mut buf, Need::All, parts))
            };
            proptest::prop_assert_eq!(run(1), run(parts));
        }

        /// Integer order of the keys is `total_cmp` order of (x, y), and
        /// the halves map back to the same bits (any f64, NaN and -0 too).
        #[test]
        fn key_order_is_total_cmp_order(
            bits in proptest::collection::vec((0u64..8, proptest::num::u64::ANY), 0..300),
        ) {
            let special = [0.0, -0.0, 1.5, -1.5, f64::INFINITY, f64::NEG_INFINITY, f64::NAN, f64::MIN_POSITIVE];
            let pairs: Vec<(f64, f64)> = bits
                .iter()
                .map(|&(s, b)| (special[s as usize], f64::from_bits(b)))
                .collect();
            let key = |p: &(f64, f64)| (u128::from(order_key(p.0)) << 64) | u128::from(order_key(p.1));
            for p in &pairs {
                let k = key(p);
                proptest::prop_assert_eq!((kx(k).to_bits(), ky(k).to_bits()), (p.0.to_bits(), p.1.to_bits()));
            }
            let mut expected = pairs.clone();
            expected.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
            let mut got: Vec<Key> = pairs.iter().map(key).collect();
            sort_keys(&mut got);
            let back: Vec<(u64, u64)> = got.iter().map(|&k| (kx(k).to_bits(), ky(k).to_bits())).collect();
            let want: Vec<(u64, u64)> = expected.iter().map(|p| (p.0.to_bits(), p.1.to_bits())).collect();
            proptest::prop_assert_eq!(back, want);
        }

        /// The segmented merge sort sorts and counts every inversion once,
        /// for segments that start anywhere inside a merge; keys shaped as
        /// in `analyze` (value high, a non-decreasing rank low), with equal
        /// keys too.
        #[test]
        fn segmented_merge_sort_counts_inversions(
            values in proptest::collection::vec(0u8..12, 0..300),
            task in 1usize..80,
        ) {
            let input: Vec<Key> = values
                .iter()
                .enumerate()
                .map(|(i, &v)| (u128::from(v) << 64) | (i / 40) as u128)
                .collect();
            let mut expected = input.clone();
            expected.sort_unstable();
            let mut v = input.clone();
            let mut buf = Vec::new();
            let inv = sort_count_inversions_in(&mut v, &mut buf, task);
            proptest::prop_assert_eq!(inv, naive_inversions(&input));
            proptest::prop_assert_eq!(v, expected);
        }
    }
}
