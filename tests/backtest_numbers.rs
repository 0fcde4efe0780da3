//! The backtest's numbers on hand-checkable inputs and on the bundled real
//! fixture (expected values computed independently, see each test).

use std::io::Cursor;
use std::path::Path;

use gemscan::backtest::{self, BacktestOptions, Report};
use gemscan::score::Weights;
use gemscan::snapshot::{ReadOptions, CHUNK_BYTES};

fn opts(k: usize, weights: Weights, baselines: bool) -> BacktestOptions {
    BacktestOptions {
        data_path: "mem.csv".into(),
        top_k: k,
        seed: 42,
        compare_baselines: baselines,
        extended_metrics: false,
        slice_by: None,
        periods_per_year: None,
        risk_free_rate: None,
        weights,
        read: ReadOptions {
            delimiter: b',',
            return_col: "future_return_7d".into(),
            require_return: true,
            strict: false,
            chunk_bytes: CHUNK_BYTES,
            hash: true,
            progress: None,
        },
    }
}

fn run(csv: &str, o: &BacktestOptions) -> Report {
    backtest::run(Cursor::new(csv.as_bytes().to_vec()), o)
        .expect("backtest runs")
        .0
}

fn close(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-12 * a.abs().max(b.abs())
}

/// Six rows, one feature `A` with weight 1, so score = 100 * A.
const TINY: &str = "\
token,date,f_A,f_MarketCap,f_PriceChange7d,future_return_7d
X,2024-01-01,0.9,100,0.5,0.10
Y,2024-01-01,0.8,300,-0.1,-0.05
Z,2024-01-01,0.5,200,0.9,0.02
W,2024-01-02,0.9,NA,0.9,0.01
V,2024-01-02,0.1,1000,5,NA
X,2024-01-02,0.9,300,,-0.20
";

fn tiny_weights() -> Weights {
    Weights::from_yaml("A: 1\n", Path::new("w.yaml")).unwrap()
}

#[test]
fn tiny_pooled_by_hand() {
    let r = run(TINY, &opts(2, tiny_weights(), true));
    // Scores: X 90, Y 80, Z 50, W 90, X(01-02) 90; V has no return.
    // Ties at 90: token W < X; the two X rows by date. Top 2 = W, X(2024-01-01).
    assert_eq!(r.flagged_assets, ["W", "X"]);
    assert_eq!(r.flagged_details[1].date, "2024-01-01");
    assert_eq!(r.selected_rows, 2);
    assert_eq!(r.precision_at_k, 1.0);
    // (0.01 + 0.10) / 2 = 0.055, summed in rank order.
    assert_eq!(r.average_return_at_k, (0.01 + 0.10) / 2.0);
    // U = 5 rows, 3 positive; sum = 0.10 - 0.05 + 0.02 + 0.01 - 0.20 = -0.12.
    assert_eq!(r.random_expectation.precision, 0.6);
    assert!(close(r.random_expectation.avg_return, -0.024));
    // P[X >= 2], X ~ Hypergeometric(N=5, K=3, n=2) = C(3,2) / C(5,2) = 3/10.
    assert!(close(r.precision_p_value, 0.3));
    let q = &r.data_quality;
    assert_eq!(
        (
            q.rows_read,
            q.rows_evaluated,
            q.rows_missing_return,
            q.duplicate_rows
        ),
        (6, 5, 1, 0)
    );
    assert_eq!(q.missing_feature_cells["A"], 0);
    assert_eq!(q.missing_feature_cells["MarketCap"], 1);
    assert_eq!(q.missing_feature_cells["PriceChange7d"], 1);

    let b = r.baseline_results.as_ref().unwrap();
    // cap: X(01-02) 300 and Y 300 tie -> token X first; returns -0.20, -0.05.
    let cap = &b["cap_weighted"];
    assert_eq!(cap.selected_assets, ["X", "Y"]);
    assert_eq!(cap.precision, 0.0);
    assert_eq!(cap.avg_return, (-0.20 + -0.05) / 2.0);
    assert_eq!(cap.precision_pct, None, "baseline precision 0 -> null");
    assert_eq!(cap.return_pct, None, "baseline return <= 0 -> null");
    assert!(cap.outperforms);
    // momentum: W 0.9 and Z 0.9 tie -> W first; returns 0.01, 0.02.
    let mom = &b["simple_momentum"];
    assert_eq!(mom.selected_assets, ["W", "Z"]);
    assert_eq!(mom.precision, 1.0);
    assert_eq!(mom.avg_return, (0.01 + 0.02) / 2.0);
    assert_eq!(mom.precision_improvement, 0.0);
    assert_eq!(mom.precision_pct, Some(0.0));
    assert!(close(
        mom.return_pct.unwrap(),
        (0.055 - 0.015) / 0.015 * 100.0
    ));
    assert!(!mom.outperforms, "equal precision is not an improvement");
    // random: SipHash-2-4 keys computed with the independent Python
    // implementation in tests/reference/pooled_reference.py (seed 42):
    // X/2024-01-02 7295294561085142651 < W/2024-01-02 12354648858847902213
    // < X/2024-01-01 13003282403506664541 < Y 15381454871166823509 < Z 16414513362836015077.
    let rnd = &b["random"];
    assert_eq!(rnd.selected_assets, ["X", "W"]);
    assert_eq!(rnd.precision, 0.5);
    assert_eq!(rnd.avg_return, (-0.20 + 0.01) / 2.0);
    assert_eq!(rnd.precision_pct, Some(100.0));
    assert_eq!(rnd.return_pct, None);
}

