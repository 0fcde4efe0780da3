//! Shared maths (stats.rs) against exact rational arithmetic and scipy.
//!
//! Reference values were computed once in a throw-away venv outside the
//! repository (numpy 2.4.6, scipy 1.17.1, Python `fractions` + `math.comb`
//! for the exact hypergeometric values). The hypergeometric tails are
//! checked against the EXACT value (scipy's own value is in the comment; for
//! N = 10^7 scipy itself is off by ~7e-10 relative).

use gemscan::metrics::stats::{
    average_ranks, hypergeom_pmf, hypergeom_sf_ge, hypergeom_sum_sf_ge, mean, median,
    normal_two_sided_p, square_safe_scale, std, student_t_two_sided_p, HypergeomDraw,
};

fn rel_close(got: f64, want: f64, rel: f64) -> bool {
    got == want || (got - want).abs() <= rel * want.abs()
}

// numpy 2.4.6, scipy 1.17.1; exact = Python fractions with math.comb:
// exact P[X >= h] = sum_{x>=h} C(K,x) C(N-K,m-x) / C(N,m); scipy = hypergeom.sf(h - 1, N, K, m)
const SF_CASES: &[(u64, u64, u64, u64, f64)] = &[
    (20, 7, 12, 5, 0.39164086687306504), // scipy 0.39164086687306504
    (20, 7, 12, 0, 1.0),                 // scipy 1.0
    (20, 7, 12, 7, 0.01021671826625387), // scipy 0.010216718266253873
    (20, 7, 12, 8, 0.0),                 // scipy 0.0
    (10, 10, 3, 3, 1.0),                 // scipy 1.0
    (10, 0, 3, 1, 0.0),                  // scipy 0.0
    (1, 1, 1, 1, 1.0),                   // scipy 1.0
    (1000, 300, 50, 30, 6.078843840680465e-06), // scipy 6.078843840680463e-06
    (500, 250, 400, 210, 0.016654419965955757), // scipy 0.016654419965955757
    (500, 250, 400, 150, 1.0),           // scipy 1.0
    (10000000, 5000000, 10, 10, 0.0009765581054744629), // scipy 0.0009765581047825338
    (10000000, 100000, 10, 6, 2.0286422876172247e-10), // scipy 2.0286422854153165e-10
    (10000000, 100000, 10, 9, 9.906476620423606e-18), // scipy 9.906476618680595e-18
    (10000000, 3000000, 1000, 380, 3.894185217098279e-08), // scipy 3.8941852138919476e-08
    (2000, 1000, 10, 1, 0.9990452674173292), // scipy 0.9990452674173292
];
// Time-sliced: exact = rational convolution of the pmfs, tail at total; scipy = np.convolve of hypergeom.pmf, dist[total:].sum()
/// (N_p, K_p, m_p) of one period.
type Draw = (u64, u64, u64);

