//! Property tests of the IC and classification metrics (proptest), naive
//! O(n^2) cross-checks, and determinism across thread counts and row order.

use gemscan::metrics::classification::{pr_auc, roc_auc};
use gemscan::metrics::ic::{kendall_tau_b, pearson, spearman, universe_metrics};
use gemscan::metrics::stats::average_ranks;
use proptest::prelude::*;

/// Naive tau-b: `(C - D) / sqrt((n0 - n1)(n0 - n2))` over all pairs, plus
/// scipy's asymptotic variance from the tie counts.
fn naive_kendall(x: &[f64], y: &[f64]) -> Option<(f64, Option<f64>)> {
    let n = x.len();
    let (mut c, mut d, mut tx, mut ty) = (0i64, 0i64, 0i64, 0i64);
    for i in 0..n {
        for j in i + 1..n {
            let sx = (x[i] - x[j]).signum() * f64::from(x[i] != x[j]);
            let sy = (y[i] - y[j]).signum() * f64::from(y[i] != y[j]);
            if sx == 0.0 {
                tx += 1;
            }
            if sy == 0.0 {
                ty += 1;
            }
            if sx * sy > 0.0 {
                c += 1;
            } else if sx * sy < 0.0 {
                d += 1;
            }
        }
    }
    let n0 = (n * n.saturating_sub(1) / 2) as i64;
    if n < 2 || tx == n0 || ty == n0 {
        return None;
    }
    let tau = (c - d) as f64 / (((n0 - tx) as f64) * ((n0 - ty) as f64)).sqrt();
    if n < 3 {
        return Some((tau, None));
    }
    if ((c - d) as i128).pow(2) == ((n0 - tx) as i128) * ((n0 - ty) as i128) {
        return Some((tau.signum(), Some(0.0)));
    }
    let groups = |v: &[f64]| {
        let mut s = v.to_vec();
        s.sort_by(f64::total_cmp);
        let mut out = Vec::new();
        let mut i = 0;
        while i < s.len() {
            let mut j = i + 1;
            while j < s.len() && s[j] == s[i] {
                j += 1;
            }
            out.push((j - i) as f64);
            i = j;
        }
        out
    };
    let (gx, gy) = (groups(x), groups(y));
    let v0 = |g: &[f64]| g.iter().map(|c| c * (c - 1.0) * (c - 2.0)).sum::<f64>();
    let v1 = |g: &[f64]| {
        g.iter()
            .map(|c| c * (c - 1.0) * (2.0 * c + 5.0))
            .sum::<f64>()
    };
    let nf = n as f64;
    let m = nf * (nf - 1.0);
    let var = (m * (2.0 * nf + 5.0) - v1(&gx) - v1(&gy)) / 18.0
        + 2.0 * tx as f64 * ty as f64 / m
        + v0(&gx) * v0(&gy) / (9.0 * m * (nf - 2.0));
    let z = (c - d) as f64 / var.sqrt();
    let p = statrs::function::erf::erfc(z.abs() / std::f64::consts::SQRT_2);
    Some((tau, Some(p)))
}

/// Naive AUC: P[s_pos > s_neg] + 0.5 P[tie] over all (pos, neg) pairs.
fn naive_auc(s: &[f64], l: &[bool]) -> Option<f64> {
    let (mut num, mut den) = (0.0, 0.0);
    for i in 0..s.len() {
        for j in 0..s.len() {
            if l[i] && !l[j] {
                den += 1.0;
                if s[i] > s[j] {
                    num += 1.0;
                } else if s[i] == s[j] {
                    num += 0.5;
                }
            }
        }
    }
    (den > 0.0).then(|| num / den)
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * (1.0 + b.abs())
}