#[test]
fn k_larger_than_universe_divides_by_m() {
    let r = run(TINY, &opts(50, tiny_weights(), false));
    assert_eq!(r.selected_rows, 5);
    assert_eq!(r.flagged_assets, ["W", "X", "X", "Y", "Z"]);
    // 3 of 5 positive; P[X >= 3] when all 5 are drawn = 1.
    assert_eq!(r.precision_at_k, 0.6);
    assert!(close(r.precision_p_value, 1.0));
}

#[test]
fn no_hits_gives_p_value_one() {
    let csv = "token,date,f_A,future_return_7d\nA,2024-01-01,0.9,-0.1\nB,2024-01-01,0.1,0.3\n";
    let r = run(csv, &opts(1, tiny_weights(), false));
    assert_eq!(r.precision_at_k, 0.0);
    assert_eq!(r.precision_p_value, 1.0);
}

#[test]
fn same_token_same_date_ties_break_by_line() {
    let csv = "token,date,f_A,future_return_7d\nB,2024-01-01,0.5,0.1\nA,2024-01-01 00:00:00,0.5,0.2\nA,2024-01-01,0.5,0.3\n";
    let r = run(csv, &opts(3, tiny_weights(), false));
    assert_eq!(
        r.data_quality.duplicate_rows, 1,
        "same token and instant, two spellings"
    );
    let got: Vec<(String, f64)> = r
        .flagged_details
        .iter()
        .map(|d| (d.token.clone(), d.ret))
        .collect();
    assert_eq!(
        got,
        vec![("A".into(), 0.2), ("A".into(), 0.3), ("B".into(), 0.1)]
    );
    assert_eq!(r.flagged_details[0].date, "2024-01-01T00:00:00Z");
    assert_eq!(r.flagged_details[1].date, "2024-01-01");
}

#[test]
fn default_weights_score_and_driver() {
    // One row with all eight default features: hand sum left to right
    // 0.15*0.9 + 0.2*1 + 0.15*0.8 + 0.1*0.7 + 0.12*0.6 + 0.12*0.8 + 0.08*0.7 + 0.08*0.6 = 0.797.
    let csv = "token,date,f_SentimentScore,f_AccumulationScore,f_OnchainActivity,f_LiquidityDepth,f_TokenomicsRisk,f_ContractSafety,f_NarrativeMomentum,f_CommunityGrowth,f_Recency,f_DataCompleteness,future_return_7d\n\
               GEM,2024-05-05,0.9,1.0,0.8,0.7,0.6,0.8,0.7,0.6,1,0.5,0.2\n";
    let r = run(csv, &opts(10, Weights::default_table(), false));
    let d = &r.flagged_details[0];
    assert!(close(d.score, 79.7));
    assert_eq!(d.confidence, 75.0);
    assert!(
        d.flag,
        "score >= 70, ContractSafety 0.8, Accumulation/Narrative/Onchain >= 0.6"
    );
    assert_eq!(d.driver.name, "AccumulationScore");
    assert_eq!(d.driver.value, 0.2);
    assert_eq!(d.contributions.len(), 8);
    assert!(close(d.contributions["SentimentScore"], 0.135));
}

/// Expected values for the bundled fixture come from
/// `tests/reference/pooled_reference.py` (pandas 3.1 + scipy 1.16, run once):
/// `python3 tests/reference/pooled_reference.py tests/fixtures/sp500_sample.csv 10 42`.
#[test]
fn bundled_fixture_matches_independent_reference() {
    let data = std::fs::read("tests/fixtures/sp500_sample.csv").unwrap();
    let mut o = opts(10, Weights::default_table(), true);
    o.data_path = "tests/fixtures/sp500_sample.csv".into();
    let r = backtest::run(Cursor::new(data), &o).unwrap().0;
    assert_eq!(r.data_quality.rows_evaluated, 18486);
    assert_eq!(
        r.flagged_assets,
        ["BNI", "BNI", "BNI", "MSFT", "BNI", "BNI", "BRK.B", "MSFT", "UPS", "HD"]
    );
    assert_eq!(r.precision_at_k, 0.8);
    assert!(close(r.average_return_at_k, 0.004945959));
    assert!(close(r.random_expectation.precision, 0.540084388185654));
    assert!((r.random_expectation.avg_return / 0.002012498928746078 - 1.0).abs() < 1e-12);
    // scipy.stats.hypergeom.sf(7, 18486, 9984, 10)
    assert!((r.precision_p_value / 0.08894109628644849 - 1.0).abs() < 1e-6);
    let b = r.baseline_results.unwrap();
    assert_eq!(
        b["random"].selected_assets,
        ["CTL", "AXP", "AMAT", "FITB", "FO", "NSM", "BDK", "CNP", "CMA", "DELL"]
    );
    assert_eq!(b["random"].precision, 0.5);
    assert!((b["random"].avg_return / -0.0001448700000000011 - 1.0).abs() < 1e-9);
    assert_eq!(
        b["cap_weighted"].selected_assets,
        ["GS", "GS", "BRK.B", "GS", "GS", "MSFT", "AMZN", "GS", "MSFT", "F"]
    );
    assert_eq!(b["cap_weighted"].precision, 0.4);
    assert!((b["cap_weighted"].avg_return / -0.0035596449999999993 - 1.0).abs() < 1e-9);
    assert_eq!(b["simple_momentum"].precision, 0.8);
    assert!((b["simple_momentum"].avg_return / 0.02332503 - 1.0).abs() < 1e-9);
    assert_eq!(
        b["simple_momentum"].selected_assets,
        ["ARG", "ARG", "ARG", "ARG", "ARG", "AMZN", "AMZN", "GENZ", "BDK", "PCLN"]
    );
}