const SUM_CASES: &[(&[Draw], u64, f64)] = &[
    (
        &[(20, 7, 5), (15, 3, 5), (30, 20, 5)],
        8,
        0.1795829262640502,
    ), // scipy 0.17958292626405015
    (&[(20, 7, 5), (15, 3, 5), (30, 20, 5)], 0, 1.0), // scipy 0.9999999999999998
    (&[(20, 7, 5), (15, 3, 5), (30, 20, 5)], 16, 0.0), // scipy 0.0
    (&[(5, 5, 5), (6, 0, 3)], 5, 1.0),                // scipy 1.0
    (&[(5, 5, 5), (6, 0, 3)], 6, 0.0),                // scipy 0.0
    (
        &[
            (415, 173, 10),
            (88, 14, 10),
            (130, 15, 10),
            (156, 62, 10),
            (131, 22, 10),
            (410, 164, 10),
            (441, 102, 10),
            (311, 101, 10),
            (67, 31, 10),
            (92, 43, 10),
            (199, 57, 10),
            (244, 44, 10),
            (329, 65, 10),
            (265, 116, 10),
            (169, 56, 10),
            (121, 20, 10),
            (361, 163, 10),
            (380, 184, 10),
            (64, 31, 10),
            (101, 34, 10),
            (253, 123, 10),
            (226, 77, 10),
            (449, 134, 10),
            (282, 137, 10),
            (239, 81, 10),
            (243, 100, 10),
            (349, 81, 10),
            (314, 130, 10),
            (127, 61, 10),
            (382, 46, 10),
            (390, 122, 10),
            (480, 118, 10),
            (403, 48, 10),
            (177, 23, 10),
            (193, 39, 10),
            (341, 60, 10),
            (342, 132, 10),
            (363, 67, 10),
            (441, 154, 10),
            (181, 79, 10),
            (472, 140, 10),
            (50, 7, 10),
            (84, 10, 10),
            (488, 106, 10),
            (474, 125, 10),
            (184, 54, 10),
            (112, 24, 10),
            (191, 83, 10),
            (69, 21, 10),
            (451, 218, 10),
            (348, 164, 10),
            (313, 119, 10),
            (160, 17, 10),
            (262, 48, 10),
            (135, 53, 10),
            (397, 125, 10),
            (263, 125, 10),
            (63, 23, 10),
            (164, 70, 10),
            (368, 43, 10),
            (283, 61, 10),
            (218, 80, 10),
            (164, 57, 10),
            (90, 22, 10),
            (323, 52, 10),
            (347, 115, 10),
            (284, 37, 10),
            (469, 171, 10),
            (467, 195, 10),
            (143, 52, 10),
            (323, 40, 10),
            (333, 102, 10),
            (161, 35, 10),
            (184, 59, 10),
            (269, 99, 10),
            (383, 68, 10),
            (181, 20, 10),
            (374, 111, 10),
            (344, 119, 10),
            (148, 21, 10),
            (224, 105, 10),
            (423, 123, 10),
            (429, 208, 10),
            (345, 108, 10),
            (52, 20, 10),
            (357, 145, 10),
            (151, 44, 10),
            (419, 107, 10),
            (461, 168, 10),
            (242, 25, 10),
            (480, 166, 10),
            (391, 121, 10),
            (196, 30, 10),
            (445, 80, 10),
            (223, 25, 10),
            (96, 37, 10),
            (317, 118, 10),
            (432, 110, 10),
            (345, 165, 10),
            (227, 56, 10),
            (455, 100, 10),
            (265, 122, 10),
            (223, 29, 10),
            (115, 29, 10),
            (145, 15, 10),
            (364, 86, 10),
            (409, 159, 10),
            (181, 43, 10),
            (332, 98, 10),
            (442, 129, 10),
            (116, 13, 10),
            (173, 23, 10),
            (285, 62, 10),
            (302, 96, 10),
            (229, 28, 10),
            (229, 106, 10),
            (108, 47, 10),
            (325, 105, 10),
            (469, 183, 10),
            (138, 54, 10),
        ],
        357,
        0.5174081863868384,
    ), // scipy 0.517408186386836
    (
        &[
            (415, 173, 10),
            (88, 14, 10),
            (130, 15, 10),
            (156, 62, 10),
            (131, 22, 10),
            (410, 164, 10),
            (441, 102, 10),
            (311, 101, 10),
            (67, 31, 10),
            (92, 43, 10),
            (199, 57, 10),
            (244, 44, 10),
            (329, 65, 10),
            (265, 116, 10),
            (169, 56, 10),
            (121, 20, 10),
            (361, 163, 10),
            (380, 184, 10),
            (64, 31, 10),
            (101, 34, 10),
            (253, 123, 10),
            (226, 77, 10),
            (449, 134, 10),
            (282, 137, 10),
            (239, 81, 10),
            (243, 100, 10),
            (349, 81, 10),
            (314, 130, 10),
            (127, 61, 10),
            (382, 46, 10),
            (390, 122, 10),
            (480, 118, 10),
            (403, 48, 10),
            (177, 23, 10),
            (193, 39, 10),
            (341, 60, 10),
            (342, 132, 10),
            (363, 67, 10),
            (441, 154, 10),
            (181, 79, 10),
            (472, 140, 10),
            (50, 7, 10),
            (84, 10, 10),
            (488, 106, 10),
            (474, 125, 10),
            (184, 54, 10),
            (112, 24, 10),
            (191, 83, 10),
            (69, 21, 10),
            (451, 218, 10),
            (348, 164, 10),
            (313, 119, 10),
            (160, 17, 10),
            (262, 48, 10),
            (135, 53, 10),
            (397, 125, 10),
            (263, 125, 10),
            (63, 23, 10),
            (164, 70, 10),
            (368, 43, 10),
            (283, 61, 10),
            (218, 80, 10),
            (164, 57, 10),
            (90, 22, 10),
            (323, 52, 10),
            (347, 115, 10),
            (284, 37, 10),
            (469, 171, 10),
            (467, 195, 10),
            (143, 52, 10),
            (323, 40, 10),
            (333, 102, 10),
            (161, 35, 10),
            (184, 59, 10),
            (269, 99, 10),
            (383, 68, 10),
            (181, 20, 10),
            (374, 111, 10),
            (344, 119, 10),
            (148, 21, 10),
            (224, 105, 10),
            (423, 123, 10),
            (429, 208, 10),
            (345, 108, 10),
            (52, 20, 10),
            (357, 145, 10),
            (151, 44, 10),
            (419, 107, 10),
            (461, 168, 10),
            (242, 25, 10),
            (480, 166, 10),
            (391, 121, 10),
            (196, 30, 10),
            (445, 80, 10),
            (223, 25, 10),
            (96, 37, 10),
            (317, 118, 10),
            (432, 110, 10),
            (345, 165, 10),
            (227, 56, 10),
            (455, 100, 10),
            (265, 122, 10),
            (223, 29, 10),
            (115, 29, 10),
            (145, 15, 10),
            (364, 86, 10),
            (409, 159, 10),
            (181, 43, 10),
            (332, 98, 10),
            (442, 129, 10),
            (116, 13, 10),
            (173, 23, 10),
            (285, 62, 10),
            (302, 96, 10),
            (229, 28, 10),
            (229, 106, 10),
            (108, 47, 10),
            (325, 105, 10),
            (469, 183, 10),
            (138, 54, 10),
        ],
        507,
        1.3084530571762451e-22,
    ), // scipy 1.3084530571762393e-22
    (
        &[
            (415, 173, 10),
            (88, 14, 10),
            (130, 15, 10),
            (156, 62, 10),
            (131, 22, 10),
            (410, 164, 10),
            (441, 102, 10),
            (311, 101, 10),
            (67, 31, 10),
            (92, 43, 10),
            (199, 57, 10),
            (244, 44, 10),
            (329, 65, 10),
            (265, 116, 10),
            (169, 56, 10),
            (121, 20, 10),
            (361, 163, 10),
            (380, 184, 10),
            (64, 31, 10),
            (101, 34, 10),
            (253, 123, 10),
            (226, 77, 10),
            (449, 134, 10),
            (282, 137, 10),
            (239, 81, 10),
            (243, 100, 10),
            (349, 81, 10),
            (314, 130, 10),
            (127, 61, 10),
            (382, 46, 10),
            (390, 122, 10),
            (480, 118, 10),
            (403, 48, 10),
            (177, 23, 10),
            (193, 39, 10),
            (341, 60, 10),
            (342, 132, 10),
            (363, 67, 10),
            (441, 154, 10),
            (181, 79, 10),
            (472, 140, 10),
            (50, 7, 10),
            (84, 10, 10),
            (488, 106, 10),
            (474, 125, 10),
            (184, 54, 10),
            (112, 24, 10),
            (191, 83, 10),
            (69, 21, 10),
            (451, 218, 10),
            (348, 164, 10),
            (313, 119, 10),
            (160, 17, 10),
            (262, 48, 10),
            (135, 53, 10),
            (397, 125, 10),
            (263, 125, 10),
            (63, 23, 10),
            (164, 70, 10),
            (368, 43, 10),
            (283, 61, 10),
            (218, 80, 10),
            (164, 57, 10),
            (90, 22, 10),
            (323, 52, 10),
            (347, 115, 10),
            (284, 37, 10),
            (469, 171, 10),
            (467, 195, 10),
            (143, 52, 10),
            (323, 40, 10),
            (333, 102, 10),
            (161, 35, 10),
            (184, 59, 10),
            (269, 99, 10),
            (383, 68, 10),
            (181, 20, 10),
            (374, 111, 10),
            (344, 119, 10),
            (148, 21, 10),
            (224, 105, 10),
            (423, 123, 10),
            (429, 208, 10),
            (345, 108, 10),
            (52, 20, 10),
            (357, 145, 10),
            (151, 44, 10),
            (419, 107, 10),
            (461, 168, 10),
            (242, 25, 10),
            (480, 166, 10),
            (391, 121, 10),
            (196, 30, 10),
            (445, 80, 10),
            (223, 25, 10),
            (96, 37, 10),
            (317, 118, 10),
            (432, 110, 10),
            (345, 165, 10),
            (227, 56, 10),
            (455, 100, 10),
            (265, 122, 10),
            (223, 29, 10),
            (115, 29, 10),
            (145, 15, 10),
            (364, 86, 10),
            (409, 159, 10),
            (181, 43, 10),
            (332, 98, 10),
            (442, 129, 10),
            (116, 13, 10),
            (173, 23, 10),
            (285, 62, 10),
            (302, 96, 10),
            (229, 28, 10),
            (229, 106, 10),
            (108, 47, 10),
            (325, 105, 10),
            (469, 183, 10),
            (138, 54, 10),
        ],
        577,
        9.915276568106754e-46,
    ), // scipy 9.915276568106709e-46
];
// Student t / normal two-sided: 2 * scipy.stats.t.sf(|t|, df), 2 * norm.sf(|z|)
const T_CASES: &[(f64, f64, f64)] = &[
    (0.5, 3.0, 0.651447964848151),
    (2.0, 10.0, 0.07338803477074037),
    (-3.5, 7.0, 0.009993040881885549),
    (10.0, 1000.0, 1.6670702958600137e-22),
    (40.0, 50.0, 1.2412423784372691e-39),
    (0.0, 5.0, 1.0),
    (1.3, 1.5, 0.35802939120158084),
];
const Z_CASES: &[(f64, f64)] = &[
    (0.0, 1.0),
    (0.5, 0.6170750774519738),
    (-1.96, 0.04999579029644087),
    (3.0, 0.0026997960632601866),
    (7.5, 6.381783345821769e-14),
    (-12.0, 3.552964224155306e-33),
];
// scipy.stats.rankdata(x, method='average'), np.median, np.std(ddof)
const RANK_X: &[f64] = &[
    3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0, 3.0, 5.0, -0.0, 0.0,
];
const RANK_WANT: &[f64] = &[
    6.5, 3.5, 8.0, 3.5, 10.0, 13.0, 5.0, 12.0, 10.0, 6.5, 10.0, 1.5, 1.5,
];
// median 3.0, std ddof0 2.527950265408459, ddof1 2.6311740579210876, mean 3.3846153846153846