/// Small integer-valued vectors: lots of ties.
fn tied(len: std::ops::Range<usize>) -> impl Strategy<Value = (Vec<f64>, Vec<f64>)> {
    len.prop_flat_map(|n| {
        (
            prop::collection::vec((-6i32..6).prop_map(f64::from), n),
            prop::collection::vec((-4i32..4).prop_map(|v| f64::from(v) / 4.0), n),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn kendall_equals_naive((x, y) in tied(0..200)) {
        let fast = kendall_tau_b(&x, &y);
        let slow = naive_kendall(&x, &y);
        match (fast, slow) {
            (None, None) => {}
            (Some(f), Some((tau, p))) => {
                prop_assert!(close(f.coefficient, tau, 1e-12), "{} vs {}", f.coefficient, tau);
                match (f.p_value, p) {
                    (None, None) => {}
                    (Some(a), Some(b)) => prop_assert!(close(a, b, 1e-10), "p {} vs {}", a, b),
                    other => prop_assert!(false, "p mismatch {:?}", other),
                }
            }
            other => prop_assert!(false, "mismatch {:?}", other),
        }
    }

    #[test]
    fn kendall_is_symmetric((x, y) in tied(0..120)) {
        let a = kendall_tau_b(&x, &y);
        let b = kendall_tau_b(&y, &x);
        prop_assert_eq!(a.is_some(), b.is_some());
        if let (Some(a), Some(b)) = (a, b) {
            prop_assert!(close(a.coefficient, b.coefficient, 1e-14));
            prop_assert_eq!(a.p_value.is_some(), b.p_value.is_some());
            if let (Some(pa), Some(pb)) = (a.p_value, b.p_value) {
                prop_assert!(close(pa, pb, 1e-12));
            }
        }
    }

    #[test]
    fn rank_metrics_invariant_under_increasing_transform((x, y) in tied(0..150)) {
        // exp(x / 7) is strictly increasing and keeps distinct integers distinct.
        let tx: Vec<f64> = x.iter().map(|v| (v / 7.0).exp() * 3.0 - 1.0).collect();
        prop_assert_eq!(spearman(&x, &y), spearman(&tx, &y));
        prop_assert_eq!(kendall_tau_b(&x, &y), kendall_tau_b(&tx, &y));
        let labels: Vec<bool> = y.iter().map(|&r| r > 0.0).collect();
        prop_assert_eq!(roc_auc(&x, &labels), roc_auc(&tx, &labels));
        prop_assert_eq!(pr_auc(&x, &labels), pr_auc(&tx, &labels));
    }

    #[test]
    fn auc_of_negated_score_is_one_minus_auc((x, y) in tied(0..150)) {
        let labels: Vec<bool> = y.iter().map(|&r| r > 0.0).collect();
        let neg: Vec<f64> = x.iter().map(|v| -v).collect();
        match (roc_auc(&x, &labels), roc_auc(&neg, &labels)) {
            (Some(a), Some(b)) => prop_assert!((a + b - 1.0).abs() < 1e-12, "{} + {}", a, b),
            (None, None) => {}
            other => prop_assert!(false, "{:?}", other),
        }
    }

    #[test]
    fn auc_equals_naive((x, y) in tied(0..120)) {
        let labels: Vec<bool> = y.iter().map(|&r| r > 0.0).collect();
        let fast = roc_auc(&x, &labels);
        let slow = naive_auc(&x, &labels);
        prop_assert_eq!(fast.is_some(), slow.is_some());
        if let (Some(a), Some(b)) = (fast, slow) {
            prop_assert!(close(a, b, 1e-12));
        }
    }

    #[test]
    fn spearman_is_pearson_of_average_ranks((x, y) in tied(3..150)) {
        let s = spearman(&x, &y).map(|c| c.coefficient);
        let p = pearson(&average_ranks(&x), &average_ranks(&y)).map(|c| c.coefficient);
        prop_assert_eq!(s.is_some(), p.is_some());
        if let (Some(a), Some(b)) = (s, p) {
            prop_assert!(close(a, b, 1e-12), "{} vs {}", a, b);
        }
    }
}

/// Deterministic pseudo-random numbers: the generator's SplitMix64.
use gemscan::synth::SplitMix64 as Mix;

#[test]
fn kendall_equals_naive_on_a_few_thousand_rows() {
    let mut g = Mix(17);
    let n = 3000;
    let x: Vec<f64> = (0..n).map(|_| (g.unit() * 200.0).floor()).collect();
    let y: Vec<f64> = x
        .iter()
        .map(|v| ((v / 50.0 + g.unit() * 3.0) * 10.0).round() / 10.0)
        .collect();
    let (tau, p) = naive_kendall(&x, &y).expect("defined");
    let fast = kendall_tau_b(&x, &y).expect("defined");
    assert!(close(fast.coefficient, tau, 1e-12));
    assert!(close(
        fast.p_value.unwrap_or(f64::NAN),
        p.unwrap_or(f64::NAN),
        1e-9
    ));
}

#[test]
fn universe_metrics_bit_identical_across_threads_and_row_order() {
    // Large enough for the parallel paths (chunks of 32768, parallel sorts).
    let mut g = Mix(5);
    let n = 150_000;
    let mut rows: Vec<(f64, f64, i64)> = (0..n)
        .map(|_| {
            let s = (g.unit() * 1000.0).round() / 10.0;
            let r = (g.unit() - 0.48 + s / 2000.0) * 0.2;
            let d = 19_723 + (g.next() % 40) as i64;
            (s, r, d)
        })
        .collect();
    let run = |rows: &[(f64, f64, i64)], threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("thread pool");
        let x: Vec<f64> = rows.iter().map(|r| r.0).collect();
        let y: Vec<f64> = rows.iter().map(|r| r.1).collect();
        let d: Vec<i64> = rows.iter().map(|r| r.2).collect();
        pool.install(|| universe_metrics(&x, &y, &d))
    };
    let one = run(&rows, 1);
    let two = run(&rows, 2);
    let four = run(&rows, 4);
    assert_eq!(format!("{one:?}"), format!("{two:?}"));
    assert_eq!(format!("{one:?}"), format!("{four:?}"));
    // Shuffle the rows (Fisher-Yates): identical bits.
    for i in (1..rows.len()).rev() {
        let j = (g.next() % (i as u64 + 1)) as usize;
        rows.swap(i, j);
    }
    let shuffled = run(&rows, 2);
    assert_eq!(format!("{one:?}"), format!("{shuffled:?}"));
    assert!(one.0.kendall.is_some() && one.0.periods == 40);
    // Cross-check the one-pass Kendall with the standalone function.
    let x: Vec<f64> = rows.iter().map(|r| r.0).collect();
    let y: Vec<f64> = rows.iter().map(|r| r.1).collect();
    assert_eq!(kendall_tau_b(&x, &y).map(|c| c.coefficient), one.0.kendall);
}