#[test]
fn hypergeom_tail_matches_exact() {
    for &(n, k, m, h, want) in SF_CASES {
        let got = hypergeom_sf_ge(n, k, m, h);
        assert!(
            rel_close(got, want, 1e-12),
            "P[X >= {h}] N={n} K={k} m={m}: got {got:e}, want {want:e}"
        );
    }
}

#[test]
fn statrs_hypergeom_sf_loses_digits_for_large_population() {
    // Measurement behind the hand-written pmf (see stats.rs): statrs 0.19
    // sums exp(ln C(K,x) + ln C(N-K,m-x) - ln C(N,m)) with ln-factorials of
    // ~1.5e8, so for N = 10^7 its error is far above ours. Printed, and our
    // own error is asserted; statrs' is only reported.
    use statrs::distribution::{DiscreteCDF, Hypergeometric};
    for &(n, k, m, h, want) in SF_CASES.iter().filter(|c| c.0 >= 1_000_000) {
        let ours = hypergeom_sf_ge(n, k, m, h);
        let theirs = Hypergeometric::new(n, k, m)
            .map(|d| d.sf(h - 1))
            .unwrap_or(f64::NAN);
        let e_ours = ((ours - want) / want).abs();
        let e_statrs = ((theirs - want) / want).abs();
        eprintln!("N={n} K={k} m={m} h={h}: rel err ours {e_ours:.1e}, statrs {e_statrs:.1e}");
        assert!(e_ours < 1e-12);
    }
}

#[test]
fn hypergeom_pmf_is_normalised_and_exact() {
    // P[X = 5] for N=20, K=7, m=12 = C(7,5) C(13,7) / C(20,12) = 36036 / 125970.
    let (lo, p) = hypergeom_pmf(20, 7, 12);
    assert_eq!(lo, 0);
    assert!(rel_close(p[5], 36036.0 / 125970.0, 1e-14));
    // Support starting above 0: N=10, K=8, m=5 -> X >= 3.
    let (lo, p) = hypergeom_pmf(10, 8, 5);
    assert_eq!(lo, 3);
    assert_eq!(p.len(), 3);
    // m = 0 and N = 0.
    assert_eq!(hypergeom_pmf(10, 4, 0), (0, vec![1.0]));
    assert_eq!(hypergeom_pmf(0, 0, 0), (0, vec![1.0]));
}

#[test]
fn time_sliced_p_value_matches_exact_convolution() {
    for &(periods, total, want) in SUM_CASES {
        let draws: Vec<HypergeomDraw> = periods
            .iter()
            .map(|&(population, successes, draws)| HypergeomDraw {
                population,
                successes,
                draws,
            })
            .collect();
        let got = hypergeom_sum_sf_ge(&draws, total);
        assert!(
            rel_close(got, want, 1e-10),
            "{} periods, total {total}: got {got:e}, want {want:e}",
            periods.len()
        );
    }
}

#[test]
fn time_sliced_single_period_equals_pooled() {
    for &(n, k, m, h, _) in SF_CASES {
        let d = [HypergeomDraw {
            population: n,
            successes: k,
            draws: m,
        }];
        let a = hypergeom_sum_sf_ge(&d, h);
        let b = hypergeom_sf_ge(n, k, m, h);
        assert!(rel_close(a, b, 1e-12), "{n} {k} {m} {h}: {a:e} vs {b:e}");
    }
    assert_eq!(hypergeom_sum_sf_ge(&[], 0), 1.0);
    assert_eq!(hypergeom_sum_sf_ge(&[], 1), 0.0);
}

#[test]
fn t_and_normal_p_values_match_scipy() {
    for &(t, df, want) in T_CASES {
        let got = student_t_two_sided_p(t, df).unwrap_or(f64::NAN);
        assert!(
            rel_close(got, want, 1e-6),
            "t={t} df={df}: {got:e} vs {want:e}"
        );
    }
    for &(z, want) in Z_CASES {
        let got = normal_two_sided_p(z).unwrap_or(f64::NAN);
        assert!(rel_close(got, want, 1e-6), "z={z}: {got:e} vs {want:e}");
    }
    assert_eq!(student_t_two_sided_p(f64::INFINITY, 3.0), Some(0.0));
    assert_eq!(student_t_two_sided_p(1.0, 0.0), None);
    assert_eq!(normal_two_sided_p(f64::NAN), None);
}

#[test]
fn ranks_median_mean_std_match_numpy() {
    assert_eq!(average_ranks(RANK_X), RANK_WANT);
    assert_eq!(median(RANK_X), Some(3.0));
    let m = mean(RANK_X).unwrap_or(f64::NAN);
    assert!(rel_close(m, 3.3846153846153846, 1e-12));
    let s0 = std(RANK_X, 0).unwrap_or(f64::NAN);
    let s1 = std(RANK_X, 1).unwrap_or(f64::NAN);
    assert!(rel_close(s0, 2.527950265408459, 1e-12));
    assert!(rel_close(s1, 2.6311740579210876, 1e-12));
    assert_eq!(std(&[], 0), None);
    assert_eq!(mean(&[]), None);
}

/// Values whose squares overflow a double: the standard deviation is still
/// computed (scaled by a power of two, exactly). Hand computation: mean 0,
/// sum of squares 2e400, ddof 1, so std = sqrt(2) * 1e200.
#[test]
fn std_of_values_whose_squares_overflow() {
    let s = std(&[1e200, -1e200], 1).unwrap();
    let want = std::f64::consts::SQRT_2 * 1e200;
    assert!(((s - want) / want).abs() < 1e-15, "{s}");
    // Scaling by a power of two changes nothing but the scale, bit for bit.
    let x = [0.013, -0.027, 0.004, 0.051, -0.008];
    let big: Vec<f64> = x.iter().map(|v| v * 2f64.powi(900)).collect();
    assert_eq!(std(&big, 1).unwrap(), std(&x, 1).unwrap() * 2f64.powi(900));
}

/// The scale leaves headroom for sums over 2^32 rows: values up to 2^480
/// (squares of their doubled deviations times 2^32 stay below 2^1024) are
/// not scaled; larger or tinier ones are brought near 1 by a power of two.
#[test]
fn square_safe_scale_threshold() {
    assert_eq!(square_safe_scale(0.05), 1.0);
    assert_eq!(square_safe_scale(2f64.powi(480)), 1.0);
    assert_eq!(square_safe_scale(2f64.powi(481)), 2f64.powi(-481));
    assert!(square_safe_scale(6.4e150) * 6.4e150 < 2.0);
    assert_eq!(square_safe_scale(2f64.powi(-481)), 2f64.powi(481));
    assert_eq!(square_safe_scale(f64::MAX), 2f64.powi(-1023));
    assert_eq!(square_safe_scale(0.0), 1.0);
}
